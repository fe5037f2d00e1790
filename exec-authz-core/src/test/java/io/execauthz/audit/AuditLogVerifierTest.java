package io.execauthz.audit;

import static io.execauthz.audit.AuditFixtures.bytes;
import static io.execauthz.audit.AuditFixtures.hash;
import static io.execauthz.audit.AuditFixtures.record;
import static io.execauthz.audit.AuditFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.audit.AuditVerification.Status;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AuditLogVerifierTest {
  private static final String ZEROS = "0".repeat(64);

  @TempDir Path dir;

  private Path log;
  private String head;
  private List<byte[]> lines;

  /** Every test starts from an intact log of five records. */
  @BeforeEach
  void writeFiveRecords() throws IOException {
    log = dir.resolve("audit.jsonl");
    head =
        AuditFixtures.writeLog(log, List.of(record(1), record(2), record(3), record(4), record(5)));
    lines = new ArrayList<>(AuditFixtures.lines(log));
  }

  private void rewrite() throws IOException {
    AuditFixtures.writeLines(log, lines);
  }

  private static Map<String, Object> fields(byte[] line) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(text(line));
    return new LinkedHashMap<>(m);
  }

  /** Line {@code number} (1-based) with one field replaced, in the sink's exact form. */
  private byte[] withField(int number, String field, Object value) {
    Map<String, Object> m = fields(lines.get(number - 1));
    m.put(field, value);
    return bytes(Json.write(m));
  }

  private static void assertInvalid(AuditVerification v, long firstBad, String problemStart) {
    assertThat(v.valid()).as(v.toString()).isFalse();
    assertThat(v.firstBadRecord()).as(v.toString()).isEqualTo(firstBad);
    assertThat(v.records()).as(v.toString()).isEqualTo(firstBad - 1);
    assertThat(v.problem()).startsWith(problemStart);
  }

  @Test
  void verify_intactLog_isValid() throws IOException {
    AuditVerification expected = AuditVerification.ok(5, head);
    assertThat(AuditLogVerifier.verify(log)).isEqualTo(expected);
    assertThat(AuditLogVerifier.verify(log, head)).isEqualTo(expected);
    assertThat(head).isEqualTo(hash(lines.get(4)));
  }

  @Test
  void verify_expectedHeadInUppercase_isAccepted() throws IOException {
    assertThat(AuditLogVerifier.verify(log, head.toUpperCase(Locale.ROOT)).valid()).isTrue();
  }

  @Test
  void verify_emptyFile_isValidWithNoRecords() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    AuditVerification expected = AuditVerification.ok(0, ZEROS);
    assertThat(AuditLogVerifier.verify(empty)).isEqualTo(expected);
    assertThat(AuditLogVerifier.verify(empty, ZEROS)).isEqualTo(expected);
  }

  @Test
  void verify_emptyFileWithAnotherHead_isACutTail() throws IOException {
    Files.write(log, new byte[0]);
    AuditVerification v = AuditLogVerifier.verify(log, head);
    assertInvalid(v, 1, "record 1: missing: the log is empty");
    assertThat(v.head()).isEqualTo(ZEROS);
  }

  @Test
  void verify_editedRecord_namesIt() throws IOException {
    lines.set(2, withField(3, "detail", "nothing to see here"));
    rewrite();

    AuditVerification v = AuditLogVerifier.verify(log);
    assertInvalid(v, 4, "record 4: prev hash does not match record 3 (record 3 was changed");
    assertThat(v.head()).isEqualTo(hash(lines.get(2)));
  }

  @Test
  void verify_editedDecision_namesIt() throws IOException {
    Map<String, Object> m = fields(lines.get(0));
    m.put("decision", "PERMIT");
    m.put("reason", null);
    lines.set(0, bytes(Json.write(m)));
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 2, "record 2: prev hash does not match record 1");
  }

  @Test
  void verify_editedLastRecord_isDetectedOnlyWithTheHead() throws IOException {
    lines.set(4, withField(5, "resource", "tool:github/other"));
    rewrite();

    assertThat(AuditLogVerifier.verify(log).valid()).isTrue();
    assertInvalid(
        AuditLogVerifier.verify(log, head),
        6,
        "record 6: missing: the log ends after record 5, whose hash is not the expected head"
            + " (records were cut from the end, or record 5 was changed)");
  }

  @Test
  void verify_editedSeq_namesIt() throws IOException {
    lines.set(2, withField(3, "seq", 7L));
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log),
        3,
        "record 3: seq is 7, expected 3 (a record is missing or records were reordered)");
  }

  @Test
  void verify_editedPrev_namesIt() throws IOException {
    lines.set(1, withField(2, "prev", hash(lines.get(2))));
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 2, "record 2: prev hash does not match record 1");
  }

  @Test
  void verify_insertedCopy_namesIt() throws IOException {
    lines.add(3, lines.get(1));
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log),
        4,
        "record 4: seq is 2, expected 4 (a record was repeated or records were reordered)");
  }

  @Test
  void verify_duplicatedRecord_namesTheRepeat() throws IOException {
    lines.add(2, lines.get(2));
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 4, "record 4: seq is 3, expected 4");
  }

  @Test
  void verify_insertedRecordWithValidLinks_isCaughtAtTheNextRecord() throws IOException {
    // A forger who computes seq and prev correctly for the new record still breaks the record
    // after it, which has the old seq and links to the old predecessor.
    String forged = AuditLogFormat.line(3, hash(lines.get(1)), record(42));
    lines.add(2, bytes(forged));
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 4, "record 4: seq is 3, expected 4");
  }

  @Test
  void verify_recordAppendedByAForger_isDetectedOnlyWithTheHead() throws IOException {
    lines.add(bytes(AuditLogFormat.line(6, head, record(6))));
    rewrite();

    assertThat(AuditLogVerifier.verify(log).valid()).isTrue();
    assertInvalid(AuditLogVerifier.verify(log, head), 7, "record 7: missing");
  }

  @Test
  void verify_deletedRecord_namesIt() throws IOException {
    lines.remove(2);
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log),
        3,
        "record 3: seq is 4, expected 3 (a record is missing or records were reordered)");
  }

  @Test
  void verify_deletedFirstRecord_namesRecordOne() throws IOException {
    lines.remove(0);
    rewrite();

    AuditVerification v = AuditLogVerifier.verify(log);
    assertInvalid(
        v, 1, "record 1: seq is 2, expected 1 (the log does not start at its first record)");
    assertThat(v.head()).isEqualTo(ZEROS);
  }

  @Test
  void verify_firstRecordNotLinkedToZeros_namesRecordOne() throws IOException {
    lines.set(0, withField(1, "prev", "f".repeat(64)));
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 1, "record 1: prev hash is not 64 zeros");
  }

  @Test
  void verify_reorderedRecords_namesTheFirstMovedOne() throws IOException {
    byte[] second = lines.get(1);
    lines.set(1, lines.get(3));
    lines.set(3, second);
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log),
        2,
        "record 2: seq is 4, expected 2 (a record is missing or records were reordered)");
  }

  @Test
  void verify_cutTail_isDetectedOnlyWithTheHead() throws IOException {
    lines.subList(3, 5).clear();
    rewrite();

    assertThat(AuditLogVerifier.verify(log)).isEqualTo(AuditVerification.ok(3, hash(lines.get(2))));
    AuditVerification v = AuditLogVerifier.verify(log, head);
    assertInvalid(v, 4, "record 4: missing: the log ends after record 3");
    assertThat(v.head()).isEqualTo(hash(lines.get(2)));
  }

  @Test
  void verify_tornLastLine_isIncompleteNotTampered() throws IOException {
    byte[] all = AuditFixtures.join(lines);
    Files.write(log, Arrays.copyOf(all, all.length - 10));

    AuditVerification v = AuditLogVerifier.verify(log, hash(lines.get(3)));

    assertInvalid(v, 5, "record 5: incomplete last line (no trailing newline): a write cut short");
    assertThat(v.status()).isEqualTo(Status.INCOMPLETE);
    assertThat(v.records()).isEqualTo(4);
    assertThat(v.head()).isEqualTo(hash(lines.get(3)));
  }

  @Test
  void verify_tornAfterAFewBytes_isIncomplete() throws IOException {
    byte[] all = AuditFixtures.join(lines.subList(0, 4));
    byte[] torn = Arrays.copyOf(lines.get(4), 7); // {"seq":
    Files.write(log, AuditFixtures.concat(all, torn));

    AuditVerification v = AuditLogVerifier.verify(log);

    assertThat(v.status()).isEqualTo(Status.INCOMPLETE);
    assertThat(v.firstBadRecord()).isEqualTo(5);
  }

  @Test
  void verify_zerosAfterAPowerLoss_areIncomplete() throws IOException {
    Files.write(log, AuditFixtures.concat(AuditFixtures.join(lines), new byte[300]));

    AuditVerification v = AuditLogVerifier.verify(log);

    assertThat(v.status()).isEqualTo(Status.INCOMPLETE);
    assertThat(v.records()).isEqualTo(5);
  }

  @Test
  void verify_missingFinalNewline_isIncomplete() throws IOException {
    byte[] all = AuditFixtures.join(lines);
    Files.write(log, Arrays.copyOf(all, all.length - 1));

    AuditVerification v = AuditLogVerifier.verify(log);

    assertInvalid(v, 5, "record 5: incomplete last line");
    assertThat(v.status()).isEqualTo(Status.INCOMPLETE);
  }

  @Test
  void verify_tornLineThatIsNotTheNextRecord_isTampered() throws IOException {
    // an unterminated line that starts like record 5 but links to another head: an edit
    String fifth = text(lines.get(4));
    byte[] edited = bytes(fifth.replace(hash(lines.get(3)), hash(lines.get(2))));
    Files.write(
        log,
        AuditFixtures.concat(
            AuditFixtures.join(lines.subList(0, 4)), Arrays.copyOf(edited, edited.length - 5)));

    AuditVerification v = AuditLogVerifier.verify(log);

    assertInvalid(v, 5, "record 5: incomplete last line (no trailing newline) that is not");
    assertThat(v.status()).isEqualTo(Status.TAMPERED);
  }

  @Test
  void verify_tornLineButCutBeforeIt_isTamperedWithTheHead() throws IOException {
    byte[] all = AuditFixtures.join(lines);
    Files.write(log, Arrays.copyOf(all, all.length - 10));

    AuditVerification v = AuditLogVerifier.verify(log, hash(lines.get(4)));

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem()).startsWith("record 5: missing");
  }

  @Test
  void verify_editedMiddleRecord_isTampered() throws IOException {
    lines.set(2, bytes(text(lines.get(2)).replace("issue-3", "issue-4")));
    rewrite();

    AuditVerification v = AuditLogVerifier.verify(log);

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.firstBadRecord()).isEqualTo(4);
  }

  @Test
  void verify_malformedLine_namesIt() throws IOException {
    lines.set(2, bytes("{\"seq\":3,"));
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log),
        3,
        "record 3: malformed line: malformed JSON: Unexpected end-of-input within/between Object"
            + " entries at offset 9");
  }

  @Test
  void verify_blankLine_namesIt() throws IOException {
    lines.add(2, new byte[0]);
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 3, "record 3: malformed line: empty line");
  }

  @Test
  void verify_invalidUtf8_namesIt() throws IOException {
    byte[] line = lines.get(1).clone();
    line[line.length - 3] = (byte) 0xff;
    lines.set(1, line);
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 2, "record 2: malformed line: not valid UTF-8");
  }

  @Test
  void verify_fieldsOutOfOrder_isMalformed() throws IOException {
    Map<String, Object> m = fields(lines.get(1));
    Object action = m.remove("action");
    m.put("action", action);
    lines.set(1, bytes(Json.write(m)));
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log), 2, "record 2: malformed line: field 8 must be \"action\"");
  }

  @Test
  void verify_permitWithAReason_isMalformed() throws IOException {
    lines.set(1, withField(2, "reason", "POLICY")); // record 2 is a permit
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log),
        2,
        "record 2: malformed line: \"reason\" must be null for a PERMIT");
  }

  @Test
  void verify_extraWhitespace_isMalformed() throws IOException {
    lines.set(4, bytes(text(lines.get(4)).replace("\"seq\":5", "\"seq\": 5")));
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log), 5, "record 5: malformed line: not in the exact form");
  }

  @Test
  void verify_equivalentEscape_isMalformed() throws IOException {
    lines.set(4, bytes(text(lines.get(4)).replace("tool.call", "tool\\u002ecall")));
    rewrite();

    assertInvalid(
        AuditLogVerifier.verify(log), 5, "record 5: malformed line: not in the exact form");
  }

  @Test
  void verify_lineOverTheLimit_isNamedWithoutReadingItAll() throws IOException {
    lines.set(1, new byte[AuditLogFormat.MAX_LINE_BYTES + 1]);
    rewrite();

    assertInvalid(AuditLogVerifier.verify(log), 2, "record 2: line is longer than 1048576 bytes");
  }

  @Test
  void verify_malformedExpectedHead_isRefused() {
    assertThatThrownBy(() -> AuditLogVerifier.verify(log, "abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> AuditLogVerifier.verify(log, "g".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-hex");
  }

  @Test
  void verify_missingFile_throwsNoSuchFile() {
    assertThatThrownBy(() -> AuditLogVerifier.verify(dir.resolve("absent.jsonl")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void auditVerification_inconsistentValues_areRefused() {
    assertThatThrownBy(() -> new AuditVerification(Status.OK, 1, 1, "", ZEROS, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuditVerification(Status.TAMPERED, 1, 0, "x", ZEROS, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuditVerification(Status.INCOMPLETE, 1, 2, " ", ZEROS, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuditVerification(Status.OK, 1, 0, "", ZEROS, -1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditVerification.ok(0, "00"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
