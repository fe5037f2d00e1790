package io.execauthz.audit;

import static io.execauthz.audit.AuditFixtures.bytes;
import static io.execauthz.audit.AuditFixtures.hash;
import static io.execauthz.audit.AuditFixtures.lines;
import static io.execauthz.audit.AuditFixtures.record;
import static io.execauthz.audit.AuditFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.audit.AuditVerification.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints (issue 10): the sink signs its head into a sidecar file, and the verifier
 * holding only the public key detects a cut tail and a rewritten log — the attacks a hash chain
 * alone cannot show without a head kept elsewhere.
 */
final class AuditCheckpointTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T09:00:00Z"), ZoneOffset.UTC);
  private static final AuditSigningKey KEY = AuditSigningKey.generate("audit-1");
  private static final AuditTrustedKeys TRUSTED =
      AuditTrustedKeys.of(Map.of("audit-1", KEY.publicKey()));

  @TempDir Path dir;

  private Path log() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  private JsonLinesAuditSink.Builder signing(AuditSigningKey key, int every) {
    return JsonLinesAuditSink.newBuilder(log())
        .checkpoints(key)
        .checkpointEveryRecords(every)
        .clock(CLOCK);
  }

  /** Writes records 1..n with a sink signing every {@code every} records, and closes it. */
  private String write(int n, int every) throws IOException {
    try (JsonLinesAuditSink sink = signing(KEY, every).build()) {
      for (int i = 1; i <= n; i++) {
        sink.record(record(i));
      }
      return sink.head();
    }
  }

  private AuditVerification verify() throws IOException {
    return AuditLogVerifier.verify(log(), checkpoints(), TRUSTED);
  }

  private List<String> checkpointLines() throws IOException {
    return Files.readAllLines(checkpoints(), StandardCharsets.US_ASCII);
  }

  private static Map<?, ?> payload(String jws) {
    String p = jws.split("\\.")[1];
    return (Map<?, ?>)
        io.execauthz.internal.Json.parse(
            new String(Base64.getUrlDecoder().decode(p), StandardCharsets.UTF_8));
  }

  /** The given payload member of every checkpoint, in file order. */
  private List<Object> signed(String member) throws IOException {
    List<Object> out = new ArrayList<>();
    for (String c : checkpointLines()) {
      out.add(payload(c).get(member));
    }
    return out;
  }

  @Test
  void sink_signsAtOpenEveryNRecordsAndAtClose() throws IOException {
    String head = write(7, 3);

    List<String> cps = checkpointLines();
    assertThat(signed("seq")).containsExactly(0L, 3L, 6L, 7L);
    assertThat(payload(cps.get(3)).get("head")).isEqualTo(head);
    assertThat(payload(cps.get(3)).get("time")).isEqualTo("2026-01-01T09:00:00Z");
    AuditVerification v = verify();
    assertThat(v).isEqualTo(new AuditVerification(Status.OK, 7, 0, "", head, 4, 7));
  }

  @Test
  void verify_cutTail_isTamperedWithoutAHead() throws IOException {
    write(10, 5);
    List<byte[]> lines = lines(log());
    AuditFixtures.writeLines(log(), lines.subList(0, 8));

    assertThat(AuditLogVerifier.verify(log()).valid()).as("the chain alone cannot tell").isTrue();
    AuditVerification v = verify();
    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.firstBadRecord()).isEqualTo(9);
    assertThat(v.problem())
        .startsWith("record 9: missing: signed checkpoint 3")
        .contains("covers 10 records, but the log ends after 8");
  }

  @Test
  void verify_tailCutInsideALineBelowACheckpoint_isTamperedNotIncomplete() throws IOException {
    write(6, 100);
    byte[] all = Files.readAllBytes(log());
    Files.write(log(), java.util.Arrays.copyOf(all, all.length - 20));

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem()).contains("covers 6 records, but the log ends after 5");
  }

  @Test
  void verify_logRewrittenAndRechainedFromScratch_isTampered() throws IOException {
    write(6, 2);
    // The attacker rewrites record 3 and re-chains every line after it: the chain is intact.
    List<AuditRecord> forged = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      forged.add(i == 3 ? record(4) : record(i));
    }
    Files.delete(log());
    AuditFixtures.writeLog(log(), forged);
    assertThat(AuditLogVerifier.verify(log()).valid()).as("the chain alone cannot tell").isTrue();

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.firstBadRecord()).isEqualTo(4);
    assertThat(v.problem())
        .startsWith("record 4: does not match signed checkpoint 3")
        .endsWith("the log was rewritten");
    assertThat(v.checkpoints()).isEqualTo(2);
    assertThat(v.signedRecords()).isEqualTo(2);
  }

  @Test
  void verify_editedMiddleRecord_isTampered() throws IOException {
    write(6, 2);
    List<byte[]> lines = lines(log());
    lines.set(2, bytes(text(lines.get(2)).replace("issue-3", "issue-9")));
    AuditFixtures.writeLines(log(), lines);

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.firstBadRecord()).isEqualTo(4); // record 4's prev no longer matches
  }

  @Test
  void verify_tornLastLineAfterTheLastCheckpoint_isIncomplete() throws IOException {
    String head = write(4, 2);
    byte[] torn = bytes("{\"seq\":5,\"prev\":\"" + head + "\",\"time\":\"2026-01-01T0");
    Files.write(log(), AuditFixtures.concat(Files.readAllBytes(log()), torn));

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.INCOMPLETE);
    assertThat(v.records()).isEqualTo(4);
    assertThat(v.signedRecords()).isEqualTo(4);
    assertThat(v.problem()).startsWith("record 5: incomplete last line");
  }

  @Test
  void verify_forgedCheckpointSignature_isTampered() throws IOException {
    write(4, 2);
    List<String> cps = new ArrayList<>(checkpointLines());
    String last = cps.get(cps.size() - 1);
    char c = last.charAt(last.length() - 10);
    cps.set(
        cps.size() - 1,
        last.substring(0, last.length() - 10)
            + (c == 'A' ? 'B' : 'A')
            + last.substring(last.length() - 9));
    Files.write(checkpoints(), cps);

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem())
        .startsWith("checkpoint " + cps.size() + ": the signature does not verify with key");
  }

  @Test
  void verify_checkpointThatClaimsMoreRecords_failsItsSignature() throws IOException {
    write(4, 2);
    List<String> cps = new ArrayList<>(checkpointLines());
    String[] parts = cps.get(1).split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"seq\":2", "\"seq\":1");
    cps.set(
        1,
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(payload))
            + "."
            + parts[2]);
    Files.write(checkpoints(), cps);

    assertThat(verify().problem()).startsWith("checkpoint 2: the signature does not verify");
  }

  @Test
  void verify_checkpointFromAnotherKeyWithTheSameKid_isTampered() throws IOException {
    AuditSigningKey impostor = AuditSigningKey.generate("audit-1");
    try (JsonLinesAuditSink sink = signing(impostor, 2).build()) {
      for (int i = 1; i <= 4; i++) {
        sink.record(record(i));
      }
    }

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem())
        .isEqualTo(
            "checkpoint 1: the signature does not verify with key 'audit-1' (forged, or altered"
                + " after signing)");
  }

  @Test
  void verify_checkpointFromAnUntrustedKid_isTampered() throws IOException {
    try (JsonLinesAuditSink sink = signing(AuditSigningKey.generate("other"), 2).build()) {
      sink.record(record(1));
    }

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem())
        .startsWith("checkpoint 1: signed with an untrusted key: key 'other' is not among");
  }

  @Test
  void verify_checkpointsReordered_isTampered() throws IOException {
    write(6, 2);
    List<String> cps = new ArrayList<>(checkpointLines());
    String second = cps.get(1);
    cps.set(1, cps.get(2));
    cps.set(2, second);
    Files.write(checkpoints(), cps);

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem()).contains("checkpoint 3: covers 2 records, not more than");
  }

  @Test
  void verify_checkpointsFileCutToNothing_isTampered() throws IOException {
    write(3, 2);
    Files.write(checkpoints(), new byte[0]);

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.TAMPERED);
    assertThat(v.problem()).isEqualTo("checkpoint 1: the checkpoints file holds no checkpoint");
  }

  @Test
  void verify_tornLastCheckpoint_isIncomplete() throws IOException {
    write(4, 2);
    byte[] all = Files.readAllBytes(checkpoints());
    Files.write(checkpoints(), java.util.Arrays.copyOf(all, all.length - 30));

    AuditVerification v = verify();

    assertThat(v.status()).isEqualTo(Status.INCOMPLETE);
    assertThat(v.records()).isEqualTo(4);
    assertThat(v.problem()).contains("incomplete last line of the checkpoints file");
  }

  @Test
  void verify_grantLikeJwsWithAnotherTyp_isNotACheckpoint() throws IOException {
    write(2, 100);
    List<String> cps = new ArrayList<>(checkpointLines());
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(bytes("{\"alg\":\"EdDSA\",\"kid\":\"audit-1\",\"typ\":\"JWT\"}"));
    String[] parts = cps.get(0).split("\\.");
    cps.set(0, header + "." + parts[1] + "." + parts[2]);
    Files.write(checkpoints(), cps);

    assertThat(verify().problem()).startsWith("checkpoint 1: the header must be");
  }

  @Test
  void verify_headAndCheckpointsTogether_bothChecked() throws IOException {
    String head = write(3, 2);

    assertThat(AuditLogVerifier.verify(log(), head, checkpoints(), TRUSTED).valid()).isTrue();
    AuditVerification wrongHead =
        AuditLogVerifier.verify(log(), hash(lines(log()).get(0)), checkpoints(), TRUSTED);
    assertThat(wrongHead.status()).isEqualTo(Status.TAMPERED);
  }

  @Test
  void build_onALogCutBelowItsLastCheckpoint_isRefused() throws IOException {
    write(6, 2);
    AuditFixtures.writeLines(log(), lines(log()).subList(0, 4));

    assertThatThrownBy(() -> signing(KEY, 2).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not match its last signed checkpoint")
        .hasMessageContaining("covers 6 records; the log has 4");
  }

  @Test
  void build_onALogRewrittenAtTheSameLength_isRefused() throws IOException {
    write(3, 100);
    Files.delete(log());
    AuditFixtures.writeLog(log(), List.of(record(1), record(2), record(4)));

    assertThatThrownBy(() -> signing(KEY, 2).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the log was cut or rewritten");
  }

  @Test
  void build_onALogWrittenWithoutCheckpoints_signsWhatItFinds() throws IOException {
    String head = AuditFixtures.writeLog(log(), List.of(record(1), record(2)));
    try (JsonLinesAuditSink sink = signing(KEY, 100).build()) {
      assertThat(sink.checkpointFile()).contains(checkpoints());
    }

    assertThat(signed("head")).containsExactly(head);
    assertThat(verify().signedRecords()).isEqualTo(2);
  }

  @Test
  void reopen_continuesTheCheckpoints() throws IOException {
    write(3, 2);
    try (JsonLinesAuditSink sink = signing(KEY, 2).build()) {
      sink.record(record(4));
    }

    assertThat(signed("seq")).containsExactly(0L, 2L, 3L, 4L);
    assertThat(verify())
        .extracting(AuditVerification::valid, AuditVerification::signedRecords)
        .containsExactly(true, 4L);
  }

  @Test
  void checkpoint_explicit_signsTheTailOnce() throws IOException {
    try (JsonLinesAuditSink sink = signing(KEY, 100).build()) {
      sink.record(record(1));
      sink.checkpoint();
      sink.checkpoint();
      assertThat(checkpointLines()).hasSize(2);
    }
    assertThat(checkpointLines()).hasSize(2); // close had nothing new to sign
  }

  @Test
  void checkpointEvery_signsAnIdleTailWithoutClose() throws Exception {
    try (JsonLinesAuditSink sink =
        signing(KEY, 1_000).checkpointEvery(Duration.ofMillis(5)).build()) {
      sink.record(record(1));
      sink.record(record(2));
      String head = sink.head();
      // Waits for the sink's own timer; the bound is generous and no speed is asserted.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!signed("head").contains(head) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(signed("head")).contains(head);
    }
  }

  @Test
  void record_fromFourThreadsWithCheckpoints_keepsOneSignedChain() throws Exception {
    int perThread = 150;
    try (JsonLinesAuditSink sink = signing(KEY, 7).build()) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int base = t * perThread;
          done.add(
              pool.submit(
                  () -> {
                    for (int i = 1; i <= perThread; i++) {
                      sink.record(record(base + i));
                    }
                    return null;
                  }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }

    AuditVerification v = verify();
    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(4 * perThread);
    assertThat(v.signedRecords()).isEqualTo(4 * perThread);
    List<Object> seqs = signed("seq");
    for (int i = 0; i < seqs.size() - 1; i++) {
      assertThat((Long) seqs.get(i + 1)).isGreaterThan((Long) seqs.get(i));
    }
    assertThat(seqs).contains(7L, 14L, 595L, 600L);
  }

  @Test
  void checkpoint_withoutAKey_isRefused() throws IOException {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log()).build()) {
      assertThatThrownBy(sink::checkpoint)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not sign checkpoints");
      assertThat(sink.checkpointFile()).isEmpty();
    }
  }

  @Test
  void builder_checkpointOptionsWithoutAKey_areRefused() {
    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).checkpointEveryRecords(5).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("need checkpoints(key)");
    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).checkpointEveryRecords(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(log()).checkpoints(KEY).checkpoints(KEY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("checkpoints was already set");
  }
}
