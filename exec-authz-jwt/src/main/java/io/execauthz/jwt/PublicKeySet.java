package io.execauthz.jwt;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import io.execauthz.jwt.internal.Jose;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The public keys a verifier trusts, by key id: a JWK set (RFC 7517) that may hold several keys, so
 * keys can be rotated without a gap, and that a server can publish as JSON.
 *
 * <p>Each key is pinned to one algorithm ({@code EdDSA} for Ed25519, {@code ES256} for P-256, from
 * its {@code alg} member or else its curve); a grant whose {@code alg} differs is refused. Private
 * keys, symmetric keys, RSA keys and encryption keys are refused when a set is built, so a verifier
 * can never be tricked into an HMAC keyed with a public key.
 *
 * <p><b>Rotation.</b> Add the new key ({@link #with(SigningKey)}), publish, switch the issuer to
 * it, and drop the old key ({@link #without(String)}) once the grants it signed have expired (at
 * most the issuer's maximum lifetime later). To refuse an old key's grants at once — it leaked —
 * {@link #retire(String, Instant) retire} it: its JWK gets an {@code exp} (RFC 7517 §4 allows such
 * members) and every grant signed with it fails with {@link GrantCheck#RETIRED_KEY} from then on. A
 * key carrying a {@code revoked} member is refused the same way.
 *
 * <pre>{@code
 * PublicKeySet jwks = PublicKeySet.read(Path.of("jwks.json"))
 *     .with(newKey)                       // trust the new key too
 *     .retire(oldKid, clock.instant());   // and no longer the old one
 * jwks.write(Path.of("jwks.json"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class PublicKeySet {
  /** One trusted key, ready to verify. */
  record Trusted(String kid, GrantAlgorithm algorithm, JWSVerifier verifier, Instant retiredAt) {}

  private final List<JWK> keys;
  private final Map<String, Trusted> byKid;

  private PublicKeySet(List<JWK> keys) {
    Map<String, Trusted> m = new LinkedHashMap<>();
    for (JWK k : keys) {
      String kid = k.getKeyID();
      if (kid == null || kid.isEmpty()) {
        throw new IllegalArgumentException("every key of a grant JWK set needs a kid");
      }
      if (k.isPrivate()) {
        throw new IllegalArgumentException(
            "key '" + kid + "' holds a private key; a public JWK set must not");
      }
      GrantAlgorithm alg = GrantAlgorithm.fromJwsName(Jose.pinnedAlgorithm(k));
      Instant retired = k.getExpirationTime() == null ? null : k.getExpirationTime().toInstant();
      if (k.getKeyRevocation() != null) {
        Instant at =
            k.getKeyRevocation().getRevocationTime() == null
                ? Instant.MIN
                : k.getKeyRevocation().getRevocationTime().toInstant();
        retired = retired == null || at.isBefore(retired) ? at : retired;
      }
      if (m.put(kid, new Trusted(kid, alg, Jose.verifier(k), retired)) != null) {
        throw new IllegalArgumentException("key id '" + kid + "' appears twice");
      }
    }
    this.keys = List.copyOf(keys);
    this.byKid = Map.copyOf(m);
  }

  /** The empty set, which trusts nothing. */
  public static PublicKeySet empty() {
    return new PublicKeySet(List.of());
  }

  /** The public halves of the given signing keys. */
  public static PublicKeySet of(SigningKey... keys) {
    PublicKeySet s = empty();
    for (SigningKey k : keys) {
      s = s.with(k);
    }
    return s;
  }

  /**
   * Parses a JWK set ({@code {"keys":[…]}}).
   *
   * @throws IllegalArgumentException if it is not one, or holds a key this library does not trust
   *     (private, symmetric, RSA, another curve, an {@code alg} that disagrees with the key, a
   *     missing or repeated kid)
   */
  public static PublicKeySet parse(String jwksJson) {
    Objects.requireNonNull(jwksJson, "jwksJson");
    try {
      return new PublicKeySet(JWKSet.parse(jwksJson).getKeys());
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
    }
  }

  /** Reads a JWK set file. */
  public static PublicKeySet read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** A set with this key's public half added (replacing a key with the same kid). */
  public PublicKeySet with(SigningKey key) {
    return withJwk(parseJwk(key.publicJwk()));
  }

  /** A set with every key of {@code other} added (replacing keys with the same kid). */
  public PublicKeySet with(PublicKeySet other) {
    PublicKeySet s = this;
    for (JWK k : other.keys) {
      s = s.withJwk(k);
    }
    return s;
  }

  /** A set without the key {@code kid} (unchanged if it has none). */
  public PublicKeySet without(String kid) {
    List<JWK> out = new ArrayList<>(keys);
    out.removeIf(k -> k.getKeyID().equals(kid));
    return new PublicKeySet(out);
  }

  /**
   * A set in which the key {@code kid} is retired from {@code at} on: grants signed with it are
   * refused ({@link GrantCheck#RETIRED_KEY}) by verifiers whose clock has reached {@code at}.
   *
   * @throws IllegalArgumentException if there is no such key
   */
  public PublicKeySet retire(String kid, Instant at) {
    Objects.requireNonNull(at, "at");
    List<JWK> out = new ArrayList<>(keys.size());
    boolean found = false;
    for (JWK k : keys) {
      if (k.getKeyID().equals(kid)) {
        found = true;
        Date exp = Date.from(at);
        k =
            k instanceof OctetKeyPair okp
                ? new OctetKeyPair.Builder(okp).expirationTime(exp).build()
                : new ECKey.Builder(k.toECKey()).expirationTime(exp).build();
      }
      out.add(k);
    }
    if (!found) {
      throw new IllegalArgumentException("no key '" + kid + "' to retire in " + kids());
    }
    return new PublicKeySet(out);
  }

  /** The key ids, in order. */
  public List<String> kids() {
    List<String> out = new ArrayList<>(keys.size());
    for (JWK k : keys) {
      out.add(k.getKeyID());
    }
    return out;
  }

  /** The algorithm key {@code kid} is pinned to, if the set has it. */
  public Optional<GrantAlgorithm> algorithm(String kid) {
    Trusted t = byKid.get(kid);
    return t == null ? Optional.empty() : Optional.of(t.algorithm());
  }

  /** When key {@code kid} was or will be retired, if it is marked so. */
  public Optional<Instant> retiredAt(String kid) {
    Trusted t = byKid.get(kid);
    return t == null ? Optional.empty() : Optional.ofNullable(t.retiredAt());
  }

  /** The set as JWK set JSON, public keys only: what a server publishes. */
  public String toJson() {
    return new JWKSet(keys).toString(true);
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void write(Path file) throws IOException {
    Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }

  Trusted trusted(String kid) {
    return byKid.get(kid);
  }

  private PublicKeySet withJwk(JWK key) {
    List<JWK> out = new ArrayList<>(keys.size() + 1);
    for (JWK k : keys) {
      if (!k.getKeyID().equals(key.getKeyID())) {
        out.add(k);
      }
    }
    out.add(key);
    return new PublicKeySet(out);
  }

  private static JWK parseJwk(String json) {
    try {
      return JWK.parse(json);
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKeySet s && s.toJson().equals(toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  /** The key ids only. */
  @Override
  public String toString() {
    return "PublicKeySet" + kids();
  }
}
