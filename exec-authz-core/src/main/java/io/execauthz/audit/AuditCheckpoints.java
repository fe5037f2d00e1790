package io.execauthz.audit;

import io.execauthz.internal.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The signed checkpoint format, shared by {@link JsonLinesAuditSink} (signing) and {@link
 * AuditLogVerifier} (checking) so the two cannot disagree.
 *
 * <p>A checkpoints file holds one checkpoint per line, each a compact JWS (RFC 7515) signed with
 * Ed25519 ({@code alg} {@code EdDSA}, RFC 8037): header {@code
 * {"alg":"EdDSA","kid":K,"typ":"exec-authz-audit-checkpoint"}}, payload {@code
 * {"seq":N,"head":H,"time":T}}, saying that the log's record {@code N} hashes to {@code H} (the
 * log's head after {@code N} records; 64 zeros for {@code N = 0}) at time {@code T}. Any JOSE
 * library holding the public JWK can check one; the {@code typ} keeps a checkpoint from passing for
 * a grant signed by the same key, and the other way round. Stateless.
 */
final class AuditCheckpoints {
  /** The JWS {@code typ} of a checkpoint. */
  static final String TYP = "exec-authz-audit-checkpoint";

  /** The longest checkpoint line read; the sink's are far shorter. */
  static final int MAX_LINE_BYTES = 4096;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private AuditCheckpoints() {}

  /** One checkpoint: the log had {@code seq} records ending in {@code head} at {@code time}. */
  record Checkpoint(long seq, String head, Instant time, String kid) {}

  /** A checkpoint's line (without newline), signed with {@code key}. */
  static String line(AuditSigningKey key, long seq, String head, Instant time) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "EdDSA");
    header.put("kid", key.kid());
    header.put("typ", TYP);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("seq", seq);
    payload.put("head", head);
    payload.put("time", time.toString());
    String input = b64(Json.write(header)) + "." + b64(Json.write(payload));
    return input + "." + B64.encodeToString(key.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses a checkpoint line and checks its signature with the trusted key its {@code kid} names.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static Checkpoint verify(String line, AuditTrustedKeys keys) {
    String[] parts = line.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a compact JWS (three base64url parts)");
    }
    Map<?, ?> header = part(parts[0], "header");
    Map<?, ?> payload = part(parts[1], "payload");
    if (!List.of("alg", "kid", "typ").equals(List.copyOf(header.keySet()))
        || !"EdDSA".equals(header.get("alg"))
        || !TYP.equals(header.get("typ"))
        || !(header.get("kid") instanceof String)) {
      throw new IllegalArgumentException(
          "the header must be {\"alg\":\"EdDSA\",\"kid\":…,\"typ\":\"" + TYP + "\"}");
    }
    String kid = (String) header.get("kid");
    if (!List.of("seq", "head", "time").equals(List.copyOf(payload.keySet()))
        || !(payload.get("seq") instanceof Long)
        || (Long) payload.get("seq") < 0
        || !(payload.get("head") instanceof String)
        || !AuditLogFormat.isSha256Hex((String) payload.get("head"))
        || !(payload.get("time") instanceof String)) {
      throw new IllegalArgumentException(
          "the payload must be {\"seq\":N,\"head\":64 lowercase hex digits,\"time\":instant}");
    }
    Instant time;
    try {
      time = Instant.parse((String) payload.get("time"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("the payload's time is not an ISO-8601 instant", e);
    }
    PublicKey key = keys.key(kid);
    if (key == null) {
      throw new IllegalArgumentException(
          "signed with an untrusted key: " + keys.whyNotTrusted(kid));
    }
    byte[] sig = Ed25519Jwk.base64Url(parts[2]);
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    if (sig == null || !verifies(key, input, sig)) {
      throw new IllegalArgumentException(
          "the signature does not verify with key '"
              + kid
              + "' (forged, or altered after signing)");
    }
    return new Checkpoint((Long) payload.get("seq"), (String) payload.get("head"), time, kid);
  }

  private static Map<?, ?> part(String b64, String what) {
    byte[] bytes = Ed25519Jwk.base64Url(b64);
    if (bytes == null) {
      throw new IllegalArgumentException("the " + what + " is not unpadded base64url");
    }
    Object parsed;
    try {
      parsed = Json.parse(new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + what + " is not JSON", e);
    }
    if (!(parsed instanceof Map)) {
      throw new IllegalArgumentException("the " + what + " is not a JSON object");
    }
    return (Map<?, ?>) parsed;
  }

  /** Parses a checkpoint line without checking its signature (for the sink reopening a log). */
  static Checkpoint parseUnverified(String line) {
    String[] parts = line.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a compact JWS (three base64url parts)");
    }
    Map<?, ?> payload = part(parts[1], "payload");
    Object seq = payload.get("seq");
    Object head = payload.get("head");
    if (!(seq instanceof Long) || !(head instanceof String)) {
      throw new IllegalArgumentException("the payload has no seq and head");
    }
    return new Checkpoint((Long) seq, (String) head, Instant.EPOCH, "");
  }

  /** Whether {@code sig} is {@code key}'s Ed25519 signature of {@code data}. */
  static boolean verifies(PublicKey key, byte[] data, byte[] sig) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(data);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
