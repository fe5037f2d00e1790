package io.execauthz.audit;

import static io.execauthz.audit.AuditFixtures.bytes;
import static io.execauthz.audit.AuditFixtures.randomRecord;
import static io.execauthz.audit.AuditFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.execauthz.audit.AuditVerification.Status;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints against an attacker who can rewrite the log and its checkpoints file but does
 * not hold the signing key: for a random log, checkpoint interval and attack, the verifier holding
 * only the public key reports exactly what happened — OK when nothing did, INCOMPLETE for a crash's
 * torn last line, TAMPERED naming the first bad record for a cut tail, a rewritten or edited
 * record, or a forged or reordered checkpoint. The seed is in every case's name and message.
 */
final class AuditCheckpointProperties {
  private static final long BASE_SEED = 0x5eed_c4ec_2026_0010L;
  private static final int CASES = 1_000;
  private static final AuditSigningKey KEY = AuditSigningKey.generate("audit-prop");
  private static final AuditTrustedKeys TRUSTED =
      AuditTrustedKeys.of(Map.of(KEY.kid(), KEY.publicKey()));
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> attackOnASignedLog_isReportedAsWhatItIs() {
    SplittableRandom seeds = new SplittableRandom(BASE_SEED);
    return LongStream.generate(seeds::nextLong)
        .limit(CASES)
        .mapToObj(seed -> dynamicTest("seed=" + seed, () -> check(seed)));
  }

  private enum Attack {
    NONE,
    CUT_LINES,
    CUT_BYTES,
    REWRITE_AND_RECHAIN,
    EDIT_RECORD,
    TORN_APPEND,
    DROP_CHECKPOINT,
    SWAP_CHECKPOINTS,
    FLIP_CHECKPOINT_BYTE
  }

  void check(long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1 + r.nextInt(20);
    int every = 1 + r.nextInt(10);
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(randomRecord(r));
    }
    Path log = dir.resolve(seed + ".jsonl");
    Path cps = dir.resolve(seed + ".jsonl.checkpoints");
    String head;
    try (JsonLinesAuditSink sink =
        JsonLinesAuditSink.newBuilder(log)
            .checkpoints(KEY)
            .checkpointEveryRecords(every)
            .clock(CLOCK)
            .build()) {
      for (AuditRecord rec : records) {
        sink.record(rec);
      }
      head = sink.head();
    }
    // Signed: 0 at open, every `every`, n at close.
    TreeSet<Long> signed = new TreeSet<>();
    for (long s = 0; s <= n; s += every) {
      signed.add(s);
    }
    signed.add((long) n);
    List<byte[]> lines = AuditFixtures.lines(log);
    List<String> cpLines = Files.readAllLines(cps, StandardCharsets.US_ASCII);
    assertThat(cpLines).as("seed=%d checkpoints", seed).hasSize(signed.size());

    Attack attack = Attack.values()[r.nextInt(Attack.values().length)];
    if (attack == Attack.SWAP_CHECKPOINTS && cpLines.size() < 2) {
      attack = Attack.NONE;
    }
    Status status;
    long firstBad;
    String what;
    switch (attack) {
      case NONE:
        what = "untouched";
        status = Status.OK;
        firstBad = 0;
        break;
      case CUT_LINES:
        {
          int keep = r.nextInt(n);
          AuditFixtures.writeLines(log, lines.subList(0, keep));
          what = "log cut after record " + keep;
          status = Status.TAMPERED;
          firstBad = keep + 1;
          break;
        }
      case CUT_BYTES:
        {
          byte[] all = Files.readAllBytes(log);
          int cut = r.nextInt(all.length);
          long complete = 0;
          for (int i = 0; i < cut; i++) {
            if (all[i] == '\n') {
              complete++;
            }
          }
          Files.write(log, Arrays.copyOf(all, cut));
          what = "log cut to " + cut + " bytes";
          status = Status.TAMPERED; // a torn line below a checkpoint is no crash
          firstBad = complete + 1;
          break;
        }
      case REWRITE_AND_RECHAIN:
        {
          int j = r.nextInt(n);
          List<AuditRecord> forged = new ArrayList<>(records);
          AuditRecord other;
          do {
            other = randomRecord(r);
          } while (other.equals(records.get(j)));
          forged.set(j, other);
          Files.delete(log);
          AuditFixtures.writeLog(log, forged);
          what = "record " + (j + 1) + " replaced and the log re-chained";
          status = Status.TAMPERED;
          firstBad = signed.ceiling((long) j + 1); // the first checkpoint that signed it
          break;
        }
      case EDIT_RECORD:
        {
          int j = r.nextInt(n);
          @SuppressWarnings("unchecked")
          Map<String, Object> m =
              new LinkedHashMap<>((Map<String, Object>) Json.parse(text(lines.get(j))));
          m.put("resource", m.get("resource") + "!");
          List<byte[]> edited = new ArrayList<>(lines);
          edited.set(j, bytes(Json.write(m)));
          AuditFixtures.writeLines(log, edited);
          what = "record " + (j + 1) + " edited in place";
          status = Status.TAMPERED;
          // a checkpoint at the record catches it there, else the next record's prev
          firstBad = signed.contains((long) j + 1) ? j + 1 : j + 2;
          break;
        }
      case TORN_APPEND:
        {
          String start = "{\"seq\":" + (n + 1) + ",\"prev\":\"" + head + "\",\"time\":\"2026";
          byte[] torn = Arrays.copyOf(bytes(start), 1 + r.nextInt(start.length()));
          Files.write(log, AuditFixtures.concat(Files.readAllBytes(log), torn));
          what = "crash while writing record " + (n + 1);
          status = Status.INCOMPLETE;
          firstBad = n + 1;
          break;
        }
      case DROP_CHECKPOINT:
        {
          int k = r.nextInt(cpLines.size() - 1); // never the last: that is a cut, see below
          List<String> out = new ArrayList<>(cpLines);
          out.remove(k);
          Files.write(cps, out, StandardCharsets.US_ASCII);
          what = "checkpoint " + (k + 1) + " of " + cpLines.size() + " dropped";
          status = cpLines.size() == 1 ? Status.TAMPERED : Status.OK;
          firstBad = status == Status.OK ? 0 : 1;
          break;
        }
      case SWAP_CHECKPOINTS:
        {
          int k = r.nextInt(cpLines.size() - 1);
          List<String> out = new ArrayList<>(cpLines);
          out.set(k, cpLines.get(k + 1));
          out.set(k + 1, cpLines.get(k));
          Files.write(cps, out, StandardCharsets.US_ASCII);
          what = "checkpoints " + (k + 1) + " and " + (k + 2) + " swapped";
          status = Status.TAMPERED;
          firstBad = -1; // wherever the verifier stands when it reads them
          break;
        }
      case FLIP_CHECKPOINT_BYTE:
        {
          int k = r.nextInt(cpLines.size());
          byte[] line = cpLines.get(k).getBytes(StandardCharsets.US_ASCII);
          int pos = r.nextInt(line.length);
          byte was = line[pos];
          byte now;
          do {
            now = (byte) (33 + r.nextInt(94)); // printable, never a newline
          } while (now == was);
          line[pos] = now;
          List<String> out = new ArrayList<>(cpLines);
          out.set(k, new String(line, StandardCharsets.US_ASCII));
          Files.write(cps, out, StandardCharsets.US_ASCII);
          what = "byte " + pos + " of checkpoint " + (k + 1) + " changed";
          status = Status.TAMPERED;
          firstBad = -1;
          break;
        }
      default:
        throw new AssertionError(attack);
    }

    AuditVerification v = AuditLogVerifier.verify(log, cps, TRUSTED);
    assertThat(v.status())
        .as("seed=%d %s (every %d, %d records): %s", seed, what, every, n, v)
        .isEqualTo(status);
    if (firstBad >= 0) {
      assertThat(v.firstBadRecord())
          .as("seed=%d %s (every %d, %d records): %s", seed, what, every, n, v)
          .isEqualTo(firstBad);
    }
    if (status == Status.OK) {
      assertThat(v.records()).as("seed=%d", seed).isEqualTo(n);
      assertThat(v.head()).as("seed=%d", seed).isEqualTo(head);
      assertThat(v.signedRecords()).as("seed=%d", seed).isEqualTo(n);
    }
    if (attack == Attack.FLIP_CHECKPOINT_BYTE) {
      assertThat(v.problem()).as("seed=%d %s: %s", seed, what, v).startsWith("checkpoint ");
    }
    Files.delete(log);
    Files.delete(cps);
  }
}
