package io.execauthz.audit;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;
import java.util.Objects;

/**
 * The Ed25519 key with which a {@link JsonLinesAuditSink} signs its checkpoints: a key pair and its
 * key id. It is the same kind of key as an EdDSA grant key (an OKP Ed25519 JWK), so an operator can
 * use {@code exec-authz keys generate} and publish the public half in a JWK set; signatures use the
 * JDK's own Ed25519, so core needs no JOSE library.
 *
 * <pre>{@code
 * AuditSigningKey key = AuditSigningKey.fromJwk(Files.readString(Path.of("audit-key.json")));
 * JsonLinesAuditSink sink =
 *     JsonLinesAuditSink.newBuilder(Path.of("audit.jsonl")).checkpoints(key).build();
 * }</pre>
 *
 * <p>{@link #toString()} names the key id only. Immutable and thread-safe.
 */
public final class AuditSigningKey {
  private final String kid;
  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  private AuditSigningKey(String kid, PrivateKey privateKey, PublicKey publicKey) {
    this.kid = kid;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    byte[] probe = {'p', 'r', 'o', 'b', 'e'};
    if (!AuditCheckpoints.verifies(publicKey, probe, sign(probe))) {
      throw new IllegalArgumentException(
          "key '" + kid + "': the public key is not the private key's other half");
    }
  }

  /**
   * A key from a JDK Ed25519 key pair.
   *
   * @throws IllegalArgumentException if {@code kid} is empty or the pair is not a matching Ed25519
   *     pair
   */
  public static AuditSigningKey of(String kid, KeyPair pair) {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(pair, "pair");
    if (kid.isEmpty()) {
      throw new IllegalArgumentException("kid must not be empty");
    }
    return new AuditSigningKey(kid, pair.getPrivate(), pair.getPublic());
  }

  /** A new random key with the given key id. */
  public static AuditSigningKey generate(String kid) {
    try {
      return of(kid, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the Java platform must provide Ed25519", e);
    }
  }

  /**
   * Reads a private OKP Ed25519 JWK (RFC 8037) with members {@code kid}, {@code d} and {@code x},
   * as {@code exec-authz keys generate --alg EdDSA} writes it.
   *
   * @throws IllegalArgumentException naming what is wrong (never the key material)
   */
  public static AuditSigningKey fromJwk(String privateJwkJson) {
    Objects.requireNonNull(privateJwkJson, "privateJwkJson");
    Map<?, ?> jwk = Ed25519Jwk.object(privateJwkJson, "the private JWK");
    String kid = Ed25519Jwk.kid(jwk);
    if (!Ed25519Jwk.isEd25519(jwk)) {
      throw new IllegalArgumentException(
          "key '"
              + kid
              + "' is not an Ed25519 key (kty OKP, crv Ed25519); audit checkpoints need one");
    }
    if (!jwk.containsKey("d")) {
      throw new IllegalArgumentException(
          "key '" + kid + "' is a public key; signing checkpoints needs its private part (\"d\")");
    }
    return new AuditSigningKey(kid, Ed25519Jwk.privateKey(jwk), Ed25519Jwk.publicKey(jwk));
  }

  /** The key id, the {@code kid} of every checkpoint it signs. */
  public String kid() {
    return kid;
  }

  /** The public half, for {@link AuditTrustedKeys#of}. */
  public PublicKey publicKey() {
    return publicKey;
  }

  byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("key '" + kid + "' cannot sign with Ed25519: " + e, e);
    }
  }

  @Override
  public String toString() {
    return "AuditSigningKey[kid=" + kid + "]";
  }
}
