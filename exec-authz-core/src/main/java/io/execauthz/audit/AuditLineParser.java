package io.execauthz.audit;

import io.execauthz.internal.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reading a record line back: strict UTF-8, the fields of {@link AuditLogFormat} in their order,
 * their types, the cut markers, and — last — that the line is byte for byte what the sink would
 * write for it. Shared by the verifier and by the sink when it reopens a log, so that both accept
 * exactly the lines the sink writes.
 *
 * <p>Stateless and thread-safe.
 */
final class AuditLineParser {
  private static final Pattern CUT_STRING =
      Pattern.compile("\u2026\\[cut: [0-9]+ chars, sha256 [0-9a-f]{64}\\]$");

  private static final Pattern CUT_ELEMENTS =
      Pattern.compile("\u2026\\[cut: [0-9]+ of [0-9]+ elements, sha256 [0-9a-f]{64}\\]");

  private AuditLineParser() {}

  /** The {@code seq} and {@code prev} of a well-formed line. */
  record Link(long seq, String prev) {}

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
    Object parsed = Json.parseExact(text); // kept arguments' decimals, digit for digit
    if (!(parsed instanceof Map)) {
      throw new IllegalArgumentException("not a JSON object");
    }
    Map<?, ?> m = (Map<?, ?>) parsed;
    List<?> keys = List.copyOf(m.keySet());
    for (int i = 0; i < AuditLogFormat.FIELDS.size(); i++) {
      if (i >= keys.size()) {
        throw new IllegalArgumentException(
            "field \"" + AuditLogFormat.FIELDS.get(i) + "\" is missing");
      }
      if (!AuditLogFormat.FIELDS.get(i).equals(keys.get(i))) {
        throw new IllegalArgumentException(
            "field "
                + (i + 1)
                + " must be \""
                + AuditLogFormat.FIELDS.get(i)
                + "\""
                + " (fields in order: "
                + String.join(", ", AuditLogFormat.FIELDS)
                + ")");
      }
    }
    int next = 0; // the first optional field that may still follow
    for (int i = AuditLogFormat.FIELDS.size(); i < keys.size(); i++) {
      int at = AuditLogFormat.OPTIONAL_FIELDS.indexOf(keys.get(i));
      if (at < next) {
        throw new IllegalArgumentException(
            "after the "
                + AuditLogFormat.FIELDS.size()
                + " fields "
                + String.join(", ", AuditLogFormat.FIELDS)
                + " only "
                + String.join(", ", AuditLogFormat.OPTIONAL_FIELDS)
                + " may follow, each at most once, in that order");
      }
      next = at + 1;
    }
    Object seq = m.get("seq");
    if (!(seq instanceof Long) || (Long) seq < 1) {
      throw new IllegalArgumentException("\"seq\" must be a positive integer");
    }
    Object prev = m.get("prev");
    if (!(prev instanceof String) || !AuditLogFormat.isSha256Hex((String) prev)) {
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
    if (m.containsKey("argsSha256")) {
      Object args = m.get("argsSha256");
      if (!(args instanceof String) || !AuditLogFormat.isSha256Hex((String) args)) {
        throw new IllegalArgumentException("\"argsSha256\" must be 64 lowercase hex digits");
      }
    }
    if (m.containsKey("args")) {
      Object args = m.get("args");
      boolean cut = m.get("cut") instanceof List<?> c && c.contains("args");
      if (!(args instanceof Map) && !(cut && args instanceof String)) {
        throw new IllegalArgumentException(
            "\"args\" must be an object (or, when named in \"cut\", its cut text)");
      }
      if (!m.containsKey("argsSha256")) {
        throw new IllegalArgumentException("\"args\" needs the \"argsSha256\" of the arguments");
      }
    }
    if (m.containsKey("redacted")) {
      requireStrings(m, "redacted");
      if (!m.containsKey("args") || ((List<?>) m.get("redacted")).isEmpty()) {
        throw new IllegalArgumentException("\"redacted\" must name arguments the line keeps");
      }
    }
    if (m.containsKey("approval")) {
      Object a = m.get("approval");
      if (!(a instanceof Map<?, ?> am)
          || !List.copyOf(am.keySet()).equals(List.of("by", "via"))
          || !(am.get("by") == null || am.get("by") instanceof String)
          || !(am.get("via") instanceof String)) {
        throw new IllegalArgumentException(
            "\"approval\" must be {\"by\": a string or null, \"via\": a string}");
      }
      try {
        new Approval((String) am.get("by"), (String) am.get("via"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("\"approval\": " + e.getMessage(), e);
      }
    }
    if (m.containsKey("shadow")) {
      checkShadow(m.get("shadow"));
    }
    if (m.containsKey("cut")) {
      checkCut(m);
    }
    if (!Json.write(m).equals(text)) {
      throw new IllegalArgumentException(
          "not in the exact form the sink writes (whitespace or escapes differ)");
    }
    return new Link((Long) seq, (String) prev);
  }

  /**
   * A shadow answer is {@code {"decision":…,"policies":[…],"errors":[…]}}, those members in that
   * order, and a {@code PERMIT} has no errors.
   */
  private static void checkShadow(Object v) {
    if (!(v instanceof Map<?, ?> s)
        || !List.copyOf(s.keySet()).equals(List.of("decision", "policies", "errors"))) {
      throw new IllegalArgumentException(
          "\"shadow\" must be an object of \"decision\", \"policies\" and \"errors\", in that"
              + " order");
    }
    Object decision = s.get("decision");
    if (!"PERMIT".equals(decision) && !"DENY".equals(decision)) {
      throw new IllegalArgumentException("\"shadow\".\"decision\" must be \"PERMIT\" or \"DENY\"");
    }
    requireStrings(s, "policies");
    requireStrings(s, "errors");
    if ("PERMIT".equals(decision) && !((List<?>) s.get("errors")).isEmpty()) {
      throw new IllegalArgumentException("a \"shadow\" PERMIT has no errors");
    }
  }

  /** A {@code cut} array names cuttable fields, in line order, each of which holds a marker. */
  private static void checkCut(Map<?, ?> m) {
    Object v = m.get("cut");
    if (!(v instanceof List) || ((List<?>) v).isEmpty()) {
      throw new IllegalArgumentException("\"cut\" must be a non-empty array of field names");
    }
    int last = -1;
    for (Object name : (List<?>) v) {
      int at = AuditLogFormat.CUTTABLE.indexOf(name);
      if (at <= last) {
        throw new IllegalArgumentException(
            "\"cut\" must name fields of "
                + String.join(", ", AuditLogFormat.CUTTABLE)
                + ", each once, in that order");
      }
      last = at;
    }
    for (Object name : (List<?>) v) {
      Object value = m.get(name);
      boolean marked;
      if ("shadow".equals(name) && value instanceof Map<?, ?> shadow) {
        marked = hasMarker(shadow.get("policies")) || hasMarker(shadow.get("errors"));
      } else if (value instanceof String) {
        marked = CUT_STRING.matcher((String) value).find();
      } else if (value instanceof List) {
        marked = hasMarker(value);
      } else {
        marked = false;
      }
      if (!marked) {
        throw new IllegalArgumentException(
            "\"cut\" names \"" + name + "\" but its value has no cut marker");
      }
    }
  }

  /** Whether a list of strings holds a cut element or a cut-elements marker. */
  private static boolean hasMarker(Object list) {
    return ((List<?>) list)
        .stream()
            .anyMatch(
                e ->
                    CUT_STRING.matcher((String) e).find()
                        || CUT_ELEMENTS.matcher((String) e).matches());
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
}
