package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.otel.OtelRevocationLag;
import io.lettuce.core.ScriptOutputType;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The revocation propagation lag, measured per received revocation on a real Redis and recorded as
 * the OpenTelemetry histogram {@code exec_authz.revocation.propagation_lag} by the SDK.
 */
final class PropagationLagTest {
  /** The reading process's clock runs this far ahead of the writer's: the lag it must see. */
  private static final Duration SKEW = Duration.ofMillis(1500);

  private final String prefix = TestRedis.prefix();
  private final RedisStore storeA = store();
  private final RedisStore storeB = store();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
          .build();
  private final OtelRevocationLag histogram = OtelRevocationLag.create(otel);
  private final List<Duration> seen = new CopyOnWriteArrayList<>();
  private final RedisRevocationRegistry writer =
      RedisRevocationRegistry.newBuilder(storeA).stalenessBound(Duration.ofSeconds(2)).build();
  private final RedisRevocationRegistry receiver =
      RedisRevocationRegistry.newBuilder(storeB)
          .stalenessBound(Duration.ofSeconds(2))
          .clock(Clock.offset(Clock.systemUTC(), SKEW))
          .onPropagationLag(
              lag -> {
                seen.add(lag);
                histogram.accept(lag);
              })
          .build();

  private RedisStore store() {
    // 2 s, not the default 0.5 s: a subscription that times out at start is only retried a
    // heartbeat later, and what was published meanwhile arrives by a re-read, which reports no lag
    return RedisStore.newBuilder()
        .uri(TestRedis.sharedUri())
        .keyPrefix(prefix)
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  @AfterEach
  void close() {
    writer.close();
    receiver.close();
    storeA.close();
    storeB.close();
    otel.close();
  }

  @Test
  void eachReceivedRevocation_reportsItsLag_asAnOtelHistogramInSeconds() throws Exception {
    Instant notAfter = Instant.now().plus(Duration.ofMinutes(10));
    writer.revokeGrant("jti-1", notAfter);
    writer.nodeEnded("iss", "g", "n", io.execauthz.NodeState.REVOKED, notAfter);
    awaitTrue(() -> receiver.isGrantRevoked("jti-1") && seen.size() == 2);

    // the writer's clock at the write, seen from a clock SKEW ahead: at least SKEW
    assertThat(seen).allSatisfy(lag -> assertThat(lag).isGreaterThanOrEqualTo(SKEW));
    MetricData m =
        reader.collectAllMetrics().stream()
            .filter(d -> d.getName().equals(OtelRevocationLag.NAME))
            .findFirst()
            .orElseThrow();
    assertThat(m.getUnit()).isEqualTo("s");
    HistogramPointData p = m.getHistogramData().getPoints().iterator().next();
    assertThat(p.getCount()).isEqualTo(2);
    assertThat(p.getMin()).isGreaterThanOrEqualTo(SKEW.toMillis() / 1000.0);
    assertThat(p.getSum())
        .isEqualTo(seen.stream().mapToDouble(d -> d.toNanos() / 1e9).sum(), within());
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  /** What a writer of the previous version ran: its message carries no write time. */
  private static final String OLD_WRITE =
      """
      redis.call('SET', KEYS[3], ARGV[5], 'NX')
      redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
      local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
      if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end
      local seq = redis.call('INCR', KEYS[2])
      local epoch = redis.call('GET', KEYS[3])
      redis.call('PUBLISH', ARGV[4], epoch .. '\\n' .. seq .. '\\n' .. ARGV[2] .. '\\n' .. ARGV[1])
      return seq
      """;

  @Test
  void aMessageFromAnEarlierWriter_isStillApplied_withoutALag() throws Exception {
    String tag = "{" + prefix + "-rev}";
    long now = System.currentTimeMillis();
    storeA
        .commands()
        .<Long>eval(
            OLD_WRITE,
            ScriptOutputType.INTEGER,
            new String[] {
              prefix + ":" + tag + ":entries",
              prefix + ":" + tag + ":seq",
              prefix + ":" + tag + ":epoch"
            },
            "g\nold-jti",
            Long.toString(now + 600_000),
            Long.toString(now),
            prefix + ":rev",
            "unused")
        .get(10, TimeUnit.SECONDS);

    awaitTrue(() -> receiver.isGrantRevoked("old-jti"));
    writer.revokeGrant("new-jti", Instant.now().plus(Duration.ofMinutes(10)));
    awaitTrue(() -> receiver.isGrantRevoked("new-jti") && !seen.isEmpty());

    assertThat(receiver.isGrantRevoked("old-jti")).isTrue();
    assertThat(seen).hasSize(1); // only the new writer's message carries its write time
  }

  private static void awaitTrue(BooleanSupplier c) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (!c.getAsBoolean() && Instant.now().isBefore(deadline)) {
      Thread.sleep(2);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }
}
