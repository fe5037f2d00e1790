package io.execauthz.otel;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The revocation propagation lag as an OpenTelemetry histogram, {@value #NAME} (unit {@code s}):
 * for each revocation a shared registry receives, how long after it was written it arrived — the
 * window in which a process may still permit what another one revoked.
 *
 * <p>It is a plain {@code Consumer<Duration>}, so that neither module depends on the other: hand it
 * to a registry that measures the lag, such as exec-authz-redis's
 *
 * <pre>{@code
 * RedisRevocationRegistry revocations = RedisRevocationRegistry.newBuilder(store)
 *     .onPropagationLag(OtelRevocationLag.create(openTelemetry))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe and quick (one histogram record), as the registry's listener must be.
 */
public final class OtelRevocationLag implements Consumer<Duration> {
  /** The histogram's name. */
  public static final String NAME = "exec_authz.revocation.propagation_lag";

  /** Bucket boundaries in seconds: a millisecond on a LAN up to a staleness bound of seconds. */
  static final List<Double> BUCKETS =
      List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);

  private final DoubleHistogram lag;

  private OtelRevocationLag(OpenTelemetry otel) {
    this.lag =
        otel.getMeter(OtelDecisionObserver.SCOPE)
            .histogramBuilder(NAME)
            .setUnit("s")
            .setDescription(
                "How long after a revocation was written this process received it (its clock"
                    + " minus the writer's).")
            .setExplicitBucketBoundariesAdvice(BUCKETS)
            .build();
  }

  /**
   * A listener recording into {@code otel}'s meter of scope {@value OtelDecisionObserver#SCOPE}.
   */
  public static OtelRevocationLag create(OpenTelemetry otel) {
    return new OtelRevocationLag(Objects.requireNonNull(otel, "otel"));
  }

  /** Records one received revocation's lag. */
  @Override
  public void accept(Duration lag) {
    this.lag.record(lag.toNanos() / 1e9);
  }
}
