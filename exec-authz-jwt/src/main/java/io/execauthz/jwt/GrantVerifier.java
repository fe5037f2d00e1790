package io.execauthz.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import io.execauthz.ExecutionView;
import io.execauthz.Names;
import io.execauthz.jwt.internal.GrantContent;
import io.execauthz.jwt.internal.Jose;
import io.execauthz.jwt.internal.TokenCache;
import io.execauthz.spi.GrantSource;
import io.execauthz.spi.SetOnce;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies grants offline, following RFC 8725: the tool-server side.
 *
 * <pre>{@code
 * GrantVerifier verifier = GrantVerifier.newBuilder()
 *     .keys(PublicKeySet.read(Path.of("jwks.json")))
 *     .issuer("https://orchestrator.example")
 *     .audience("mcp:files")
 *     .revocations(revocations)
 *     .build();
 * VerifiedGrant grant = verifier.verify(token); // or GrantVerificationException naming the check
 * }</pre>
 *
 * <p>The checks, in order (each failure a {@link GrantVerificationException} whose {@link
 * GrantCheck} names it; never a boolean):
 *
 * <ol>
 *   <li>size: at most {@link Builder#maxTokenSize 8 KiB} by default, before anything is parsed;
 *   <li>form: a compact JWS of three canonical base64url parts, its header and claims JSON objects
 *       that name no member twice (at any depth);
 *   <li>{@code alg}: on the allowlist ({@code EdDSA}, {@code ES256}); never {@code none}, never an
 *       HMAC;
 *   <li>{@code typ} is {@code exec-grant+jwt}; no {@code crit};
 *   <li>{@code kid} names a key of the trusted {@link PublicKeySet}, not retired, pinned to that
 *       very {@code alg} (embedded {@code jwk}, {@code jku}, {@code x5u} and {@code x5c} headers
 *       are never used);
 *   <li>the signature verifies with that key;
 *   <li>the claims: every required claim present and well-formed, {@code iss} the trusted issuer,
 *       {@code aud} naming this audience, {@code exp} not passed and {@code nbf}/{@code iat} not
 *       ahead (each within a {@link Builder#clockSkew skew} of 5 s by default), {@code exp - iat}
 *       within the {@link Builder#maxLifetime maximum lifetime};
 *   <li>revocation: the grant's id, its ancestor grants' ids and every node of its lineage (keyed
 *       by issuer, graph id and node id) against the {@link RevocationRegistry}, which must be
 *       current ({@link GrantCheck#UNAVAILABLE} otherwise).
 * </ol>
 *
 * <p>Revocation is on by default: a verifier is built with a {@link Builder#revocations registry}
 * or, explicitly, {@link Builder#withoutRevocationChecks() without revocation checks} — in which
 * case a grant of a revoked or completed node stays valid until its {@code exp}.
 *
 * <p>A grant that passed is remembered by its signature until its {@code exp}: presented again, the
 * cryptography and parsing are skipped, but the token must be identical, and time, key retirement
 * and revocation are checked again every time.
 *
 * <p>To rotate keys, build a verifier for the new set with {@link #withKeys(PublicKeySet)}.
 *
 * <p>Thread-safe.
 */
public final class GrantVerifier {
  /** The {@code typ} of every grant. */
  public static final String TYPE = "exec-grant+jwt";

  private final PublicKeySet keys;
  private final String issuer;
  private final String audience; // null: any (the issuer verifying a parent grant)
  private final InstantSource clock;
  private final Duration skew;
  private final int maxTokenSize;
  private final Duration maxLifetime;
  private final Set<GrantAlgorithm> algorithms;
  private final RevocationRegistry revocations;
  private final GrantSource source = this::verifyForPipeline;
  private final int cacheSize;
  private final TokenCache<VerifiedGrant> cache;

  private GrantVerifier(
      PublicKeySet keys,
      String issuer,
      String audience,
      InstantSource clock,
      Duration skew,
      int maxTokenSize,
      Duration maxLifetime,
      Set<GrantAlgorithm> algorithms,
      RevocationRegistry revocations,
      int cacheSize) {
    this.keys = keys;
    this.issuer = issuer;
    this.audience = audience;
    this.clock = clock;
    this.skew = skew;
    this.maxTokenSize = maxTokenSize;
    this.maxLifetime = maxLifetime;
    this.algorithms = Set.copyOf(algorithms);
    this.revocations = revocations;
    this.cacheSize = cacheSize;
    this.cache = cacheSize == 0 ? null : new TokenCache<>(cacheSize);
  }

  /** Starts configuring a verifier; keys, issuer and audience are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * What an issuer uses to verify a parent grant it is asked to attenuate: any audience, and no
   * registry (the issuer checks the node's liveness itself).
   */
  static GrantVerifier forIssuer(
      PublicKeySet keys, String issuer, InstantSource clock, Duration maxLifetime) {
    return new GrantVerifier(
        keys,
        issuer,
        null,
        clock,
        Builder.DEFAULT_SKEW,
        Builder.DEFAULT_MAX_SIZE,
        maxLifetime,
        EnumSet.allOf(GrantAlgorithm.class),
        null,
        1_000);
  }

  /** A verifier like this one that trusts {@code keys} instead, with an empty cache. */
  public GrantVerifier withKeys(PublicKeySet keys) {
    return new GrantVerifier(
        Objects.requireNonNull(keys, "keys"),
        issuer,
        audience,
        clock,
        skew,
        maxTokenSize,
        maxLifetime,
        algorithms,
        revocations,
        cacheSize);
  }

  /** The trusted keys. */
  public PublicKeySet keys() {
    return keys;
  }

  /** How many verified grants are remembered now (for tests). */
  int cachedGrants() {
    return cache == null ? 0 : cache.size();
  }

  /** The allowed clock skew. */
  public Duration clockSkew() {
    return skew;
  }

  /**
   * Verifies a grant.
   *
   * @return the verified grant, never null
   * @throws GrantVerificationException naming the first check the token failed
   */
  public VerifiedGrant verify(String token) {
    if (token == null) {
      throw new GrantVerificationException(GrantCheck.MALFORMED, "no token");
    }
    if (token.length() > maxTokenSize) {
      throw new GrantVerificationException(
          GrantCheck.OVERSIZED,
          "the token is " + token.length() + " characters; the limit is " + maxTokenSize);
    }
    Instant now = clock.instant();
    int lastDot = token.lastIndexOf('.');
    if (cache != null && lastDot > 0) {
      String signature = token.substring(lastDot + 1);
      VerifiedGrant hit = cache.get(signature, token, now);
      if (hit != null) {
        Instant retired = keys.retiredAt(hit.keyId()).orElse(null);
        if (retired != null && !now.isBefore(retired)) {
          throw retiredKey(hit.keyId(), retired);
        }
        checkTimes(hit.content(), hit.view(), now);
        checkRevocation(hit);
        return hit;
      }
      VerifiedGrant g = verifyFully(token, now);
      cache.put(signature, token, g, g.view().deadline(), now);
      checkRevocation(g);
      return g;
    }
    VerifiedGrant g = verifyFully(token, now);
    checkRevocation(g);
    return g;
  }

  private VerifiedGrant verifyFully(String token, Instant now) {
    int d1 = token.indexOf('.');
    int d2 = token.lastIndexOf('.');
    if (d1 < 0 || d1 == d2 || token.indexOf('.', d1 + 1) != d2) {
      int parts = 1;
      for (int i = 0; i < token.length(); i++) {
        parts += token.charAt(i) == '.' ? 1 : 0;
      }
      throw new GrantVerificationException(
          GrantCheck.MALFORMED,
          token.isEmpty()
              ? "the token is empty"
              : "a grant is a compact JWS of three dot-separated parts; this one has "
                  + parts
                  + (parts == 5 ? " (a JWE, which is not accepted)" : ""));
    }
    String h = token.substring(0, d1);
    String p = token.substring(d1 + 1, d2);
    String s = token.substring(d2 + 1);

    byte[] headerBytes = Jose.decodeStrict(h);
    if (headerBytes == null) {
      throw new GrantVerificationException(
          GrantCheck.MALFORMED, "the header is not canonical unpadded base64url");
    }
    Map<String, Object> header;
    try {
      header = Jose.parseObject(headerBytes, maxTokenSize);
    } catch (ParseException e) {
      throw new GrantVerificationException(
          GrantCheck.MALFORMED, "the header is not a JSON object: " + e.getMessage());
    }

    if (!(header.get("alg") instanceof String alg)) {
      throw new GrantVerificationException(GrantCheck.MALFORMED, "the header has no alg");
    }
    GrantAlgorithm algorithm = allowed(alg);
    if (!(header.get("typ") instanceof String typ) || !isGrantType(typ)) {
      Object presented = header.get("typ");
      throw new GrantVerificationException(
          GrantCheck.TYPE,
          "typ is "
              + (presented instanceof String t ? "'" + Names.printable(t) + "'" : "absent")
              + "; a grant's typ is '"
              + TYPE
              + "'");
    }
    if (header.containsKey("crit")) {
      throw new GrantVerificationException(
          GrantCheck.CRITICAL,
          "the header marks "
              + Names.printable(String.valueOf(header.get("crit")))
              + " critical; no critical extension is understood");
    }
    if (!(header.get("kid") instanceof String kid)) {
      throw new GrantVerificationException(
          GrantCheck.UNKNOWN_KEY, "the header has no kid; the trusted keys are " + keys.kids());
    }
    PublicKeySet.Trusted key = keys.trusted(kid);
    if (key == null) {
      throw new GrantVerificationException(
          GrantCheck.UNKNOWN_KEY,
          "no trusted key has kid '"
              + Names.printable(kid)
              + "'; the trusted keys are "
              + keys.kids());
    }
    if (key.retiredAt() != null && !now.isBefore(key.retiredAt())) {
      throw retiredKey(kid, key.retiredAt());
    }
    if (key.algorithm() != algorithm) {
      throw new GrantVerificationException(
          GrantCheck.ALGORITHM,
          "key '" + kid + "' is pinned to " + key.algorithm() + "; the token says " + algorithm);
    }
    JWSHeader jwsHeader;
    try {
      jwsHeader = JWSHeader.parse(header, new Base64URL(h));
    } catch (ParseException e) {
      throw new GrantVerificationException(
          GrantCheck.MALFORMED, "the header is not a JWS header: " + e.getMessage());
    }
    byte[] signature = Jose.decodeStrict(s);
    if (signature == null) {
      throw new GrantVerificationException(
          s.isEmpty() ? GrantCheck.SIGNATURE : GrantCheck.MALFORMED,
          s.isEmpty() ? "the token has no signature" : "the signature is not canonical base64url");
    }
    byte[] payload = Jose.decodeStrict(p);
    if (payload == null) {
      throw new GrantVerificationException(
          GrantCheck.MALFORMED, "the claims are not canonical unpadded base64url");
    }
    boolean valid;
    try {
      byte[] signingInput = token.substring(0, d2).getBytes(StandardCharsets.US_ASCII);
      valid = key.verifier().verify(jwsHeader, signingInput, new Base64URL(s));
    } catch (JOSEException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw new GrantVerificationException(
          GrantCheck.SIGNATURE, "the signature does not verify with key '" + kid + "'");
    }

    // from here on the claims are authentic
    Map<String, Object> claims;
    try {
      claims = Jose.parseObject(payload, maxTokenSize);
    } catch (ParseException e) {
      throw new GrantVerificationException(
          GrantCheck.MALFORMED, "the claims are not a JSON object: " + e.getMessage());
    }
    GrantContent content;
    ExecutionView view;
    try {
      content = GrantContent.fromClaims(claims);
      view = content.view(content.expiresAt().plus(skew));
    } catch (GrantContent.ClaimException e) {
      throw new GrantVerificationException(
          e.missing() ? GrantCheck.MISSING_CLAIM : GrantCheck.INVALID_CLAIM, e.getMessage());
    } catch (RuntimeException e) {
      throw new GrantVerificationException(
          GrantCheck.INVALID_CLAIM, "the claims do not describe an execution: " + e.getMessage());
    }
    if (!content.issuer().equals(issuer)) {
      throw new GrantVerificationException(
          GrantCheck.ISSUER,
          "iss is '"
              + Names.printable(content.issuer())
              + "'; this verifier trusts '"
              + issuer
              + "'",
          content.id(),
          view);
    }
    if (audience != null && !content.audience().contains(audience)) {
      List<String> aud = new ArrayList<>();
      for (String a : content.audience()) {
        aud.add(Names.printable(a));
      }
      throw new GrantVerificationException(
          GrantCheck.AUDIENCE,
          "aud is " + aud + "; this verifier is '" + audience + "'",
          content.id(),
          view);
    }
    checkTimes(content, view, now);
    Duration lifetime = Duration.between(content.issuedAt(), content.expiresAt());
    if (lifetime.compareTo(maxLifetime) > 0) {
      throw new GrantVerificationException(
          GrantCheck.LIFETIME,
          "the grant lives " + lifetime + " (iat to exp); the limit is " + maxLifetime,
          content.id(),
          view);
    }
    return new VerifiedGrant(content, kid, algorithm, view);
  }

  private GrantAlgorithm allowed(String alg) {
    String lower = alg.toLowerCase(Locale.ROOT);
    if (lower.equals("none")) {
      throw new GrantVerificationException(
          GrantCheck.ALGORITHM, "alg 'none' (an unsigned token) is never accepted");
    }
    if (lower.startsWith("hs")) {
      throw new GrantVerificationException(
          GrantCheck.ALGORITHM,
          "alg '"
              + Names.printable(alg)
              + "' (an HMAC) is never accepted: grants are verified with public keys only");
    }
    for (GrantAlgorithm a : algorithms) {
      if (a.jwsName().equals(alg)) {
        return a;
      }
    }
    throw new GrantVerificationException(
        GrantCheck.ALGORITHM,
        "alg '"
            + Names.printable(alg)
            + "' is not allowed; this verifier accepts "
            + allowedNames());
  }

  private List<String> allowedNames() {
    List<String> out = new ArrayList<>();
    for (GrantAlgorithm a : GrantAlgorithm.values()) {
      if (algorithms.contains(a)) {
        out.add(a.jwsName());
      }
    }
    return out;
  }

  private static boolean isGrantType(String typ) {
    return typ.equalsIgnoreCase(TYPE) || typ.equalsIgnoreCase("application/" + TYPE);
  }

  private void checkTimes(GrantContent c, ExecutionView view, Instant now) {
    if (!now.isBefore(c.expiresAt().plus(skew))) {
      throw new GrantVerificationException(
          GrantCheck.EXPIRED,
          "the grant expired at " + c.expiresAt() + " (now " + now + ", skew " + skew + ")",
          c.id(),
          view);
    }
    Instant ahead = now.plus(skew);
    if (ahead.isBefore(c.notBefore()) || ahead.isBefore(c.issuedAt())) {
      throw new GrantVerificationException(
          GrantCheck.NOT_YET_VALID,
          "the grant is valid from "
              + (c.notBefore().isAfter(c.issuedAt()) ? c.notBefore() : c.issuedAt())
              + " (now "
              + now
              + ", skew "
              + skew
              + ")",
          c.id(),
          view);
    }
  }

  private void checkRevocation(VerifiedGrant g) {
    if (revocations == null) {
      return;
    }
    Revocations.Finding f = Revocations.find(revocations, g.content());
    if (f != null) {
      throw new GrantVerificationException(f.check(), f.message(), g.id(), g.view());
    }
  }

  private static GrantVerificationException retiredKey(String kid, Instant at) {
    return new GrantVerificationException(
        GrantCheck.RETIRED_KEY, "key '" + kid + "' was retired at " + at);
  }

  /**
   * This verifier as the {@link GrantSource} of an {@link io.execauthz.Authorizer}: the only way a
   * grant's execution view reaches the decision pipeline. Always the same instance.
   */
  public GrantSource asGrantSource() {
    return source;
  }

  private GrantSource.Result verifyForPipeline(String token) {
    try {
      VerifiedGrant g = verify(token);
      return new GrantSource.Accepted(g.view(), g.id());
    } catch (GrantVerificationException e) {
      return new GrantSource.Rejected(
          e.check().reason(), e.getMessage(), e.view(), e.grantId().orElse(null));
    } catch (RuntimeException | StackOverflowError e) {
      return new GrantSource.Rejected(
          io.execauthz.Reason.ERROR,
          "grant verification failed: " + e.getClass().getSimpleName(),
          null,
          null);
    }
  }

  @Override
  public String toString() {
    return "GrantVerifier[issuer="
        + issuer
        + ", audience="
        + (audience == null ? "*" : audience)
        + ", keys="
        + keys.kids()
        + ", skew="
        + skew
        + "]";
  }

  /** Configures a {@link GrantVerifier}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    static final Duration DEFAULT_SKEW = Duration.ofSeconds(5);
    static final int DEFAULT_MAX_SIZE = 8 * 1024;
    static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private PublicKeySet keys;
    private String issuer;
    private String audience;
    private InstantSource clock;
    private Duration skew;
    private Integer maxTokenSize;
    private Duration maxLifetime;
    private Set<GrantAlgorithm> algorithms;
    private RevocationRegistry revocations;
    private boolean withoutRevocationChecks;
    private Integer cacheSize;

    private Builder() {}

    /** The trusted public keys (required). */
    public Builder keys(PublicKeySet keys) {
      SetOnce.once(this.keys, "keys");
      this.keys = Objects.requireNonNull(keys, "keys");
      return this;
    }

    /** The issuer ({@code iss}) whose grants are accepted (required). */
    public Builder issuer(String issuer) {
      SetOnce.once(this.issuer, "issuer");
      this.issuer = nonEmpty(issuer, "issuer");
      return this;
    }

    /** This server's audience, which a grant's {@code aud} must name (required). */
    public Builder audience(String audience) {
      SetOnce.once(this.audience, "audience");
      this.audience = nonEmpty(audience, "audience");
      return this;
    }

    /** The clock time is read from; the system clock by default. */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How far the clocks of issuer and verifier may disagree: 5 s by default, at most 5 minutes.
     * (Nimbus's default of 60 s would accept a grant a minute past its {@code exp}.)
     */
    public Builder clockSkew(Duration skew) {
      SetOnce.once(this.skew, "clockSkew");
      Objects.requireNonNull(skew, "clockSkew");
      if (skew.isNegative() || skew.compareTo(MAX_SKEW) > 0) {
        throw new IllegalArgumentException(
            "clockSkew must be between 0 and " + MAX_SKEW + ", was " + skew);
      }
      this.skew = skew;
      return this;
    }

    /** The longest token accepted, in characters: 8 KiB by default; 256 to 1 MiB. */
    public Builder maxTokenSize(int chars) {
      SetOnce.once(this.maxTokenSize, "maxTokenSize");
      this.maxTokenSize = SetOnce.within(chars, 256, 1 << 20, "maxTokenSize");
      return this;
    }

    /** The longest {@code exp - iat} accepted: one hour by default. */
    public Builder maxLifetime(Duration maxLifetime) {
      SetOnce.once(this.maxLifetime, "maxLifetime");
      Objects.requireNonNull(maxLifetime, "maxLifetime");
      if (maxLifetime.isNegative() || maxLifetime.isZero()) {
        throw new IllegalArgumentException("maxLifetime must be positive, was " + maxLifetime);
      }
      this.maxLifetime = maxLifetime;
      return this;
    }

    /** The algorithms accepted: both by default. A key still accepts only its own. */
    public Builder algorithms(GrantAlgorithm... algorithms) {
      SetOnce.once(this.algorithms, "algorithms");
      if (algorithms.length == 0) {
        throw new IllegalArgumentException("at least one algorithm must be allowed");
      }
      this.algorithms = EnumSet.copyOf(List.of(algorithms));
      return this;
    }

    /**
     * Where revoked grants and ended nodes are looked up (required, unless {@link
     * #withoutRevocationChecks()}): the registry the orchestrator's graph feeds through {@link
     * RevocationRegistry#graphListener(String)}, or a shared store fed by it.
     */
    public Builder revocations(RevocationRegistry revocations) {
      SetOnce.once(this.revocations, "revocations");
      if (withoutRevocationChecks) {
        throw new IllegalStateException("revocations conflicts with withoutRevocationChecks");
      }
      this.revocations = Objects.requireNonNull(revocations, "revocations");
      return this;
    }

    /**
     * Verifies without any revocation registry: signature, claims and time only. What it costs: a
     * grant stays valid until its {@code exp} (plus the clock skew) however its node ended — a
     * revoked or completed node's grants, and revoked grants, are still accepted. Only for tools
     * that inspect grants, or deployments whose grants are so short-lived that this is acceptable.
     */
    public Builder withoutRevocationChecks() {
      if (withoutRevocationChecks) {
        throw new IllegalStateException("withoutRevocationChecks was already set");
      }
      if (revocations != null) {
        throw new IllegalStateException("withoutRevocationChecks conflicts with revocations");
      }
      this.withoutRevocationChecks = true;
      return this;
    }

    /**
     * How many verified grants to remember: 10,000 by default; 0 turns the cache off. A remembered
     * grant skips signature verification and parsing, never the time and revocation checks.
     */
    public Builder cacheSize(int entries) {
      SetOnce.once(this.cacheSize, "cacheSize");
      if (entries < 0) {
        throw new IllegalArgumentException("cacheSize must not be negative, was " + entries);
      }
      this.cacheSize = entries;
      return this;
    }

    /**
     * @throws IllegalStateException if keys, issuer or audience is missing, or neither {@link
     *     #revocations} nor {@link #withoutRevocationChecks()} was given
     */
    public GrantVerifier build() {
      if (keys == null || issuer == null || audience == null) {
        List<String> missing = new ArrayList<>();
        if (keys == null) {
          missing.add("keys");
        }
        if (issuer == null) {
          missing.add("issuer");
        }
        if (audience == null) {
          missing.add("audience");
        }
        throw new IllegalStateException(
            "keys, issuer and audience are required; missing " + missing);
      }
      if (revocations == null && !withoutRevocationChecks) {
        throw new IllegalStateException(
            "revocations is required: give the registry the orchestrator's graph feeds"
                + " (RevocationRegistry.graphListener), or call withoutRevocationChecks() to accept"
                + " that a revoked node's grants stay valid until their exp");
      }
      return new GrantVerifier(
          keys,
          issuer,
          audience,
          clock == null ? InstantSource.system() : clock,
          skew == null ? DEFAULT_SKEW : skew,
          maxTokenSize == null ? DEFAULT_MAX_SIZE : maxTokenSize,
          maxLifetime == null ? Duration.ofHours(1) : maxLifetime,
          algorithms == null ? EnumSet.allOf(GrantAlgorithm.class) : algorithms,
          revocations,
          cacheSize == null ? 10_000 : cacheSize);
    }

    private static String nonEmpty(String s, String what) {
      Objects.requireNonNull(s, what);
      if (s.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      return s;
    }
  }
}
