package io.execauthz.audit;

import io.execauthz.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of the committed fixture log {@code audit-fixture-v1.jsonl}, written with the sink as
 * it was before records could carry {@code argsSha256} or cut fields. Logs in that form exist in
 * the field; {@link AuditLogFixtureTest} proves they still verify and that the sink still writes
 * such records byte for byte the same.
 */
final class AuditFixtureLog {
  /** The fixture's resource path on the test classpath. */
  static final String RESOURCE = "/io/execauthz/audit-fixture-v1.jsonl";

  /** The number of records in the fixture. */
  static final int SIZE = 40;

  private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  /** Text that has broken JSON writers, line splitters and log viewers. */
  private static final List<String> ODD =
      List.of(
          "quote \" and backslash \\",
          "newline \n carriage return \r tab \t",
          "nul \u0000 bell \u0007 escape \u001b[31m del \u007f",
          "line separators \u2028 and \u2029",
          "bom \ufeff",
          "emoji 😀 and CJK 中文 and é",
          "lone surrogates \ud83d and \ude00",
          "\",\"decision\":\"PERMIT",
          "\\u0000 written as text",
          "");

  private AuditFixtureLog() {}

  /** The fixture's records, deterministic. */
  static List<AuditRecord> records() {
    Reason[] reasons = {
      Reason.OUT_OF_SCOPE,
      Reason.POLICY,
      Reason.REVOKED,
      Reason.COMPLETED,
      Reason.EXPIRED,
      Reason.BUDGET_EXHAUSTED,
      Reason.APPROVAL_REQUIRED,
      Reason.INVALID_GRANT,
      Reason.CLAIMED,
      Reason.HELD,
      Reason.CANCELLED,
      Reason.UNKNOWN_NODE,
      Reason.UNAVAILABLE,
      Reason.ERROR
    };
    List<AuditRecord> out = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      boolean permit = i % 3 == 0;
      String odd = ODD.get(i % ODD.size());
      boolean unknown = i % 13 == 12;
      out.add(
          new AuditRecord(
              Instant.parse("2026-01-01T09:00:00Z").plusMillis(1_234L * i),
              "76647492-" + (i + 1),
              unknown ? List.of() : List.of("session", "research", "reader-" + i),
              unknown ? null : "agent:reader-" + i,
              unknown ? List.of() : List.of("user:alice", "agent:researcher", "agent:reader-" + i),
              i % 4 == 3 ? "file.write" : "tool.call",
              i % 5 == 4 ? "tool:github/" + odd : "tool:github/search_code",
              permit,
              permit ? null : reasons[i % reasons.length],
              permit ? "" : "detail " + i + ": " + odd,
              permit ? List.of("permit-all", "policy-" + i) : List.of(),
              i % 4 == 1 ? "grant-" + i : null,
              i % 2 == 0 ? TRACE : null));
    }
    return out;
  }
}
