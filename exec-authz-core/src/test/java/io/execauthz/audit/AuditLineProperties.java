package io.execauthz.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The sink's hot path ({@link AuditLogFormat#lineBytes}, Jackson writing straight to UTF-8, or
 * through chars when a string holds what its UTF-8 writer would write differently) gives exactly
 * the bytes of {@link AuditLogFormat#line}, and those parse back as a well-formed record. Seeded;
 * every failure names its seed.
 */
final class AuditLineProperties {
  private static final int CASES = 1_000;

  @TestFactory
  Stream<DynamicTest> lineBytes_anyRecord_isTheLineAndANewlineInUtf8() {
    SplittableRandom seeds = new SplittableRandom(0xA0D17L);
    return LongStream.generate(seeds::nextLong)
        .limit(CASES)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      SplittableRandom r = new SplittableRandom(seed);
                      // half hostile, half plain text with non-ASCII (the UTF-8 path throughout)
                      AuditRecord record =
                          r.nextBoolean()
                              ? AuditFixtures.randomRecord(r)
                              : plain(AuditFixtures.record(r.nextInt(1_000)), r);
                      long seq = r.nextLong(1, Long.MAX_VALUE);
                      String prev = AuditFixtures.randomHex(r);
                      String line = AuditLogFormat.line(seq, prev, record);
                      byte[] bytes = AuditLogFormat.lineBytes(seq, prev, record, List.of());
                      assertThat(bytes)
                          .as("seed %d", seed)
                          .isEqualTo((line + "\n").getBytes(StandardCharsets.UTF_8));
                      AuditLineParser.Link link = AuditLineParser.parse(bytes, bytes.length - 1);
                      assertThat(link)
                          .as("seed %d", seed)
                          .isEqualTo(new AuditLineParser.Link(seq, prev));
                    }));
  }

  /** {@code r} with a detail of ASCII, Latin-1, CJK and emoji (paired surrogates) text. */
  private static AuditRecord plain(AuditRecord record, SplittableRandom random) {
    StringBuilder detail = new StringBuilder();
    List<String> pieces = List.of("deny \"x\"\\n", "é", "中文", "😀", "\u0080", "\ufeff", "/");
    for (int i = random.nextInt(12); i > 0; i--) {
      detail.append(pieces.get(random.nextInt(pieces.size())));
    }
    return new AuditRecord(
        record.time(),
        record.decisionId(),
        record.nodePath(),
        record.principal(),
        record.delegators(),
        record.action(),
        record.resource(),
        record.permitted(),
        record.reason(),
        detail.toString(),
        record.determiningPolicies(),
        record.grantId(),
        record.traceparent(),
        record.argsSha256(),
        record.shadow(),
        record.arguments(),
        record.approval());
  }
}
