package io.execauthz.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs written before a format change must verify after it: the committed fixture {@code
 * audit-fixture-v1.jsonl} was written by the sink of the first release and is checked here against
 * today's verifier and sink.
 */
final class AuditLogFixtureTest {
  /** The head the fixture's writer returned when it closed the log. */
  private static final String FIXTURE_HEAD =
      "2538ae9b3122e0180158c127638c3b159e607467b21830c1dc8392fc63dec688";

  @TempDir Path dir;

  private Path copyOfFixture() throws IOException {
    Path file = dir.resolve("fixture.jsonl");
    try (InputStream in = AuditLogFixtureTest.class.getResourceAsStream(AuditFixtureLog.RESOURCE)) {
      assertThat(in).as("fixture %s on the test classpath", AuditFixtureLog.RESOURCE).isNotNull();
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void verify_fixtureWrittenByTheFirstRelease_isIntactWithItsHead() throws IOException {
    Path file = copyOfFixture();

    AuditVerification v = AuditLogVerifier.verify(file, FIXTURE_HEAD);

    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(AuditFixtureLog.SIZE);
    assertThat(v.head()).isEqualTo(FIXTURE_HEAD);
  }

  @Test
  void record_sameRecordsToday_writesTheFixtureByteForByte() throws IOException {
    Path fixture = copyOfFixture();
    Path today = dir.resolve("today.jsonl");

    String head = AuditFixtures.writeLog(today, AuditFixtureLog.records());

    assertThat(head).isEqualTo(FIXTURE_HEAD);
    assertThat(Files.readAllBytes(today)).isEqualTo(Files.readAllBytes(fixture));
  }

  @Test
  void build_onTheFixture_continuesItsChain() throws IOException {
    Path file = copyOfFixture();

    String head = AuditFixtures.writeLog(file, List.of(AuditFixtures.record(1)));

    AuditVerification v = AuditLogVerifier.verify(file, head);
    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(AuditFixtureLog.SIZE + 1);
  }

  @Test
  void verify_fixtureWithAnEditedMiddleRecord_isTampered() throws IOException {
    Path file = copyOfFixture();
    List<byte[]> lines = AuditFixtures.lines(file);
    lines.set(
        19,
        AuditFixtures.bytes(
            AuditFixtures.text(lines.get(19))
                .replace("\"DENY\"", "\"PERMIT\"")
                .replaceFirst("\"reason\":\"[A-Z_]+\"", "\"reason\":null")));
    AuditFixtures.writeLines(file, lines);

    AuditVerification v = AuditLogVerifier.verify(file, FIXTURE_HEAD);

    assertThat(v.valid()).isFalse();
    assertThat(v.firstBadRecord()).isEqualTo(21);
  }
}
