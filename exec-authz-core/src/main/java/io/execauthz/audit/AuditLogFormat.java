package io.execauthz.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The hash-chained JSON-lines audit log format, shared by {@link JsonLinesAuditSink} (writing) and
 * {@link AuditLogVerifier} (checking), so the two can never disagree on it.
 *
 * <p>One record per line, one JSON object per record, fields in the order of {@link #FIELDS};
 * {@code prev} is the lowercase hex SHA-256 of the previous line's UTF-8 bytes (without its
 * newline), {@link #GENESIS} for the first record. Two optional fields may follow, each only when
 * it has a value: {@code argsSha256} (the record's {@link AuditRecord#argsSha256()}) and {@code
 * cut} (the names of fields cut to keep the line within {@link #MAX_LINE_BYTES}). Lines without
 * them are exactly the lines of the first release, so old logs verify unchanged. Stateless.
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

  /**
   * In a line that would exceed {@link #MAX_LINE_BYTES}, a field whose JSON form (UTF-8 bytes) is
   * longer than this is cut; ten such fields at most this long still fit in a line.
   */
  static final int CUT_FIELD_BYTES = 64 * 1024;

  /** How many characters of a cut string are kept (at most 48 KiB once escaped). */
  static final int CUT_KEEP_CHARS = 8 * 1024;

  /** How many characters of each element of a cut list are kept. */
  static final int CUT_ELEMENT_CHARS = 1024;

  /** What follows the kept part of a cut value. */
  static final String CUT_MARK = "\u2026[cut: ";

  /**
   * Optional fields after {@link #FIELDS}, in this order, each present only when it has a value.
   */
  static final List<String> OPTIONAL_FIELDS = List.of("argsSha256", "cut");

  /** The fields that may be cut, in line order. */
  static final List<String> CUTTABLE =
      List.of(
          "decisionId",
          "path",
          "principal",
          "delegators",
          "action",
          "resource",
          "detail",
          "policies",
          "grant",
          "traceparent");

  // the member names, quoted and encoded once (the hot path writes fifteen per record)
  private static final SerializedString SEQ = new SerializedString("seq");
  private static final SerializedString PREV = new SerializedString("prev");
  private static final SerializedString TIME = new SerializedString("time");
  private static final SerializedString DECISION_ID = new SerializedString("decisionId");
  private static final SerializedString PATH = new SerializedString("path");
  private static final SerializedString PRINCIPAL = new SerializedString("principal");
  private static final SerializedString DELEGATORS = new SerializedString("delegators");
  private static final SerializedString ACTION = new SerializedString("action");
  private static final SerializedString RESOURCE = new SerializedString("resource");
  private static final SerializedString DECISION = new SerializedString("decision");
  private static final SerializedString REASON = new SerializedString("reason");
  private static final SerializedString DETAIL = new SerializedString("detail");
  private static final SerializedString POLICIES = new SerializedString("policies");
  private static final SerializedString GRANT = new SerializedString("grant");
  private static final SerializedString TRACEPARENT = new SerializedString("traceparent");
  private static final SerializedString ARGS_SHA256 = new SerializedString("argsSha256");
  private static final SerializedString CUT = new SerializedString("cut");

  private static final Pattern CUT_STRING =
      Pattern.compile("\u2026\\[cut: [0-9]+ chars, sha256 [0-9a-f]{64}\\]$");

  private static final Pattern CUT_ELEMENTS =
      Pattern.compile("\u2026\\[cut: [0-9]+ of [0-9]+ elements, sha256 [0-9a-f]{64}\\]");

  private AuditLogFormat() {}

  /** The {@code seq} and {@code prev} of a well-formed line. */
  record Link(long seq, String prev) {}

  /**
   * The line (without newline) for {@code r} as record number {@code seq}, every value whole. The
   * sink uses {@link #cutLine} instead when this line would exceed {@link #MAX_LINE_BYTES}.
   */
  static String line(long seq, String prev, AuditRecord r) {
    return line(seq, prev, r, List.of());
  }

  /**
   * {@link #line} and a newline in UTF-8, the bytes the sink appends: the same bytes, written by
   * Jackson straight to UTF-8 (the hot path).
   */
  static byte[] lineBytes(long seq, String prev, AuditRecord r) {
    return Json.writeUtf8(g -> writeLine(g, seq, prev, r, List.of()), (byte) '\n');
  }

  /** The line with a trailing {@code "cut"} array naming {@code cut}, when it is not empty. */
  private static String line(long seq, String prev, AuditRecord r, List<String> cut) {
    return Json.write(g -> writeLine(g, seq, prev, r, cut));
  }

  /** Writes the line's object: {@link #FIELDS} in order, then the optional fields with values. */
  private static void writeLine(
      JsonGenerator g, long seq, String prev, AuditRecord r, List<String> cut) throws IOException {
    g.writeStartObject();
    g.writeFieldName(SEQ);
    g.writeNumber(seq);
    g.writeFieldName(PREV);
    g.writeString(prev);
    g.writeFieldName(TIME);
    g.writeString(r.time().toString());
    g.writeFieldName(DECISION_ID);
    g.writeString(r.decisionId());
    g.writeFieldName(PATH);
    writeStrings(g, r.nodePath());
    g.writeFieldName(PRINCIPAL);
    g.writeString(r.principal()); // null is written as null
    g.writeFieldName(DELEGATORS);
    writeStrings(g, r.delegators());
    g.writeFieldName(ACTION);
    g.writeString(r.action());
    g.writeFieldName(RESOURCE);
    g.writeString(r.resource());
    g.writeFieldName(DECISION);
    g.writeString(r.decision());
    g.writeFieldName(REASON);
    g.writeString(r.reason() == null ? null : r.reason().name());
    g.writeFieldName(DETAIL);
    g.writeString(r.detail());
    g.writeFieldName(POLICIES);
    writeStrings(g, r.determiningPolicies());
    g.writeFieldName(GRANT);
    g.writeString(r.grantId());
    g.writeFieldName(TRACEPARENT);
    g.writeString(r.traceparent());
    if (r.argsSha256() != null) {
      g.writeFieldName(ARGS_SHA256);
      g.writeString(r.argsSha256());
    }
    if (!cut.isEmpty()) {
      g.writeFieldName(CUT);
      writeStrings(g, cut);
    }
    g.writeEndObject();
  }

  /**
   * The line for a record whose {@link #line} would exceed {@link #MAX_LINE_BYTES}: every field
   * whose JSON form is longer than {@link #CUT_FIELD_BYTES} is cut (see {@link #cutString} and
   * {@link #cutList}) and named in a trailing {@code "cut"} array, so the decision is still audited
   * and a reader can tell a cut value from one that merely looks cut. The result is always within
   * the limit: at most ten cuttable fields of at most {@code CUT_FIELD_BYTES} each, plus the small
   * fixed ones.
   */
  static String cutLine(long seq, String prev, AuditRecord r) {
    List<String> cut = new ArrayList<>();
    String decisionId = cutIfLong(r.decisionId(), "decisionId", cut);
    List<String> path = cutIfLong(r.nodePath(), "path", cut);
    String principal = cutIfLong(r.principal(), "principal", cut);
    List<String> delegators = cutIfLong(r.delegators(), "delegators", cut);
    String action = cutIfLong(r.action(), "action", cut);
    String resource = cutIfLong(r.resource(), "resource", cut);
    String detail = cutIfLong(r.detail(), "detail", cut);
    List<String> policies = cutIfLong(r.determiningPolicies(), "policies", cut);
    String grant = cutIfLong(r.grantId(), "grant", cut);
    String traceparent = cutIfLong(r.traceparent(), "traceparent", cut);
    AuditRecord shorter =
        new AuditRecord(
            r.time(),
            decisionId,
            path,
            principal,
            delegators,
            action,
            resource,
            r.permitted(),
            r.reason(),
            detail,
            policies,
            grant,
            traceparent,
            r.argsSha256());
    // no cut is only possible if the caller misjudged the length: then there is nothing to name
    return line(seq, prev, shorter, cut);
  }

  private static String cutIfLong(String s, String field, List<String> cut) {
    if (s == null || jsonBytes(s) <= CUT_FIELD_BYTES) {
      return s;
    }
    cut.add(field);
    return cutString(s, CUT_KEEP_CHARS);
  }

  private static List<String> cutIfLong(List<String> list, String field, List<String> cut) {
    if (jsonBytes(list) <= CUT_FIELD_BYTES) {
      return list;
    }
    cut.add(field);
    return cutList(list);
  }

  /**
   * {@code s} cut to its first {@code keep} characters (one fewer rather than split a surrogate
   * pair) followed by the marker {@code …[cut: N chars, sha256 H]}, where N is the length of the
   * whole value in UTF-16 characters and H the lowercase hex SHA-256 of its UTF-8 bytes (an
   * unpaired surrogate, which UTF-8 cannot hold, counting as {@code ?}). At most {@code keep}
   * characters of at most 6 bytes each once escaped, plus the marker.
   */
  static String cutString(String s, int keep) {
    int end = Math.min(keep, s.length());
    if (end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end)
        + CUT_MARK
        + s.length()
        + " chars, sha256 "
        + sha256Hex(s.getBytes(StandardCharsets.UTF_8))
        + "]";
  }

  /**
   * {@code list} with each element over {@link #CUT_ELEMENT_CHARS} characters cut as a string, and
   * only as many leading elements as fit in {@code 6 * CUT_KEEP_CHARS} escaped bytes; if any were
   * left out, a last element {@code …[cut: K of N elements, sha256 H]} says how many, H being the
   * lowercase hex SHA-256 of the whole list's JSON array as the log would have written it.
   */
  static List<String> cutList(List<String> list) {
    List<String> out = new ArrayList<>();
    long budget = 6L * CUT_KEEP_CHARS;
    for (String e : list) {
      String kept = e.length() > CUT_ELEMENT_CHARS ? cutString(e, CUT_ELEMENT_CHARS) : e;
      long cost = 6L * kept.length() + 3;
      if (cost > budget) {
        break;
      }
      budget -= cost;
      out.add(kept);
    }
    if (out.size() < list.size()) {
      out.add(
          CUT_MARK
              + (list.size() - out.size())
              + " of "
              + list.size()
              + " elements, sha256 "
              + sha256Hex(Json.write(list).getBytes(StandardCharsets.UTF_8))
              + "]");
    }
    return out;
  }

  /**
   * The UTF-8 length of {@code s} as a JSON string literal written by {@link Json#quote}, quotes
   * included, computed without building it (the cut path runs on values of megabytes).
   */
  static long jsonBytes(String s) {
    long n = 2;
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
        n += 2;
      } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
        n += 6;
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else {
          n += 6;
        }
      } else if (Character.isLowSurrogate(c)) {
        n += 6; // unpaired: a paired one was taken with its high surrogate above
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static long jsonBytes(List<String> list) {
    long n = 2;
    for (String e : list) {
      n += jsonBytes(e) + 1;
      if (n > CUT_FIELD_BYTES) {
        return n;
      }
    }
    return n;
  }

  private static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static void writeStrings(JsonGenerator g, List<String> list) throws IOException {
    g.writeStartArray();
    for (int i = 0; i < list.size(); i++) {
      g.writeString(list.get(i));
    }
    g.writeEndArray();
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
    int next = 0; // the first optional field that may still follow
    for (int i = FIELDS.size(); i < keys.size(); i++) {
      int at = OPTIONAL_FIELDS.indexOf(keys.get(i));
      if (at < next) {
        throw new IllegalArgumentException(
            "after the "
                + FIELDS.size()
                + " fields "
                + String.join(", ", FIELDS)
                + " only "
                + String.join(" and ", OPTIONAL_FIELDS)
                + " may follow, in that order");
      }
      next = at + 1;
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
    if (m.containsKey("argsSha256")) {
      Object args = m.get("argsSha256");
      if (!(args instanceof String) || !isSha256Hex((String) args)) {
        throw new IllegalArgumentException("\"argsSha256\" must be 64 lowercase hex digits");
      }
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

  /** A {@code cut} array names cuttable fields, in line order, each of which holds a marker. */
  private static void checkCut(Map<?, ?> m) {
    Object v = m.get("cut");
    if (!(v instanceof List) || ((List<?>) v).isEmpty()) {
      throw new IllegalArgumentException("\"cut\" must be a non-empty array of field names");
    }
    int last = -1;
    for (Object name : (List<?>) v) {
      int at = CUTTABLE.indexOf(name);
      if (at <= last) {
        throw new IllegalArgumentException(
            "\"cut\" must name fields of "
                + String.join(", ", CUTTABLE)
                + ", each once, in that order");
      }
      last = at;
    }
    for (Object name : (List<?>) v) {
      Object value = m.get(name);
      boolean marked;
      if (value instanceof String) {
        marked = CUT_STRING.matcher((String) value).find();
      } else if (value instanceof List) {
        List<?> list = (List<?>) value;
        marked =
            list.stream()
                .anyMatch(
                    e ->
                        CUT_STRING.matcher((String) e).find()
                            || CUT_ELEMENTS.matcher((String) e).matches());
      } else {
        marked = false;
      }
      if (!marked) {
        throw new IllegalArgumentException(
            "\"cut\" names \"" + name + "\" but its value has no cut marker");
      }
    }
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
