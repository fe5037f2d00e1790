package io.execauthz.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import io.execauthz.ExecutionNode;
import io.execauthz.ExecutionView;
import io.execauthz.NodeState;
import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.jwt.internal.GrantContent;
import io.execauthz.jwt.internal.Jose;
import io.execauthz.spi.SetOnce;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Mints grants: signed, short-lived carriers of one execution node's authority (CONTRACT §4), and
 * narrower grants attenuated from them. Nothing it mints is wider or longer-lived than what it came
 * from.
 *
 * <pre>{@code
 * GrantIssuer issuer = GrantIssuer.newBuilder()
 *     .signingKey(SigningKey.read(Path.of("grant-key.json")))
 *     .issuer("https://orchestrator.example")
 *     .clock(clock)
 *     .revocations(revocations)   // so grants minted by other replicas can be attenuated
 *     .build();
 * GrantToken g = issuer.mint(graph.node("batch-2"), "mcp:files");
 * GrantToken readOnly = issuer.attenuate(g,
 *     CapabilitySet.parse("fs.read fs:/repo/docs/**"), Duration.ofMinutes(1));
 * }</pre>
 *
 * <p>Lifetimes: a grant's {@code exp} is the earliest of the node's deadline (or the parent grant's
 * {@code exp}), now plus the requested ttl, and now plus the issuer's maximum lifetime (5 minutes
 * by default), in whole seconds rounded down. A ttl beyond those is clamped, never honoured: {@code
 * exp} never grows on attenuation.
 *
 * <p>A grant carries its node's graph id ({@code gid}) and the budget scopes of the levels above it
 * ({@code bud}), so a tool server sharing the graph's budget ledger spends the node's own counters
 * through any grant of it. The issuer refuses to mint or attenuate for a node that is not active in
 * its graph ({@link IssuanceError#INACTIVE}).
 *
 * <p>Thread-safe.
 */
public final class GrantIssuer {
  private final SigningKey key;
  private final String issuer;
  private final InstantSource clock;
  private final Duration maxLifetime;
  private final int maxTokenSize;
  private final RandomGenerator random;
  private final PublicKeySet publicKeys;
  private final GrantVerifier parents;
  private final RevocationRegistry revocations;
  private final boolean withoutRevocationChecks;
  private final KnownNodes nodes = new KnownNodes(100_000);
  private final JWSHeader header;

  private GrantIssuer(Builder b) {
    this.key = b.key;
    this.issuer = b.issuer;
    this.clock = b.clock == null ? InstantSource.system() : b.clock;
    this.maxLifetime = b.maxLifetime == null ? Duration.ofMinutes(5) : b.maxLifetime;
    this.maxTokenSize =
        b.maxTokenSize == null ? GrantVerifier.Builder.DEFAULT_MAX_SIZE : b.maxTokenSize;
    this.random = b.random == null ? new SecureRandom() : b.random;
    this.publicKeys = (b.trusted == null ? PublicKeySet.empty() : b.trusted).with(key);
    // the parent's liveness is checked here, against the live node and the registry
    this.parents = GrantVerifier.forIssuer(publicKeys, issuer, clock, maxLifetime);
    this.revocations = b.revocations;
    this.withoutRevocationChecks = b.withoutRevocationChecks;
    this.header =
        new JWSHeader.Builder(JWSAlgorithm.parse(key.algorithm().jwsName()))
            .type(new JOSEObjectType(GrantVerifier.TYPE))
            .keyID(key.kid())
            .build();
  }

  /** Starts configuring an issuer; a signing key and an issuer name are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The keys verifiers of this issuer's grants should trust: its own and any others it trusts. */
  public PublicKeySet publicKeys() {
    return publicKeys;
  }

  /** The issuer name ({@code iss}). */
  public String issuer() {
    return issuer;
  }

  /** A grant of the node's whole capability set for the issuer's maximum lifetime. */
  public GrantToken mint(ExecutionNode node, String audience) {
    return mint(node, audience, maxLifetime);
  }

  /**
   * A grant of the node's whole capability set.
   *
   * @param ttl how long it should live; clamped to the node's deadline and the maximum lifetime
   * @throws GrantIssuanceException {@link IssuanceError#INACTIVE} if the node is not active or has
   *     less than a second left; {@link IssuanceError#TOO_LARGE} past the size bound
   */
  public GrantToken mint(ExecutionNode node, String audience, Duration ttl) {
    Objects.requireNonNull(node, "node");
    return attenuate(node, audience, node.capabilities(), ttl);
  }

  /**
   * A grant of part of a node's authority.
   *
   * @param capabilities what the grant carries; each must be covered by the node's set
   * @throws GrantIssuanceException {@link IssuanceError#ATTENUATION} naming a capability the node
   *     does not hold; {@link IssuanceError#INACTIVE}; {@link IssuanceError#TOO_LARGE}
   */
  public GrantToken attenuate(
      ExecutionNode node, String audience, CapabilitySet capabilities, Duration ttl) {
    Objects.requireNonNull(node, "node");
    checkAudience(audience);
    Objects.requireNonNull(capabilities, "capabilities");
    checkTtl(ttl);
    Instant now = clock.instant();
    requireActive(node);
    Optional<Capability> missing = node.capabilities().firstUncovered(capabilities);
    if (missing.isPresent()) {
      throw new GrantIssuanceException(
          IssuanceError.ATTENUATION,
          "the grant asks for '"
              + missing.get()
              + "', which node '"
              + node.id()
              + "' does not hold");
    }
    Instant iat = now.truncatedTo(ChronoUnit.SECONDS);
    Instant exp = expiry(now, ttl, node.deadline());
    if (!exp.isAfter(iat)) {
      throw new GrantIssuanceException(
          IssuanceError.INACTIVE,
          "node '"
              + node.id()
              + "' has less than a second of authority left (deadline "
              + node.deadline()
              + ")");
    }
    ExecutionView v = node.view();
    List<ExecutionView.BudgetScope> scopes = new ArrayList<>(v.budgetScopes());
    // the node's own budgets: a narrower grant still spends them, and every grant keeps them
    // alive until the node's deadline (not the grant's exp)
    GrantContent.budgetScope(v.nodeId(), node.capabilities(), node.deadline())
        .ifPresent(scopes::add);
    GrantToken minted =
        sign(
            new GrantContent(
                issuer,
                v.principal(),
                List.of(audience),
                iat,
                iat,
                exp,
                newId(),
                v.nodeId(),
                v.path(),
                v.lineage(),
                capabilities,
                null,
                List.of(),
                v.delegators(),
                v.trace().traceparent(),
                v.attributes(),
                v.graphId(),
                scopes));
    // as long as the parent verifier accepts the grant: until its exp plus the clock skew
    minted(v.graphId(), node, exp.plus(parents.clockSkew()));
    return minted;
  }

  /**
   * A grant narrower than {@code parent}: the same node, principal, audience, delegation chain,
   * graph and budget scopes (plus the parent's own budgeted capabilities, so every attenuation of a
   * node's grant spends the budgets the parent would), the given capabilities, and an {@code exp}
   * no later than the parent's.
   *
   * <p>The parent is verified first, against this issuer's name and keys; then its node must still
   * be active: looked up live in its graph if this issuer minted a grant for that node, and in the
   * {@link Builder#revocations revocation registry} if one is set. A parent minted elsewhere (by
   * another replica) can only be attenuated with a registry, or by an issuer built {@link
   * Builder#withoutRevocationChecks() without revocation checks}.
   *
   * @throws GrantVerificationException if the parent does not verify (a forged parent, say), or it
   *     or an ancestor grant was revoked ({@link GrantCheck#REVOKED})
   * @throws GrantIssuanceException {@link IssuanceError#ATTENUATION} naming a capability the parent
   *     does not hold; {@link IssuanceError#INACTIVE} if the parent's node (or an ancestor) is not
   *     active, naming it and its state, or the parent has less than a second left; {@link
   *     IssuanceError#UNAVAILABLE} if the node's state cannot be confirmed; {@link
   *     IssuanceError#TOO_LARGE}
   */
  public GrantToken attenuate(String parent, CapabilitySet capabilities, Duration ttl) {
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(capabilities, "capabilities");
    checkTtl(ttl);
    VerifiedGrant p = parents.verify(parent);
    GrantContent c = p.content();
    requireLive(c);
    Instant now = clock.instant();
    Optional<Capability> missing = p.capabilities().firstUncovered(capabilities);
    if (missing.isPresent()) {
      throw new GrantIssuanceException(
          IssuanceError.ATTENUATION,
          "the grant asks for '"
              + missing.get()
              + "', which parent grant '"
              + p.id()
              + "' does not hold");
    }
    Instant iat = now.truncatedTo(ChronoUnit.SECONDS);
    Instant exp = expiry(now, ttl, p.expiresAt());
    if (!exp.isAfter(iat)) {
      throw new GrantIssuanceException(
          IssuanceError.INACTIVE,
          "parent grant '" + p.id() + "' has less than a second left (exp " + p.expiresAt() + ")");
    }
    List<String> chain = new ArrayList<>(c.grantChain());
    chain.add(c.id());
    List<ExecutionView.BudgetScope> scopes = new ArrayList<>(c.budgetScopes());
    if (!capabilities.equals(c.capabilities())) {
      // the parent's own budgets bind the narrower grant
      Instant nodeDeadline = c.expiresAt();
      for (ExecutionView.BudgetScope s : c.budgetScopes()) {
        if (s.nodeId().equals(c.nodeId()) && s.notAfter().isAfter(nodeDeadline)) {
          nodeDeadline = s.notAfter();
        }
      }
      GrantContent.budgetScope(c.nodeId(), c.capabilities(), nodeDeadline)
          .filter(b -> !scopes.contains(b))
          .ifPresent(scopes::add);
    }
    return sign(
        new GrantContent(
            issuer,
            c.subject(),
            c.audience(),
            iat,
            iat,
            exp,
            newId(),
            c.nodeId(),
            c.path(),
            c.lineage(),
            capabilities,
            c.id(),
            chain,
            c.delegators(),
            c.traceparent(),
            c.attributes(),
            c.graphId(),
            scopes));
  }

  /** Refuses to mint for a node that is not active in its graph. */
  private static void requireActive(ExecutionNode node) {
    NodeState state = node.state();
    if (state != NodeState.ACTIVE) {
      throw new GrantIssuanceException(
          IssuanceError.INACTIVE,
          "node '" + node.id() + "' of graph '" + node.view().graphId() + "' is " + state);
    }
  }

  /**
   * Refuses to attenuate a grant whose node (or an ancestor) ended, or whose state cannot be
   * confirmed: the live node if this issuer minted for it, then the registry.
   */
  private void requireLive(GrantContent c) {
    boolean confirmed = false;
    ExecutionNode known = nodes.get(c.scope(), c.nodeId(), clock.instant());
    if (known != null) {
      requireActive(known);
      confirmed = true;
    }
    if (revocations != null) {
      Revocations.Finding f = Revocations.find(revocations, c);
      if (f != null && f.nodeId() != null) {
        throw new GrantIssuanceException(IssuanceError.INACTIVE, f.message());
      }
      if (f != null && f.check() == GrantCheck.UNAVAILABLE) {
        throw new GrantIssuanceException(IssuanceError.UNAVAILABLE, f.message());
      }
      if (f != null) {
        throw new GrantVerificationException(f.check(), f.message(), c.id(), null);
      }
      confirmed = true;
    }
    if (!confirmed && !withoutRevocationChecks) {
      throw new GrantIssuanceException(
          IssuanceError.UNAVAILABLE,
          "cannot confirm that node '"
              + c.nodeId()
              + "' of graph '"
              + c.scope()
              + "' is still active: this issuer minted no grant for it and has no revocation"
              + " registry");
    }
  }

  /** {@link #attenuate(String, CapabilitySet, Duration)} of a grant minted here. */
  public GrantToken attenuate(GrantToken parent, CapabilitySet capabilities, Duration ttl) {
    Objects.requireNonNull(parent, "parent");
    return attenuate(parent.compact(), capabilities, ttl);
  }

  /** Remembers the node a grant was minted for, so that its attenuations can check it live. */
  private void minted(String scope, ExecutionNode node, Instant until) {
    nodes.put(scope, node, until, clock.instant());
  }

  /**
   * The nodes this issuer minted for, by graph and node id, each until the last {@code exp} minted
   * for it; at most {@code max} of them (beyond that a node is not remembered, and attenuating its
   * grants needs the registry). Thread-safe.
   */
  private static final class KnownNodes {
    private record Known(ExecutionNode node, Instant until) {}

    private final int max;
    private final ConcurrentHashMap<String, Known> map = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong puts =
        new java.util.concurrent.atomic.AtomicLong();

    KnownNodes(int max) {
      this.max = max;
    }

    private static String key(String scope, String nodeId) {
      return scope.length() + ":" + scope + nodeId;
    }

    ExecutionNode get(String scope, String nodeId, Instant now) {
      Known k = map.get(key(scope, nodeId));
      return k == null || !now.isBefore(k.until()) ? null : k.node();
    }

    void put(String scope, ExecutionNode node, Instant until, Instant now) {
      if (puts.incrementAndGet() % 1024 == 0) {
        // forget nodes whose grants have all expired, a little at a time
        map.values().removeIf(k -> !now.isBefore(k.until()));
      }
      if (map.size() >= max) {
        map.values().removeIf(k -> !now.isBefore(k.until()));
        if (map.size() >= max) {
          return;
        }
      }
      map.merge(
          key(scope, node.id()),
          new Known(node, until),
          (a, b) -> a.node() == b.node() && a.until().isAfter(b.until()) ? a : b);
    }
  }

  private Instant expiry(Instant now, Duration ttl, Instant ceiling) {
    Instant exp = now.plus(ttl.compareTo(maxLifetime) < 0 ? ttl : maxLifetime);
    if (ceiling.isBefore(exp)) {
      exp = ceiling;
    }
    return exp.truncatedTo(ChronoUnit.SECONDS);
  }

  private GrantToken sign(GrantContent content) {
    JWSObject jws = new JWSObject(header, new Payload(content.toClaims()));
    try {
      jws.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException(
          "signing with key '" + key.kid() + "' failed: " + e.getMessage(), e);
    }
    String compact = jws.serialize();
    if (compact.length() > maxTokenSize) {
      throw new GrantIssuanceException(
          IssuanceError.TOO_LARGE,
          "the grant for node '"
              + content.nodeId()
              + "' would be "
              + compact.length()
              + " characters; the limit is "
              + maxTokenSize
              + " (fewer capabilities, or a shallower node)");
    }
    return new GrantToken(compact, content);
  }

  private String newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Jose.encode(b);
  }

  private static void checkAudience(String audience) {
    Objects.requireNonNull(audience, "audience");
    if (audience.isEmpty()) {
      throw new IllegalArgumentException("audience must not be empty");
    }
  }

  private static void checkTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
  }

  @Override
  public String toString() {
    return "GrantIssuer[issuer="
        + issuer
        + ", kid="
        + key.kid()
        + ", alg="
        + key.algorithm()
        + ", maxLifetime="
        + maxLifetime
        + "]";
  }

  /** Configures a {@link GrantIssuer}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private SigningKey key;
    private String issuer;
    private InstantSource clock;
    private Duration maxLifetime;
    private Integer maxTokenSize;
    private RandomGenerator random;
    private PublicKeySet trusted;
    private RevocationRegistry revocations;
    private boolean withoutRevocationChecks;

    private Builder() {}

    /** The key grants are signed with (required). */
    public Builder signingKey(SigningKey key) {
      SetOnce.once(this.key, "signingKey");
      this.key = Objects.requireNonNull(key, "signingKey");
      return this;
    }

    /** The issuer name written to {@code iss} (required). */
    public Builder issuer(String issuer) {
      SetOnce.once(this.issuer, "issuer");
      Objects.requireNonNull(issuer, "issuer");
      if (issuer.isEmpty()) {
        throw new IllegalArgumentException("issuer must not be empty");
      }
      this.issuer = issuer;
      return this;
    }

    /**
     * The clock {@code iat}, {@code nbf} and {@code exp} are read from; the system clock by
     * default.
     */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The longest a grant may live: 5 minutes by default, at most 24 hours. */
    public Builder maxLifetime(Duration maxLifetime) {
      SetOnce.once(this.maxLifetime, "maxLifetime");
      Objects.requireNonNull(maxLifetime, "maxLifetime");
      if (maxLifetime.compareTo(Duration.ofSeconds(1)) < 0
          || maxLifetime.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException(
            "maxLifetime must be between 1 second and 24 hours, was " + maxLifetime);
      }
      this.maxLifetime = maxLifetime;
      return this;
    }

    /** The largest grant minted, in characters: 8 KiB by default, the verifiers' default bound. */
    public Builder maxTokenSize(int chars) {
      SetOnce.once(this.maxTokenSize, "maxTokenSize");
      this.maxTokenSize = SetOnce.within(chars, 256, 1 << 20, "maxTokenSize");
      return this;
    }

    /** Where grant ids come from; a {@link SecureRandom} by default. */
    public Builder random(RandomGenerator random) {
      SetOnce.once(this.random, "random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Further keys whose grants (signed under this issuer name) may be attenuated here: the keys
     * being rotated out. The signing key is always trusted.
     */
    public Builder trustedKeys(PublicKeySet keys) {
      SetOnce.once(this.trusted, "trustedKeys");
      this.trusted = Objects.requireNonNull(keys, "trustedKeys");
      return this;
    }

    /**
     * Consulted before attenuating a parent grant: a revoked grant, a node that ended or a registry
     * that is not current refuses it. Without one, only grants whose node this issuer minted for
     * (and so can see live in its graph) can be attenuated, unless {@link
     * #withoutRevocationChecks()} is asked for.
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
     * Attenuates grants whose node this issuer cannot see (minted by another process, or by a
     * command-line tool) without asking any registry whether the node is still active. The cost: a
     * grant of a revoked node can still be attenuated, until the parent's {@code exp}. Grants of
     * nodes this issuer minted for are still checked against the live node.
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
     * @throws IllegalStateException if the signing key or the issuer name is missing
     */
    public GrantIssuer build() {
      if (key == null || issuer == null) {
        throw new IllegalStateException(
            "signingKey and issuer are required; missing "
                + (key == null
                    ? issuer == null ? "[signingKey, issuer]" : "[signingKey]"
                    : "[issuer]"));
      }
      return new GrantIssuer(this);
    }
  }
}
