package io.execauthz.audit;

import java.security.PublicKey;
import java.security.interfaces.EdECKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Ed25519 public keys, by key id, whose signatures on audit checkpoints {@link
 * AuditLogVerifier} accepts. Read it from the same JWK set that publishes grant keys: Ed25519 (OKP)
 * keys are taken, other keys (P-256 grant keys) are noted and never trusted for checkpoints.
 *
 * <p>Immutable and thread-safe.
 */
public final class AuditTrustedKeys {
  private final Map<String, PublicKey> keys;
  private final List<String> otherKids;

  private AuditTrustedKeys(Map<String, PublicKey> keys, List<String> otherKids) {
    this.keys = Map.copyOf(keys);
    this.otherKids = List.copyOf(otherKids);
  }

  /**
   * Trusts the given Ed25519 public keys by key id.
   *
   * @throws IllegalArgumentException if a key is not an Ed25519 key or a key id is empty
   */
  public static AuditTrustedKeys of(Map<String, PublicKey> keys) {
    Objects.requireNonNull(keys, "keys");
    keys.forEach(
        (kid, key) -> {
          Objects.requireNonNull(key, "key " + kid);
          if (kid.isEmpty()) {
            throw new IllegalArgumentException("a key id must not be empty");
          }
          if (!(key instanceof EdECKey)
              || !"Ed25519".equalsIgnoreCase(((EdECKey) key).getParams().getName())) {
            throw new IllegalArgumentException(
                "key '" + kid + "' is a " + key.getAlgorithm() + " key, not Ed25519");
          }
        });
    return new AuditTrustedKeys(keys, List.of());
  }

  /**
   * Reads a public JWK set (RFC 7517, {@code {"keys":[…]}}) or a single public JWK, trusting its
   * Ed25519 keys.
   *
   * @throws IllegalArgumentException if it is not one, a key has no {@code kid} or holds a private
   *     part, or an Ed25519 key is malformed
   */
  public static AuditTrustedKeys fromJwks(String jwksJson) {
    Objects.requireNonNull(jwksJson, "jwksJson");
    Map<?, ?> root = Ed25519Jwk.object(jwksJson, "the JWK set");
    List<?> list;
    if (root.containsKey("keys")) {
      if (!(root.get("keys") instanceof List)) {
        throw new IllegalArgumentException("the JWK set's \"keys\" is not an array");
      }
      list = (List<?>) root.get("keys");
    } else {
      list = List.of(root);
    }
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map)) {
        throw new IllegalArgumentException("a key in the JWK set is not a JSON object");
      }
      Map<?, ?> jwk = (Map<?, ?>) o;
      String kid = Ed25519Jwk.kid(jwk);
      if (jwk.containsKey("d")) {
        throw new IllegalArgumentException(
            "key '" + kid + "' holds a private key; a public JWK set must not");
      }
      if (keys.containsKey(kid) || others.contains(kid)) {
        throw new IllegalArgumentException("key id '" + kid + "' appears twice in the JWK set");
      }
      if (Ed25519Jwk.isEd25519(jwk)) {
        keys.put(kid, Ed25519Jwk.publicKey(jwk));
      } else {
        others.add(kid);
      }
    }
    return new AuditTrustedKeys(keys, others);
  }

  /** The trusted key ids. */
  public List<String> kids() {
    return List.copyOf(keys.keySet());
  }

  PublicKey key(String kid) {
    return keys.get(kid);
  }

  /** Why {@code kid} is not trusted, for a problem sentence. */
  String whyNotTrusted(String kid) {
    return otherKids.contains(kid)
        ? "key '" + kid + "' is in the key set but is not an Ed25519 key"
        : "key '" + kid + "' is not among the trusted keys " + kids();
  }

  @Override
  public String toString() {
    return "AuditTrustedKeys" + kids();
  }
}
