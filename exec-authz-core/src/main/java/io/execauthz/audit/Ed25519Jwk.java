package io.execauthz.audit;

import io.execauthz.internal.Json;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Reads Ed25519 keys from OKP JWKs (RFC 8037), the form grant keys take, into the JDK's own key
 * types, so that audit checkpoints are signed and checked with the keys an operator already manages
 * without core depending on a JOSE library. Stateless.
 */
final class Ed25519Jwk {
  /** DER prefix of an X.509 SubjectPublicKeyInfo holding a raw 32-byte Ed25519 public key. */
  private static final byte[] X509_PREFIX = hex("302a300506032b6570032100");

  /** DER prefix of a PKCS#8 PrivateKeyInfo holding a raw 32-byte Ed25519 private key. */
  private static final byte[] PKCS8_PREFIX = hex("302e020100300506032b657004220420");

  private Ed25519Jwk() {}

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  /** Whether {@code jwk} is an OKP key on curve Ed25519. */
  static boolean isEd25519(Map<?, ?> jwk) {
    return "OKP".equals(jwk.get("kty")) && "Ed25519".equals(jwk.get("crv"));
  }

  /** The JWK's {@code kid}, required and non-empty. */
  static String kid(Map<?, ?> jwk) {
    Object kid = jwk.get("kid");
    if (!(kid instanceof String) || ((String) kid).isEmpty()) {
      throw new IllegalArgumentException("the JWK has no key id (\"kid\")");
    }
    return (String) kid;
  }

  /** Parses {@code json} as one JSON object. */
  static Map<?, ?> object(String json, String what) {
    Object parsed;
    try {
      parsed = Json.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not JSON: " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map)) {
      throw new IllegalArgumentException(what + " is not a JSON object");
    }
    return (Map<?, ?>) parsed;
  }

  static PublicKey publicKey(Map<?, ?> jwk) {
    byte[] x = raw(jwk, "x");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, x)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "key '" + jwk.get("kid") + "': \"x\" is not an Ed25519 public key", e);
    }
  }

  static PrivateKey privateKey(Map<?, ?> jwk) {
    byte[] d = raw(jwk, "d");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, d)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "key '" + jwk.get("kid") + "': \"d\" is not an Ed25519 private key", e);
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  private static byte[] raw(Map<?, ?> jwk, String member) {
    Object v = jwk.get(member);
    if (!(v instanceof String)) {
      throw new IllegalArgumentException(
          "key '" + jwk.get("kid") + "': member \"" + member + "\" is missing");
    }
    byte[] bytes = base64Url((String) v);
    if (bytes == null || bytes.length != 32) {
      throw new IllegalArgumentException(
          "key '"
              + jwk.get("kid")
              + "': \""
              + member
              + "\" must be 32 bytes in unpadded base64url");
    }
    return bytes;
  }

  /** Strict unpadded base64url, or null: re-encoding must give the same text. */
  static byte[] base64Url(String s) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(s) ? bytes : null;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
