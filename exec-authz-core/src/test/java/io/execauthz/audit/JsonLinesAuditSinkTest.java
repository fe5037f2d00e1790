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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JsonLinesAuditSinkTest {
  private static final String ZEROS = "0".repeat(64);

  @TempDir Path dir;

  private Path log() {
    return dir.resolve("audit.jsonl");
  }

  @Test
  void record_writesOneLineWithTheFieldsInOrder() throws IOException {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      sink.record(record(1));
    }
    assertThat(Files.readString(log()))
        .isEqualTo(
            "{\"seq\":1,\"prev\":\""
                + ZEROS
                + "\",\"time\":\"2023-11-14T22:13:21Z\",\"decisionId\":\"d-1\","
                + "\"path\":[\"root\",\"batch-1\"],\"principal\":\"agent-1\","
                + "\"delegators\":[\"user:alice\",\"agent-1\"],\"action\":\"tool.call\","
                + "\"resource\":\"tool:github/issue-1\",\"decision\":\"DENY\","
                + "\"reason\":\"OUT_OF_SCOPE\","
                + "\"detail\":\"tool:github/issue-1 is not in the node's capabilities\","
                + "\"policies\":[],\"grant\":null,"
                + "\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}\n");
  }

  @Test
  void record_permit_hasNullReasonAndNullableFields() throws IOException {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      sink.record(
          new AuditRecord(
              Instant.parse("2024-01-02T03:04:05.123456789Z"),
              "d",
              List.of(),
              null,
              List.of(),
              "fs.read",
              "fs:/repo/README.md",
              true,
              null,
              "",
              List.of("p1", "p2"),
              null,
              null));
    }
    Map<?, ?> line = (Map<?, ?>) Json.parse(text(lines(log()).get(0)));
    assertThat(List.copyOf(line.keySet())).isEqualTo(AuditLogFormat.FIELDS);
    assertThat(line.get("time")).isEqualTo("2024-01-02T03:04:05.123456789Z");
    assertThat(line.get("principal")).isNull();
    assertThat(line.get("decision")).isEqualTo("PERMIT");
    assertThat(line.get("reason")).isNull();
    assertThat(line.get("detail")).isEqualTo("");
    assertThat(line.get("policies")).isEqualTo(List.of("p1", "p2"));
    assertThat(line.get("grant")).isNull();
    assertThat(line.get("traceparent")).isNull();
  }

  @Test
  void record_chainsEachLineToTheHashOfThePreviousOne() throws IOException {
    String head;
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      assertThat(sink.head()).isEqualTo(ZEROS);
      for (int i = 1; i <= 3; i++) {
        sink.record(record(i));
      }
      head = sink.head();
    }
    List<byte[]> lines = lines(log());
    assertThat(lines).hasSize(3);
    String prev = ZEROS;
    for (int i = 0; i < 3; i++) {
      Map<?, ?> line = (Map<?, ?>) Json.parse(text(lines.get(i)));
      assertThat(line.get("seq")).isEqualTo(i + 1L);
      assertThat(line.get("prev")).isEqualTo(prev);
      prev = hash(lines.get(i));
    }
    assertThat(head).isEqualTo(prev).matches("[0-9a-f]{64}");
  }

  @Test
  void record_hostileStrings_stayOnOneLineAndRoundTrip() throws IOException {
    String hostile = "\"},\n{\"seq\":99,\r\"x\\\":\u2028\u2029\u0000\u001b[0m\u007f😀\ud800é中";
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      sink.record(
          new AuditRecord(
              Instant.EPOCH,
              hostile,
              List.of(hostile, ""),
              hostile,
              List.of(hostile),
              hostile,
              hostile,
              false,
              Reason.POLICY,
              hostile,
              List.of(hostile),
              hostile,
              hostile));
    }
    List<byte[]> lines = lines(log());
    assertThat(lines).hasSize(1);
    String line = text(lines.get(0));
    assertThat(line).doesNotContain("\r", "\u2028", "\u2029", "\u0000");
    Map<?, ?> parsed = (Map<?, ?>) Json.parse(line);
    for (String field :
        List.of(
            "decisionId", "principal", "action", "resource", "detail", "grant", "traceparent")) {
      assertThat(parsed.get(field)).as(field).isEqualTo(hostile);
    }
    assertThat(parsed.get("path")).isEqualTo(List.of(hostile, ""));
    assertThat(parsed.get("delegators")).isEqualTo(List.of(hostile));
    assertThat(parsed.get("policies")).isEqualTo(List.of(hostile));
    assertThat(AuditLogVerifier.verify(log()).valid()).isTrue();
  }

  @Test
  void build_existingLog_continuesTheChain() throws IOException {
    String head = AuditFixtures.writeLog(log(), List.of(record(1), record(2), record(3)));
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      assertThat(sink.head()).isEqualTo(head);
      sink.record(record(4));
      sink.record(record(5));
      head = sink.head();
    }
    List<byte[]> lines = lines(log());
    Map<?, ?> fourth = (Map<?, ?>) Json.parse(text(lines.get(3)));
    assertThat(fourth.get("seq")).isEqualTo(4L);
    assertThat(fourth.get("prev")).isEqualTo(hash(lines.get(2)));
    assertThat(AuditLogVerifier.verify(log(), head)).isEqualTo(AuditVerification.ok(5, head));
  }

  @Test
  void build_existingEmptyFile_startsAtTheFirstRecord() throws IOException {
    Files.createFile(log());
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      assertThat(sink.head()).isEqualTo(ZEROS);
      sink.record(record(1));
    }
    assertThat(AuditLogVerifier.verify(log()).records()).isEqualTo(1);
  }

  @Test
  void build_incompleteLastLine_isRefusedAndTheFileIsUntouched() throws IOException {
    AuditFixtures.writeLog(log(), List.of(record(1), record(2)));
    Files.write(log(), bytes("{\"seq\":3,\"prev\":\""), StandardOpenOption.APPEND);
    byte[] before = Files.readAllBytes(log());

    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(log().toString())
        .hasMessageContaining("line 3 is incomplete");
    assertThat(Files.readAllBytes(log())).isEqualTo(before);
  }

  @Test
  void build_lastLineNotARecord_isRefusedNamingFileAndLine() throws IOException {
    AuditFixtures.writeLog(log(), List.of(record(1), record(2)));
    Files.write(log(), bytes("not json\n"), StandardOpenOption.APPEND);
    byte[] before = Files.readAllBytes(log());

    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(log().toString())
        .hasMessageContaining("line 3 is not an audit record")
        .hasMessageContaining("malformed JSON");
    assertThat(Files.readAllBytes(log())).isEqualTo(before);
  }

  @Test
  void build_trailingBlankLine_isRefused() throws IOException {
    AuditFixtures.writeLog(log(), List.of(record(1)));
    Files.write(log(), bytes("\n"), StandardOpenOption.APPEND);

    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("line 2 is not an audit record (empty line)");
  }

  @Test
  void build_fileAlreadyOpenByAnotherSink_isRefused() throws IOException {
    try (JsonLinesAuditSink first = JsonLinesAuditSink.newBuilder(log()).build()) {
      first.record(record(1));
      assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).build())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("already open by another audit sink");
      first.record(record(2));
    }
    try (JsonLinesAuditSink again = JsonLinesAuditSink.newBuilder(log()).build()) {
      again.record(record(3));
    }
    assertThat(AuditLogVerifier.verify(log()).records()).isEqualTo(3);
  }

  @Test
  void record_fromFourThreads_keepsOneValidChain() throws Exception {
    int threads = 4;
    int perThread = 500;
    String head;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    sink.record(record(base + i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
      head = sink.head();
    } finally {
      pool.shutdownNow();
    }

    AuditVerification v = AuditLogVerifier.verify(log(), head);
    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(threads * perThread);
    Set<Object> ids = new HashSet<>();
    for (byte[] line : lines(log())) {
      ids.add(((Map<?, ?>) Json.parse(text(line))).get("decisionId"));
    }
    assertThat(ids).hasSize(threads * perThread);
  }

  @Test
  void record_afterClose_throwsIllegalState() throws IOException {
    JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build();
    sink.record(record(1));
    String head = sink.head();
    sink.close();

    assertThatThrownBy(() -> sink.record(record(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(sink.head()).isEqualTo(head);
    assertThat(lines(log())).hasSize(1);
  }

  @Test
  void close_twice_isHarmless() throws IOException {
    JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build();
    sink.close();
    sink.close();
    assertThat(Files.size(log())).isZero();
  }

  @Test
  void record_null_isRefused() throws IOException {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      assertThatThrownBy(() -> sink.record(null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void record_lineOverTheLimit_isWrittenCutAndTheLogStaysValid() throws IOException {
    String huge = "x".repeat(AuditLogFormat.MAX_LINE_BYTES);
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      sink.record(record(1));
      AuditRecord tooBig =
          new AuditRecord(
              Instant.EPOCH,
              "big",
              List.of(),
              null,
              List.of(),
              "a",
              "r",
              false,
              Reason.ERROR,
              huge,
              List.of(),
              null,
              null);
      sink.record(tooBig);
      sink.record(record(2));
    }
    assertThat(AuditLogVerifier.verify(log()).records()).isEqualTo(3);
    byte[] line = lines(log()).get(1);
    assertThat(line.length).isLessThanOrEqualTo(AuditLogFormat.MAX_LINE_BYTES);
    Map<?, ?> m = (Map<?, ?>) Json.parse(text(line));
    assertThat(m.get("cut")).isEqualTo(List.of("detail"));
    assertThat((String) m.get("detail"))
        .startsWith("x".repeat(AuditLogFormat.CUT_KEEP_CHARS))
        .endsWith("\u2026[cut: " + huge.length() + " chars, sha256 " + hash(bytes(huge)) + "]");
  }

  @Test
  void fsync_enabled_writesAValidLog() throws IOException {
    String head;
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).fsync(true).build()) {
      for (int i = 1; i <= 3; i++) {
        sink.record(record(i));
      }
      head = sink.head();
    }
    assertThat(AuditLogVerifier.verify(log(), head).valid()).isTrue();
  }

  @Test
  void newBuilder_fsyncSetTwice_throwsNamingTheOption() {
    JsonLinesAuditSink.Builder builder = JsonLinesAuditSink.newBuilder(log()).fsync(false);
    assertThatThrownBy(() -> builder.fsync(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fsync");
  }

  @Test
  void newBuilder_nullFile_isRefused() {
    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("file");
  }
}
