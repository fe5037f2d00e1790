package io.execauthz.audit;

import static io.execauthz.audit.AuditFixtures.bytes;
import static io.execauthz.audit.AuditFixtures.hash;
import static io.execauthz.audit.AuditFixtures.hostileString;
import static io.execauthz.audit.AuditFixtures.randomRecord;
import static io.execauthz.audit.AuditFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.execauthz.Reason;
import io.execauthz.audit.AuditVerification.Status;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * ARCHITECTURE §6 invariant 8, "audit is complete and tamper-evident": every record written comes
 * back intact and the log verifies; after any single edit, insertion, deletion, reordering or
 * truncation the verifier rejects the log and names the first bad record. Each case is generated
 * from its seed, printed in its name and in every assertion, so a failure replays with {@link
 * #checkIntact} or {@link #checkTampered} and that seed.
 */
final class AuditLogProperties {
  private static final long BASE_SEED = 0x8e7a_0d17_2024_0001L;
  private static final int CASES = 1_000;
  private static final int MAX_RECORDS = 30;

  @TempDir Path dir;

  private static LongStream seeds(long salt) {
    SplittableRandom seeds = new SplittableRandom(BASE_SEED + salt);
    return LongStream.generate(seeds::nextLong).limit(CASES);
  }

  @TestFactory
  Stream<DynamicTest> intactLog_verifiesAndKeepsEveryRecord() {
    return seeds(1).mapToObj(seed -> dynamicTest("seed=" + seed, () -> checkIntact(seed)));
  }

  @TestFactory
  Stream<DynamicTest> tamperedLog_isRejectedNamingTheFirstBadRecord() {
    return seeds(2).mapToObj(seed -> dynamicTest("seed=" + seed, () -> checkTampered(seed)));
  }

  /**
   * Issue 10, "every decision audited": a record of any size is written as one line within the
   * limit that verifies; when the whole line would exceed it, exactly the fields longer than the
   * cut threshold are cut, each keeping its start and the SHA-256 of its whole value, and named in
   * {@code cut}; otherwise every value is kept whole.
   */
  @TestFactory
  Stream<DynamicTest> anyRecord_isAuditedWithinTheLimitAndBindsEveryValue() {
    AtomicInteger over = new AtomicInteger();
    Stream<DynamicTest> cases =
        seeds(3)
            .mapToObj(
                seed ->
                    dynamicTest(
                        "seed=" + seed,
                        () -> {
                          if (checkOversized(seed)) {
                            over.incrementAndGet();
                          }
                        }));
    // The generator must exercise the cut often, not just in principle.
    return Stream.concat(
        cases,
        Stream.of(
            dynamicTest(
                "lines over the limit",
                () ->
                    assertThat(over.get()).as("cases over the limit").isGreaterThan(CASES / 10))));
  }

  private static String bigString(SplittableRandom r) {
    if (r.nextInt(10) < 8) {
      return hostileString(r);
    }
    // Control characters escape to six bytes each: a few large fields exceed 1 MiB.
    String[] pieces = {"\u0001", "abcdefgh", hostileString(r) + "x"};
    String piece = pieces[r.nextInt(pieces.length)];
    return piece.repeat(1 + r.nextInt(200_000 / piece.length()));
  }

  private static List<String> bigList(SplittableRandom r) {
    List<String> out = new ArrayList<>();
    switch (r.nextInt(4)) {
      case 0:
        for (int i = r.nextInt(25_000); i > 0; i--) {
          out.add(i % 7 == 0 ? hostileString(r) : "n" + i);
        }
        break;
      case 1:
        for (int i = r.nextInt(4); i >= 0; i--) {
          out.add(bigString(r));
        }
        break;
      default:
        for (int i = r.nextInt(4); i > 0; i--) {
          out.add(hostileString(r));
        }
    }
    return out;
  }

  private static String nullableBig(SplittableRandom r) {
    return r.nextInt(4) == 0 ? null : bigString(r);
  }

  private static long jsonBytes(Object value) {
    return Json.write(value).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static String marker(String whole) {
    return "\u2026[cut: "
        + whole.length()
        + " chars, sha256 "
        + hash(whole.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + "]";
  }

  /** Checks one case; true if its whole line would have exceeded the limit. */
  boolean checkOversized(long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    boolean permit = r.nextBoolean();
    AuditRecord rec =
        new AuditRecord(
            Instant.ofEpochSecond(r.nextLong(0, 4_000_000_000L)),
            bigString(r),
            bigList(r),
            nullableBig(r),
            bigList(r),
            bigString(r),
            bigString(r),
            permit,
            permit ? null : Reason.ERROR,
            permit ? "" : bigString(r),
            bigList(r),
            nullableBig(r),
            nullableBig(r),
            r.nextBoolean() ? null : AuditFixtures.randomHex(r));
    Path file = dir.resolve("big-" + Long.toHexString(seed) + ".jsonl");
    String head = AuditFixtures.writeLog(file, List.of(rec));

    AuditVerification v = AuditLogVerifier.verify(file, head);
    assertThat(v.valid()).as("seed=%d: %s", seed, v).isTrue();
    byte[] line = AuditFixtures.lines(file).get(0);
    assertThat(line.length)
        .as("seed=%d line bytes", seed)
        .isLessThanOrEqualTo(AuditLogFormat.MAX_LINE_BYTES);
    Map<?, ?> m = (Map<?, ?>) Json.parse(text(line));

    Map<String, Object> original = new LinkedHashMap<>();
    original.put("decisionId", rec.decisionId());
    original.put("path", rec.nodePath());
    original.put("principal", rec.principal());
    original.put("delegators", rec.delegators());
    original.put("action", rec.action());
    original.put("resource", rec.resource());
    original.put("detail", rec.detail());
    original.put("policies", rec.determiningPolicies());
    original.put("grant", rec.grantId());
    original.put("traceparent", rec.traceparent());
    boolean over =
        bytes(AuditLogFormat.line(1, AuditLogFormat.GENESIS, rec)).length
            > AuditLogFormat.MAX_LINE_BYTES;
    List<String> expectCut = new ArrayList<>();
    if (over) {
      original.forEach(
          (field, value) -> {
            if (value != null && jsonBytes(value) > AuditLogFormat.CUT_FIELD_BYTES) {
              expectCut.add(field);
            }
          });
    }
    assertThat(m.get("cut"))
        .as("seed=%d cut fields (line over the limit: %s)", seed, over)
        .isEqualTo(expectCut.isEmpty() ? null : expectCut);
    assertThat(m.get("argsSha256")).as("seed=%d", seed).isEqualTo(rec.argsSha256());
    for (Map.Entry<String, Object> e : original.entrySet()) {
      String field = e.getKey();
      Object was = e.getValue();
      Object now = m.get(field);
      if (!expectCut.contains(field)) {
        assertThat(now).as("seed=%d %s kept whole", seed, field).isEqualTo(was);
      } else if (was instanceof String) {
        checkCutString(seed, field, (String) was, (String) now, AuditLogFormat.CUT_KEEP_CHARS);
      } else {
        List<?> before = (List<?>) was;
        List<?> after = (List<?>) now;
        int kept = after.size();
        String last = (String) after.get(after.size() - 1);
        if (last.startsWith("\u2026[cut: ") && last.contains(" elements, sha256 ")) {
          kept--;
          assertThat(last)
              .as("seed=%d %s list marker", seed, field)
              .isEqualTo(
                  "\u2026[cut: "
                      + (before.size() - kept)
                      + " of "
                      + before.size()
                      + " elements, sha256 "
                      + hash(bytes(Json.write(before)))
                      + "]");
        } else {
          assertThat(kept).as("seed=%d %s all elements kept", seed, field).isEqualTo(before.size());
        }
        for (int i = 0; i < kept; i++) {
          String b = (String) before.get(i);
          String a = (String) after.get(i);
          if (b.length() > AuditLogFormat.CUT_ELEMENT_CHARS) {
            checkCutString(seed, field + "[" + i + "]", b, a, AuditLogFormat.CUT_ELEMENT_CHARS);
          } else {
            assertThat(a).as("seed=%d %s[%d]", seed, field, i).isEqualTo(b);
          }
        }
      }
    }
    Files.delete(file);
    return over;
  }

  private static void checkCutString(long seed, String field, String was, String now, int keep) {
    String mark = marker(was);
    assertThat(now).as("seed=%d %s marker", seed, field).endsWith(mark);
    String prefix = now.substring(0, now.length() - mark.length());
    assertThat(was).as("seed=%d %s keeps its start", seed, field).startsWith(prefix);
    assertThat(prefix.length()).as("seed=%d %s kept chars", seed, field).isBetween(keep - 1, keep);
  }

  private static List<AuditRecord> randomRecords(SplittableRandom r) {
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 1 + r.nextInt(MAX_RECORDS); i > 0; i--) {
      records.add(randomRecord(r));
    }
    return records;
  }

  void checkIntact(long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    List<AuditRecord> records = randomRecords(r);
    Path file = dir.resolve("intact-" + Long.toHexString(seed) + ".jsonl");
    // Sometimes close and reopen the sink part-way, which must continue the same chain.
    int reopenAt = r.nextInt(3) == 0 ? r.nextInt(records.size() + 1) : records.size();
    AuditFixtures.writeLog(file, records.subList(0, reopenAt));
    String head = AuditFixtures.writeLog(file, records.subList(reopenAt, records.size()));

    AuditVerification withHead = AuditLogVerifier.verify(file, head);
    assertThat(withHead).as("seed=%d", seed).isEqualTo(AuditVerification.ok(records.size(), head));
    assertThat(AuditLogVerifier.verify(file)).as("seed=%d", seed).isEqualTo(withHead);

    List<byte[]> lines = AuditFixtures.lines(file);
    assertThat(lines).as("seed=%d: one line per record", seed).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      AuditRecord rec = records.get(i);
      Map<?, ?> m = (Map<?, ?>) Json.parse(text(lines.get(i)));
      Map<String, Object> expected = new LinkedHashMap<>();
      expected.put("seq", i + 1L);
      expected.put("prev", i == 0 ? AuditLogFormat.GENESIS : hash(lines.get(i - 1)));
      expected.put("time", rec.time().toString());
      expected.put("decisionId", rec.decisionId());
      expected.put("path", rec.nodePath());
      expected.put("principal", rec.principal());
      expected.put("delegators", rec.delegators());
      expected.put("action", rec.action());
      expected.put("resource", rec.resource());
      expected.put("decision", rec.decision());
      expected.put("reason", rec.reason() == null ? null : rec.reason().name());
      expected.put("detail", rec.detail());
      expected.put("policies", rec.determiningPolicies());
      expected.put("grant", rec.grantId());
      expected.put("traceparent", rec.traceparent());
      if (rec.argsSha256() != null) {
        expected.put("argsSha256", rec.argsSha256());
      }
      if (rec.approval() != null) {
        Map<String, Object> approval = new LinkedHashMap<>();
        approval.put("by", rec.approval().by());
        approval.put("via", rec.approval().via());
        expected.put("approval", approval);
      }
      if (rec.shadow() != null) {
        Map<String, Object> shadow = new LinkedHashMap<>();
        shadow.put("decision", rec.shadow().decision());
        shadow.put("policies", rec.shadow().policies());
        shadow.put("errors", rec.shadow().errors());
        expected.put("shadow", shadow);
      }
      assertThat(m).as("seed=%d record %d", seed, i + 1).isEqualTo(expected);
      assertThat(List.copyOf(m.keySet()))
          .as("seed=%d record %d", seed, i + 1)
          .isEqualTo(List.copyOf(expected.keySet()));
    }
    Files.delete(file);
  }

  /**
   * One tampering of a log of {@code n} records: the resulting bytes, the first bad record the
   * verifier must name (a range only for a random byte edit), and whether it is detectable without
   * the head ({@code null}: it depends on the byte).
   */
  private record Tampering(
      String what,
      byte[] bytes,
      long firstBadLo,
      long firstBadHi,
      Boolean withoutHead,
      boolean torn) {
    static Tampering exact(String what, byte[] bytes, long firstBad, Boolean withoutHead) {
      return new Tampering(what, bytes, firstBad, firstBad, withoutHead, false);
    }
  }

  private enum Kind {
    EDIT_BYTE,
    EDIT_FIELD,
    INSERT_COPY,
    INSERT_FABRICATED,
    DELETE,
    SWAP,
    TRUNCATE_LINES,
    TRUNCATE_BYTES
  }

  void checkTampered(long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    List<AuditRecord> records = randomRecords(r);
    int n = records.size();
    Path file = dir.resolve("tampered-" + Long.toHexString(seed) + ".jsonl");
    String head = AuditFixtures.writeLog(file, records);
    byte[] original = Files.readAllBytes(file);
    List<byte[]> lines = AuditFixtures.split(original);

    assertThat(AuditLogVerifier.verify(file, head))
        .as("seed=%d untampered", seed)
        .isEqualTo(AuditVerification.ok(n, head));

    Kind kind;
    do {
      kind = Kind.values()[r.nextInt(Kind.values().length)];
    } while (kind == Kind.SWAP && n < 2);
    Tampering t = tamper(kind, r, lines, original);
    assertThat(t.bytes()).as("seed=%d %s changes the file", seed, t.what()).isNotEqualTo(original);
    // A new file rather than a rewrite: ext4 flushes a truncated-and-rewritten file on close.
    Path tampered =
        Files.write(dir.resolve("tampered-" + Long.toHexString(seed) + ".bad"), t.bytes());

    AuditVerification v = AuditLogVerifier.verify(tampered, head);
    assertThat(v.valid()).as("seed=%d %s with head: %s", seed, t.what(), v).isFalse();
    assertThat(v.firstBadRecord())
        .as("seed=%d %s with head: %s", seed, t.what(), v)
        .isBetween(t.firstBadLo(), t.firstBadHi());
    assertThat(v.records())
        .as("seed=%d %s: %s", seed, t.what(), v)
        .isEqualTo(v.firstBadRecord() - 1);
    assertThat(v.problem())
        .as("seed=%d %s: %s", seed, t.what(), v)
        .startsWith("record " + v.firstBadRecord() + ": ");

    assertThat(v.status())
        .as("seed=%d %s with head: %s", seed, t.what(), v)
        .isEqualTo(Status.TAMPERED);
    AuditVerification noHead = AuditLogVerifier.verify(tampered);
    if (t.torn()) {
      assertThat(noHead.status())
          .as("seed=%d %s without head: %s", seed, t.what(), noHead)
          .isEqualTo(Status.INCOMPLETE);
      assertThat(noHead.firstBadRecord())
          .as("seed=%d %s without head: %s", seed, t.what(), noHead)
          .isEqualTo(t.firstBadLo());
    } else if (Boolean.TRUE.equals(t.withoutHead())) {
      assertThat(noHead).as("seed=%d %s without head", seed, t.what()).isEqualTo(v);
    } else if (Boolean.FALSE.equals(t.withoutHead())) {
      // The chain is consistent but shorter or ends differently: only the head reveals it.
      assertThat(noHead.valid()).as("seed=%d %s without head: %s", seed, t.what(), noHead).isTrue();
    }
    Files.delete(file);
    Files.delete(tampered);
  }

  private static Tampering tamper(
      Kind kind, SplittableRandom r, List<byte[]> lines, byte[] original) {
    int n = lines.size();
    List<byte[]> out = new ArrayList<>(lines);
    switch (kind) {
      case EDIT_BYTE:
        {
          int k = r.nextInt(n);
          byte[] line = lines.get(k).clone();
          int pos = r.nextInt(line.length);
          byte was = line[pos];
          line[pos] = (byte) (was + 1 + r.nextInt(255)); // any other byte value, '\n' included
          out.set(k, line);
          // Either the line itself is bad (k + 1) or, still well formed, its hash no longer
          // matches the next record's prev or the head (k + 2).
          return new Tampering(
              "byte " + pos + " of record " + (k + 1) + " changed from " + was + " to " + line[pos],
              AuditFixtures.join(out),
              k + 1,
              k + 2,
              k + 1 < n ? Boolean.TRUE : null,
              false);
        }
      case EDIT_FIELD:
        {
          int k = r.nextInt(n);
          String field = AuditLogFormat.FIELDS.get(r.nextInt(AuditLogFormat.FIELDS.size()));
          out.set(k, editField(r, lines, k, field));
          boolean link = field.equals("seq") || field.equals("prev");
          return Tampering.exact(
              "field " + field + " of record " + (k + 1) + " edited",
              AuditFixtures.join(out),
              link ? k + 1 : k + 2,
              link || k + 1 < n);
        }
      case INSERT_COPY:
        {
          int from = r.nextInt(n);
          int at = r.nextInt(n + 1);
          out.add(at, lines.get(from));
          // The copy carries seq from + 1; where that is its new place, the original after it
          // is the repeat.
          return Tampering.exact(
              "copy of record " + (from + 1) + " inserted as record " + (at + 1),
              AuditFixtures.join(out),
              from == at ? at + 2 : at + 1,
              true);
        }
      case INSERT_FABRICATED:
        {
          int at = r.nextInt(n + 1);
          boolean wellLinked = r.nextBoolean();
          long seq = wellLinked ? at + 1 : 1 + r.nextInt(n + 1);
          String prev =
              wellLinked
                  ? (at == 0 ? AuditLogFormat.GENESIS : hash(lines.get(at - 1)))
                  : randomHex(r);
          out.add(at, bytes(AuditLogFormat.line(seq, prev, randomRecord(r))));
          return Tampering.exact(
              (wellLinked ? "well-linked " : "")
                  + "fabricated record inserted as record "
                  + (at + 1),
              AuditFixtures.join(out),
              wellLinked ? at + 2 : at + 1,
              !(wellLinked && at == n));
        }
      case DELETE:
        {
          int k = r.nextInt(n);
          out.remove(k);
          return Tampering.exact(
              "record " + (k + 1) + " deleted", AuditFixtures.join(out), k + 1, k + 1 < n);
        }
      case SWAP:
        {
          int i = r.nextInt(n);
          int j = r.nextInt(n - 1);
          if (j >= i) {
            j++;
          }
          int lo = Math.min(i, j);
          int hi = Math.max(i, j);
          out.set(lo, lines.get(hi));
          out.set(hi, lines.get(lo));
          return Tampering.exact(
              "records " + (lo + 1) + " and " + (hi + 1) + " swapped",
              AuditFixtures.join(out),
              lo + 1,
              true);
        }
      case TRUNCATE_LINES:
        {
          int keep = r.nextInt(n);
          return Tampering.exact(
              "log cut after record " + keep,
              AuditFixtures.join(out.subList(0, keep)),
              keep + 1,
              false);
        }
      case TRUNCATE_BYTES:
        {
          int cut = r.nextInt(original.length);
          long complete = 0;
          for (int i = 0; i < cut; i++) {
            if (original[i] == '\n') {
              complete++;
            }
          }
          boolean atLineEnd = cut == 0 || original[cut - 1] == '\n';
          // Cut inside a line, the log looks like a crash's torn write: INCOMPLETE without the
          // head, TAMPERED (records missing) with it.
          return new Tampering(
              "log cut to " + cut + " of " + original.length + " bytes",
              Arrays.copyOf(original, cut),
              complete + 1,
              complete + 1,
              atLineEnd ? Boolean.FALSE : null,
              !atLineEnd);
        }
      default:
        throw new AssertionError(kind);
    }
  }

  /** Record {@code k}'s line with {@code field} set to another value, in the sink's exact form. */
  private static byte[] editField(SplittableRandom r, List<byte[]> lines, int k, String field) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m =
        new LinkedHashMap<>((Map<String, Object>) Json.parse(text(lines.get(k))));
    Object was = m.get(field);
    switch (field) {
      case "seq":
        m.put(field, otherThan(was, () -> 1L + r.nextInt(lines.size() + 5)));
        break;
      case "prev":
        m.put(field, otherThan(was, () -> randomHex(r)));
        break;
      case "time":
        m.put(
            field,
            otherThan(was, () -> Instant.ofEpochSecond(r.nextLong(0, 4_000_000_000L)).toString()));
        break;
      case "path":
      case "delegators":
      case "policies":
        {
          List<Object> list = new ArrayList<>((List<?>) was);
          list.add(r.nextInt(list.size() + 1), hostileString(r));
          m.put(field, list);
          break;
        }
      case "principal":
      case "grant":
      case "traceparent":
        m.put(field, otherThan(was, () -> r.nextBoolean() ? null : hostileString(r)));
        break;
      case "decision":
      case "reason":
        if ("PERMIT".equals(m.get("decision"))) {
          m.put("decision", "DENY");
          m.put("reason", Reason.values()[r.nextInt(Reason.values().length)].name());
        } else if (r.nextBoolean()) {
          m.put("decision", "PERMIT");
          m.put("reason", null);
        } else {
          m.put(
              "reason",
              otherThan(
                  m.get("reason"),
                  () -> Reason.values()[r.nextInt(Reason.values().length)].name()));
        }
        break;
      default: // decisionId, action, resource, detail
        m.put(field, otherThan(was, () -> hostileString(r)));
    }
    return bytes(Json.write(m));
  }

  private static Object otherThan(Object was, Supplier<Object> next) {
    Object v;
    do {
      v = next.get();
    } while (Objects.equals(v, was));
    return v;
  }

  private static String randomHex(SplittableRandom r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
