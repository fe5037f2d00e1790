package io.execauthz.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash-chained JSON-lines audit log format, shared by {@link JsonLinesAuditSink} (writing) and
 * {@link AuditLogVerifier} (checking), so the two can never disagree on it.
 *
 * <p>One record per line, one JSON object per record, fields in the order of {@link #FIELDS};
 * {@code prev} is the lowercase hex SHA-256 of the previous line's UTF-8 bytes (without its
 * newline), {@link #GENESIS} for the first record. Optional fields may follow, in the order of
 * {@link #OPTIONAL_FIELDS}, each only when it has a value: {@code argsSha256} (the record's {@link
 * AuditRecord#argsSha256()}), {@code args} and {@code redacted} (its {@link
 * AuditRecord#arguments()} as the sink keeps them, and the top-level names it redacted), {@code
 * approval} ({@code {"by":…,"via":…}}, its {@link AuditRecord#approval()}), {@code shadow} (its
 * {@link AuditRecord#shadow()}, an object {@code {"decision":…,"policies":[…],"errors":[…]}}) and
 * {@code cut} (the names of fields cut to keep the line within {@link #MAX_LINE_BYTES}). Lines
 * without them are exactly the lines of the first release, so old logs verify unchanged.
 *
 * <p>This class is the format's one definition — its constants, the writing of a line and its hash;
 * {@link AuditLineCuts} shortens a line that would be too long and {@link AuditLineParser} reads
 * one back. Stateless and thread-safe.
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
  static final List<String> OPTIONAL_FIELDS =
      List.of("argsSha256", "args", "redacted", "approval", "shadow", "cut");

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
          "traceparent",
          "args",
          "redacted",
          "shadow");

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
  private static final SerializedString ARGS = new SerializedString("args");
  private static final SerializedString REDACTED = new SerializedString("redacted");
  private static final SerializedString APPROVAL = new SerializedString("approval");
  private static final SerializedString BY = new SerializedString("by");
  private static final SerializedString VIA = new SerializedString("via");
  private static final SerializedString SHADOW = new SerializedString("shadow");
  private static final SerializedString ERRORS = new SerializedString("errors");
  private static final SerializedString CUT = new SerializedString("cut");

  private AuditLogFormat() {}

  /**
   * The line (without newline) for {@code r} as record number {@code seq}, every value whole. The
   * sink uses {@link #cutLine} instead when this line would exceed {@link #MAX_LINE_BYTES}.
   */
  static String line(long seq, String prev, AuditRecord r) {
    return line(seq, prev, r, List.of(), List.of());
  }

  /**
   * {@link #line} and a newline in UTF-8, the bytes the sink appends: the same bytes, written by
   * Jackson straight to UTF-8 (the hot path).
   */
  static byte[] lineBytes(long seq, String prev, AuditRecord r, List<String> redacted) {
    return Json.writeUtf8(
        g -> writeLine(g, seq, prev, r, r.arguments(), redacted, List.of()), (byte) '\n');
  }

  /**
   * The line with {@code redacted} (the top-level argument names the sink redacted) when not empty,
   * and a trailing {@code "cut"} array naming {@code cut}, when it is not empty.
   */
  static String line(
      long seq, String prev, AuditRecord r, List<String> redacted, List<String> cut) {
    return line(seq, prev, r, r.arguments(), redacted, cut);
  }

  /** The line with {@code args} (the record's arguments, or their cut text) in its place. */
  static String line(
      long seq, String prev, AuditRecord r, Object args, List<String> redacted, List<String> cut) {
    return Json.write(g -> writeLine(g, seq, prev, r, args, redacted, cut));
  }

  /** Writes the line's object: {@link #FIELDS} in order, then the optional fields with values. */
  private static void writeLine(
      JsonGenerator g,
      long seq,
      String prev,
      AuditRecord r,
      Object args,
      List<String> redacted,
      List<String> cut)
      throws IOException {
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
    if (args != null) {
      g.writeFieldName(ARGS);
      Json.writeValue(g, args); // maps iterate sorted: the canonical form
    }
    if (!redacted.isEmpty()) {
      g.writeFieldName(REDACTED);
      writeStrings(g, redacted);
    }
    if (r.approval() != null) {
      g.writeFieldName(APPROVAL);
      g.writeStartObject();
      g.writeFieldName(BY);
      g.writeString(r.approval().by());
      g.writeFieldName(VIA);
      g.writeString(r.approval().via());
      g.writeEndObject();
    }
    if (r.shadow() != null) {
      g.writeFieldName(SHADOW);
      g.writeStartObject();
      g.writeFieldName(DECISION);
      g.writeString(r.shadow().decision());
      g.writeFieldName(POLICIES);
      writeStrings(g, r.shadow().policies());
      g.writeFieldName(ERRORS);
      writeStrings(g, r.shadow().errors());
      g.writeEndObject();
    }
    if (!cut.isEmpty()) {
      g.writeFieldName(CUT);
      writeStrings(g, cut);
    }
    g.writeEndObject();
  }

  /** The lowercase hex SHA-256 of {@code bytes}. */
  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static void writeStrings(JsonGenerator g, List<String> list) throws IOException {
    g.writeStartArray();
    for (int i = 0; i < list.size(); i++) {
      g.writeString(list.get(i));
    }
    g.writeEndArray();
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
