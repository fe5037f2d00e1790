package io.execauthz.audit;

import io.execauthz.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cutting a record whose line would be too long: the rare path of the sink, apart from {@link
 * AuditLogFormat} so that the format's definition stays readable. A cut value keeps its first
 * characters and a marker with the whole value's length and SHA-256, and the line names it in a
 * trailing {@code cut} array ({@link AuditLineParser} checks both).
 *
 * <p>Stateless and thread-safe.
 */
final class AuditLineCuts {
  private AuditLineCuts() {}

  /**
   * The bytes the sink appends for {@code r} as record {@code seq}: {@link
   * AuditLogFormat#lineBytes} — or, in the rare case that line would exceed {@link
   * AuditLogFormat#MAX_LINE_BYTES}, {@link #cutLine} and a newline, so the record is cut (marked,
   * with hashes) rather than lost.
   */
  static byte[] lineBytesWithin(long seq, String prev, AuditRecord r, List<String> redacted) {
    byte[] bytes = AuditLogFormat.lineBytes(seq, prev, r, redacted);
    if (bytes.length - 1 <= AuditLogFormat.MAX_LINE_BYTES) {
      return bytes;
    }
    return (cutLine(seq, prev, r, redacted) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The line for a record whose {@link AuditLogFormat#line} would exceed {@link
   * AuditLogFormat#MAX_LINE_BYTES}: every field whose JSON form is longer than {@link
   * AuditLogFormat#CUT_FIELD_BYTES} is cut (see {@link #cutString} and {@link #cutList}) and named
   * in a trailing {@code "cut"} array, so the decision is still audited and a reader can tell a cut
   * value from one that merely looks cut (a shadow answer: each of its two lists is cut as a list).
   * Kept arguments that long become a string: the start of their JSON text and the marker. The
   * result is always within the limit: at most thirteen cuttable fields of at most {@code
   * CUT_FIELD_BYTES} each (a cut shadow answer: two cut lists), plus the small fixed ones.
   */
  static String cutLine(long seq, String prev, AuditRecord r, List<String> redacted) {
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
    Object args = r.arguments();
    if (args != null) {
      // kept arguments too long are kept as the start of their JSON text and its hash
      String json = Json.write(args);
      if (jsonBytes(json) > AuditLogFormat.CUT_FIELD_BYTES) {
        cut.add("args");
        args = cutString(json, AuditLogFormat.CUT_KEEP_CHARS);
      }
    }
    redacted = cutIfLong(redacted, "redacted", cut);
    AuditRecord.Shadow shadow = r.shadow();
    if (shadow != null
        && jsonBytes(shadow.policies()) + jsonBytes(shadow.errors())
            > AuditLogFormat.CUT_FIELD_BYTES) {
      cut.add("shadow");
      shadow =
          new AuditRecord.Shadow(
              shadow.permitted(), cutList(shadow.policies()), cutList(shadow.errors()));
    }
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
            r.argsSha256(),
            shadow,
            null,
            r.approval());
    // no cut is only possible if the caller misjudged the length: then there is nothing to name
    return AuditLogFormat.line(seq, prev, shorter, args, redacted, cut);
  }

  private static String cutIfLong(String s, String field, List<String> cut) {
    if (s == null || jsonBytes(s) <= AuditLogFormat.CUT_FIELD_BYTES) {
      return s;
    }
    cut.add(field);
    return cutString(s, AuditLogFormat.CUT_KEEP_CHARS);
  }

  private static List<String> cutIfLong(List<String> list, String field, List<String> cut) {
    if (jsonBytes(list) <= AuditLogFormat.CUT_FIELD_BYTES) {
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
        + AuditLogFormat.CUT_MARK
        + s.length()
        + " chars, sha256 "
        + AuditLogFormat.sha256Hex(s.getBytes(StandardCharsets.UTF_8))
        + "]";
  }

  /**
   * {@code list} with each element over {@link AuditLogFormat#CUT_ELEMENT_CHARS} characters cut as
   * a string, and only as many leading elements as fit in {@code 6 * AuditLogFormat.CUT_KEEP_CHARS}
   * escaped bytes; if any were left out, a last element {@code …[cut: K of N elements, sha256 H]}
   * says how many, H being the lowercase hex SHA-256 of the whole list's JSON array as the log
   * would have written it.
   */
  static List<String> cutList(List<String> list) {
    List<String> out = new ArrayList<>();
    long budget = 6L * AuditLogFormat.CUT_KEEP_CHARS;
    for (String e : list) {
      String kept =
          e.length() > AuditLogFormat.CUT_ELEMENT_CHARS
              ? cutString(e, AuditLogFormat.CUT_ELEMENT_CHARS)
              : e;
      long cost = 6L * kept.length() + 3;
      if (cost > budget) {
        break;
      }
      budget -= cost;
      out.add(kept);
    }
    if (out.size() < list.size()) {
      out.add(
          AuditLogFormat.CUT_MARK
              + (list.size() - out.size())
              + " of "
              + list.size()
              + " elements, sha256 "
              + AuditLogFormat.sha256Hex(Json.write(list).getBytes(StandardCharsets.UTF_8))
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
      if (n > AuditLogFormat.CUT_FIELD_BYTES) {
        return n;
      }
    }
    return n;
  }
}
