package io.execauthz.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The key layout. Identifiers are hashed (SHA-256, base64url, cut to 128 bits) so that any text —
 * braces, colons, newlines — makes a key of fixed length that cannot collide with another part's,
 * and so that keys name no node, graph or tool in clear.
 */
final class Keys {
  private Keys() {}

  /** 22 base64url characters of the SHA-256 of the parts, each length-prefixed. */
  static String hash(String... parts) {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (String p : parts) {
      byte[] b = (p == null ? "" : p).getBytes(StandardCharsets.UTF_8);
      d.update((byte) (p == null ? 0 : 1));
      d.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
      d.update((byte) ':');
      d.update(b);
    }
    byte[] h = d.digest();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 22);
  }
}
