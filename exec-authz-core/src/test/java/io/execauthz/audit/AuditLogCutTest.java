package io.execauthz.audit;

import static io.execauthz.audit.AuditFixtures.bytes;
import static io.execauthz.audit.AuditFixtures.hash;
import static io.execauthz.audit.AuditFixtures.lines;
import static io.execauthz.audit.AuditFixtures.record;
import static io.execauthz.audit.AuditFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.Reason;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every decision is audited, however large (issue 10): oversized fields are cut with a marker and
 * the SHA-256 of the whole value, never dropped; records can carry the SHA-256 of the call's
 * canonical arguments.
 */
final class AuditLogCutTest {
  private static final String ARGS = "ab".repeat(32);

  @TempDir Path dir;

  private Path log() {
    return dir.resolve("audit.jsonl");
  }

  private static AuditRecord deny(
      String decisionId,
      List<String> path,
      String principal,
      List<String> delegators,
      String action,
      String resource,
      String detail,
      List<String> policies,
      String grant,
      String traceparent) {
    return new AuditRecord(
        Instant.parse("2026-01-01T00:00:00Z"),
        decisionId,
        path,
        principal,
        delegators,
        action,
        resource,
        false,
        Reason.OUT_OF_SCOPE,
        detail,
        policies,
        grant,
        traceparent,
        ARGS);
  }

  /** Writes the records, checks the log verifies, and returns each line as a parsed map. */
  private List<Map<?, ?>> writeAndRead(AuditRecord... records) throws IOException {
    String head = AuditFixtures.writeLog(log(), List.of(records));
    AuditVerification v = AuditLogVerifier.verify(log(), head);
    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(records.length);
    List<Map<?, ?>> out = new ArrayList<>();
    for (byte[] line : lines(log())) {
      assertThat(line.length).isLessThanOrEqualTo(AuditLogFormat.MAX_LINE_BYTES);
      out.add((Map<?, ?>) Json.parse(text(line)));
    }
    return out;
  }

  private static String marker(String whole) {
    return "\u2026[cut: " + whole.length() + " chars, sha256 " + hash(bytes(whole)) + "]";
  }

  @Test
  void record_hugeResource_isWrittenCutWithTheHashOfTheWholeValue() throws IOException {
    String resource = "tool:github/" + "a".repeat(2 << 20);

    Map<?, ?> m =
        writeAndRead(
                deny(
                    "d", List.of("n"), "p", List.of("p"), "a", resource, "", List.of(), null, null))
            .get(0);

    assertThat((String) m.get("resource"))
        .isEqualTo(resource.substring(0, AuditLogFormat.CUT_KEEP_CHARS) + marker(resource));
    assertThat(m.get("cut")).isEqualTo(List.of("resource"));
    assertThat(m.get("argsSha256")).isEqualTo(ARGS);
    assertThat(m.get("decision")).isEqualTo("DENY");
  }

  @Test
  void record_everyFieldHugeAndHostile_fitsTheLimitAndNamesEveryCutField() throws IOException {
    // U+0001 escapes to six bytes: the worst case for the kept prefix.
    String h = "\u0001".repeat(300_000);
    List<String> many = Collections.nCopies(50_000, "\u0001\"x");

    Map<String, Object> args = new java.util.HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      args.put("\u0001k" + i, Map.of("token", h.substring(0, 10)));
    }
    AuditRecord rec =
        deny(h, many, h, many, h, h, h, many, h, h)
            .withShadow(new AuditRecord.Shadow(false, many, many))
            .withArguments(args);
    String head;
    try (JsonLinesAuditSink sink =
        JsonLinesAuditSink.newBuilder(log()).keepArguments(true).redact("token").build()) {
      sink.record(rec);
      head = sink.head();
    }
    AuditVerification v = AuditLogVerifier.verify(log(), head);
    assertThat(v.valid()).as(v.problem()).isTrue();
    byte[] line = lines(log()).get(0);
    assertThat(line.length).isLessThanOrEqualTo(AuditLogFormat.MAX_LINE_BYTES);
    Map<?, ?> m = (Map<?, ?>) Json.parse(text(line));

    assertThat(m.get("cut")).isEqualTo(AuditLogFormat.CUTTABLE);
    assertThat((String) m.get("args")).startsWith("{\"\\u0001k0\":{\"token\":\"[redacted]\"}");
    assertThat((List<?>) m.get("redacted")).last().asString().contains("of 20000 elements");
    Map<?, ?> shadow = (Map<?, ?>) m.get("shadow");
    assertThat((List<?>) shadow.get("errors")).last().asString().contains("of 50000 elements");
    for (String field : List.of("decisionId", "principal", "action", "resource", "detail")) {
      assertThat((String) m.get(field)).as(field).endsWith(marker(h));
    }
    List<?> path = (List<?>) m.get("path");
    assertThat((String) path.get(path.size() - 1))
        .matches("\u2026\\[cut: [0-9]+ of 50000 elements, sha256 [0-9a-f]{64}\\]");
    assertThat(path.subList(0, path.size() - 1)).allMatch("\u0001\"x"::equals).isNotEmpty();
  }

  @Test
  void record_longListElement_isCutInsideTheList() throws IOException {
    String big = "e".repeat(1 << 21);

    Map<?, ?> m =
        writeAndRead(
                deny(
                    "d", List.of("root", big), "p", List.of(), "a", "r", "", List.of(), null, null))
            .get(0);

    assertThat(m.get("cut")).isEqualTo(List.of("path"));
    assertThat(m.get("path"))
        .isEqualTo(
            List.of("root", big.substring(0, AuditLogFormat.CUT_ELEMENT_CHARS) + marker(big)));
  }

  @Test
  void record_surrogatePairAtTheCut_isNotSplit() {
    String s = "x".repeat(AuditLogFormat.CUT_KEEP_CHARS - 1) + "😀" + "y".repeat(10);

    String cut = AuditLineCuts.cutString(s, AuditLogFormat.CUT_KEEP_CHARS);

    assertThat(cut).startsWith("x".repeat(AuditLogFormat.CUT_KEEP_CHARS - 1) + "\u2026[cut: ");
  }

  @Test
  void record_largeFieldInALineUnderTheLimit_isKeptWhole() throws IOException {
    String detail = "d".repeat(AuditLogFormat.MAX_LINE_BYTES - 1_000);

    Map<?, ?> m =
        writeAndRead(deny("d", List.of(), null, List.of(), "a", "r", detail, List.of(), null, null))
            .get(0);

    assertThat(m.get("detail")).isEqualTo(detail);
    assertThat(m.containsKey("cut")).isFalse();
  }

  @Test
  void record_valueThatLooksCut_isDataNotACut() throws IOException {
    String fake = "ok" + marker("something else");

    Map<?, ?> m =
        writeAndRead(deny("d", List.of(), null, List.of(), "a", fake, "", List.of(), null, null))
            .get(0);

    assertThat(m.get("resource")).isEqualTo(fake);
    assertThat(m.containsKey("cut")).isFalse();
  }

  @Test
  void record_withoutArgsHash_hasNoArgsField_andMixesWithRecordsThatHaveIt() throws IOException {
    List<Map<?, ?>> ms = writeAndRead(record(1), record(2).withArgsSha256(ARGS.toUpperCase()));

    assertThat(ms.get(0).containsKey("argsSha256")).isFalse();
    assertThat(ms.get(1).get("argsSha256")).isEqualTo(ARGS);
    assertThat(List.copyOf(ms.get(1).keySet()).get(15)).isEqualTo("argsSha256");
  }

  @Test
  void auditRecord_argsHashNotHex_isRefused() {
    assertThatThrownBy(() -> record(1).withArgsSha256("xyz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argsSha256");
  }

  private AuditVerification verifyWithLastLine(String edit) throws IOException {
    AuditFixtures.writeLog(log(), List.of(record(1), record(2)));
    List<byte[]> lines = lines(log());
    String last = text(lines.get(1));
    lines.set(1, bytes(last.substring(0, last.length() - 1) + edit + "}"));
    AuditFixtures.writeLines(log(), lines);
    return AuditLogVerifier.verify(log());
  }

  @Test
  void verify_cutNamingAFieldWithoutMarker_isMalformed() throws IOException {
    AuditVerification v = verifyWithLastLine(",\"cut\":[\"resource\"]");

    assertThat(v.valid()).isFalse();
    assertThat(v.problem()).contains("record 2: malformed line").contains("no cut marker");
  }

  @Test
  void verify_cutFieldsOutOfOrder_isMalformed() throws IOException {
    AuditVerification v = verifyWithLastLine(",\"cut\":[\"resource\",\"action\"]");

    assertThat(v.valid()).isFalse();
    assertThat(v.problem()).contains("each once, in that order");
  }

  @Test
  void verify_unknownTrailingField_isMalformed() throws IOException {
    AuditVerification v = verifyWithLastLine(",\"extra\":1");

    assertThat(v.valid()).isFalse();
    assertThat(v.problem())
        .contains("only argsSha256, args, redacted, approval, shadow, cut may follow");
  }

  @Test
  void verify_argsHashInUppercase_isMalformed() throws IOException {
    AuditVerification v = verifyWithLastLine(",\"argsSha256\":\"" + ARGS.toUpperCase() + "\"");

    assertThat(v.valid()).isFalse();
    assertThat(v.problem()).contains("\"argsSha256\" must be 64 lowercase hex digits");
  }

  @Test
  void verify_optionalFieldsSwapped_isMalformed() throws IOException {
    AuditVerification v =
        verifyWithLastLine(",\"cut\":[\"detail\"],\"argsSha256\":\"" + ARGS + "\"");

    assertThat(v.valid()).isFalse();
    assertThat(v.problem()).contains("in that order");
  }
}
