package io.execauthz.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.execauthz.Args;
import io.execauthz.Reason;
import io.execauthz.internal.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any arguments, however hostile their strings or fine their decimals, are kept digit for digit and
 * verify; a redacted key's value never reaches the log; {@code argsSha256} is the real arguments'.
 */
final class KeptArgumentsProperties {
  private static final long BASE_SEED = 0x5eed_a12_95L;
  private static final int CASES = 1_000;
  private static final List<String> KEYS = List.of("a", "token", "Token", "b", "é\u2028", "x\"y");

  @TempDir Path dir;

  private static Object value(SplittableRandom r, int depth) {
    switch (r.nextInt(depth > 3 ? 4 : 6)) {
      case 0:
        return AuditFixtures.hostileString(r);
      case 1:
        return r.nextLong();
      case 2:
        return new BigDecimal(r.nextLong()).scaleByPowerOfTen(-r.nextInt(30));
      case 3:
        return r.nextBoolean();
      case 4:
        return map(r, depth + 1);
      default:
        List<Object> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          l.add(value(r, depth + 1));
        }
        return l;
    }
  }

  private static Map<String, Object> map(SplittableRandom r, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = r.nextInt(1, 5); i > 0; i--) {
      m.put(
          r.nextBoolean() ? KEYS.get(r.nextInt(KEYS.size())) : AuditFixtures.hostileString(r),
          value(r, depth));
    }
    return m;
  }

  /** Whether {@code v} holds a key named token (any case) anywhere. */
  private static boolean holdsToken(Object v) {
    if (v instanceof Map<?, ?> m) {
      return m.entrySet().stream()
          .anyMatch(
              e -> ((String) e.getKey()).equalsIgnoreCase("token") || holdsToken(e.getValue()));
    }
    return v instanceof List<?> l && l.stream().anyMatch(KeptArgumentsProperties::holdsToken);
  }

  @TestFactory
  Stream<DynamicTest> anyArguments_areKeptDigitForDigit_redactedWhereNamed() {
    SplittableRandom seeds = new SplittableRandom(BASE_SEED);
    return LongStream.generate(seeds::nextLong)
        .limit(CASES)
        .mapToObj(seed -> dynamicTest("seed=" + seed, () -> check(seed)));
  }

  private void check(long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    Args args = Args.of(map(r, 1));
    boolean redact = r.nextBoolean();
    Path log = dir.resolve("kept-" + Long.toHexString(seed) + ".jsonl");
    JsonLinesAuditSink.Builder b = JsonLinesAuditSink.newBuilder(log).keepArguments(true);
    if (redact) {
      b.redact("token");
    }
    AuditRecord rec =
        new AuditRecord(
            Instant.EPOCH,
            "d",
            List.of("n"),
            "agent:x",
            List.of("agent:x"),
            "tool.call",
            "tool:t",
            false,
            Reason.POLICY,
            "",
            List.of(),
            null,
            null,
            args.sha256(),
            null,
            args,
            null);
    try (JsonLinesAuditSink sink = b.build()) {
      sink.record(rec);
    }
    AuditVerification v = AuditLogVerifier.verify(log);
    assertThat(v.valid()).as("seed=%d: %s", seed, v.problem()).isTrue();
    String line = Files.readAllLines(log).get(0);
    Map<?, ?> m = (Map<?, ?>) Json.parseExact(line);
    assertThat(m.get("argsSha256")).as("seed=%d", seed).isEqualTo(args.sha256());
    @SuppressWarnings("unchecked")
    Map<String, Object> kept = (Map<String, Object>) m.get("args");
    if (redact && holdsToken(args)) {
      assertThat((List<?>) m.get("redacted")).as("seed=%d", seed).isNotEmpty();
      assertThat(holdsToken(kept)).as("seed=%d", seed).isTrue();
      assertThat(Args.of(kept).sha256()).as("seed=%d", seed).isNotEqualTo(args.sha256());
    } else {
      assertThat(m.containsKey("redacted")).as("seed=%d", seed).isFalse();
      // the kept arguments are the very arguments the hash binds
      assertThat(Args.of(kept).sha256()).as("seed=%d", seed).isEqualTo(args.sha256());
    }
    Files.delete(log);
  }
}
