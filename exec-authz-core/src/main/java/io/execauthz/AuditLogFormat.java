package io.execauthz;

import io.execauthz.internal.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The hash-chained JSON-lines audit log format, shared by {@link JsonLinesAuditSink} (writing) and
 * {@link AuditLogVerifier} (checking), so the two can never disagree on it.
 *
 * <p>One record per line, one JSON object per record, fields in the order of {@link #FIELDS};
 * {@code prev} is the lowercase hex SHA-256 of the previous line's UTF-8 bytes (without its
 * newline), {@link #GENESIS} for the first record. Stateless.
 */
final class AuditLogFormat {
  /** The fields of a record line, in the order they are written and must be read. */
  static final List<String> FIELDS =
      List.of(
          "seq",
          "prev",
          "time",
          "decisionId",
          "path",
          "principal",
          "delegators",
          "action",
          "resource",
          "decision",
          "reason",
          "detail",
          "policies",
          "grant",
          "traceparent");

  /** The {@code prev} of the first record, and the head of an empty log: 64 zeros. */
  static final String GENESIS = "0".repeat(64);

  /**
   * The longest line (in UTF-8 bytes, without the newline) the sink writes and the verifier reads,
   * so that neither a huge record nor a hostile file can exhaust memory.
   */
  static final int MAX_LINE_BYTES = 1 << 20;

  private AuditLogFormat() {}

  /** The {@code seq} and {@code prev} of a well-formed line. */
  record Link(long seq, String prev) {}

  /** The line (without newline) for {@code r} as record number {@code seq}. */
  static String line(long seq, String prev, AuditRecord r) {
    StringBuilder b = new StringBuilder(256 + r.detail().length());
    b.append("{\"seq\":").append(seq);
    b.append(",\"prev\":");
    Json.appendString(b, prev);
    b.append(",\"time\":");
    Json.appendString(b, r.time().toString());
    b.append(",\"decisionId\":");
    Json.appendString(b, r.decisionId());
    b.append(",\"path\":");
    appendStrings(b, r.nodePath());
    b.append(",\"principal\":");
    appendNullable(b, r.principal());
    b.append(",\"delegators\":");
    appendStrings(b, r.delegators());
    b.append(",\"action\":");
    Json.appendString(b, r.action());
    b.append(",\"resource\":");
    Json.appendString(b, r.resource());
    b.append(",\"decision\":");
    Json.appendString(b, r.decision());
    b.append(",\"reason\":");
    appendNullable(b, r.reason() == null ? null : r.reason().name());
    b.append(",\"detail\":");
    Json.appendString(b, r.detail());
    b.append(",\"policies\":");
    appendStrings(b, r.determiningPolicies());
    b.append(",\"grant\":");
    appendNullable(b, r.grantId());
    b.append(",\"traceparent\":");
    appendNullable(b, r.traceparent());
    return b.append('}').toString();
  }

  private static void appendNullable(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
    } else {
      Json.appendString(b, s);
    }
  }

  private static void appendStrings(StringBuilder b, List<String> list) {
    b.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      Json.appendString(b, list.get(i));
    }
    b.append(']');
  }

  /**
   * Decodes {@code len} bytes as strict UTF-8 and checks that they are one well-formed record line.
   *
   * @throws IllegalArgumentException saying what is wrong (never quoting the line's content)
   */
  static Link parse(byte[] bytes, int len) {
    if (len == 0) {
      throw new IllegalArgumentException("empty line");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, len))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not valid UTF-8", e);
    }
    Object parsed = Json.parse(text);
    if (!(parsed instanceof Map)) {
      throw new IllegalArgumentException("not a JSON object");
    }
    Map<?, ?> m = (Map<?, ?>) parsed;
    List<?> keys = List.copyOf(m.keySet());
    for (int i = 0; i < FIELDS.size(); i++) {
      if (i >= keys.size()) {
        throw new IllegalArgumentException("field \"" + FIELDS.get(i) + "\" is missing");
      }
      if (!FIELDS.get(i).equals(keys.get(i))) {
        throw new IllegalArgumentException(
            "field "
                + (i + 1)
                + " must be \""
                + FIELDS.get(i)
                + "\""
                + " (fields in order: "
                + String.join(", ", FIELDS)
                + ")");
      }
    }
    if (keys.size() > FIELDS.size()) {
      throw new IllegalArgumentException(
          "more than the " + FIELDS.size() + " fields " + String.join(", ", FIELDS));
    }
    Object seq = m.get("seq");
    if (!(seq instanceof Long) || (Long) seq < 1) {
      throw new IllegalArgumentException("\"seq\" must be a positive integer");
    }
    Object prev = m.get("prev");
    if (!(prev instanceof String) || !isSha256Hex((String) prev)) {
      throw new IllegalArgumentException("\"prev\" must be 64 lowercase hex digits");
    }
    Object time = m.get("time");
    if (!(time instanceof String)) {
      throw new IllegalArgumentException("\"time\" must be an ISO-8601 instant");
    }
    try {
      Instant.parse((String) time);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("\"time\" must be an ISO-8601 instant", e);
    }
    requireString(m, "decisionId", false);
    requireStrings(m, "path");
    requireString(m, "principal", true);
    requireStrings(m, "delegators");
    requireString(m, "action", false);
    requireString(m, "resource", false);
    Object decision = m.get("decision");
    boolean permit = "PERMIT".equals(decision);
    if (!permit && !"DENY".equals(decision)) {
      throw new IllegalArgumentException("\"decision\" must be \"PERMIT\" or \"DENY\"");
    }
    Object reason = m.get("reason");
    if (permit ? reason != null : !(reason instanceof String)) {
      throw new IllegalArgumentException(
          "\"reason\" must be null for a PERMIT and a string for a DENY");
    }
    requireString(m, "detail", false);
    requireStrings(m, "policies");
    requireString(m, "grant", true);
    requireString(m, "traceparent", true);
    if (!Json.write(m).equals(text)) {
      throw new IllegalArgumentException(
          "not in the exact form the sink writes (whitespace or escapes differ)");
    }
    return new Link((Long) seq, (String) prev);
  }

  private static void requireString(Map<?, ?> m, String field, boolean nullable) {
    Object v = m.get(field);
    if (!(v instanceof String) && !(nullable && v == null)) {
      throw new IllegalArgumentException(
          "\"" + field + "\" must be a string" + (nullable ? " or null" : ""));
    }
  }

  private static void requireStrings(Map<?, ?> m, String field) {
    Object v = m.get(field);
    if (!(v instanceof List) || !((List<?>) v).stream().allMatch(e -> e instanceof String)) {
      throw new IllegalArgumentException("\"" + field + "\" must be an array of strings");
    }
  }

  /** Whether {@code s} is 64 lowercase hex digits. */
  static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** A new SHA-256 digest (every Java platform has one). */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the Java platform must provide SHA-256", e);
    }
  }

  /** The lowercase hex SHA-256 of {@code len} bytes of {@code bytes}, resetting {@code digest}. */
  static String hash(MessageDigest digest, byte[] bytes, int len) {
    digest.reset();
    digest.update(bytes, 0, len);
    return HexFormat.of().formatHex(digest.digest());
  }
}
