package io.execauthz.benchmarks;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.otel.OtelDecisionObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observing decisions costs, on {@link AuthorizeBenchmark}'s request (audit discarded, so the
 * observer's share is not hidden behind file appends): {@code cachedHit} with the decision cache on
 * and {@code uncached} with it off.
 *
 * <p>{@code tracing=off}: no observer. {@code noop}: {@link OtelDecisionObserver} over {@link
 * OpenTelemetry#noop()} (what a library user pays when no SDK is installed). {@code sdk}: a real
 * SDK — a span per decision through a {@link BatchSpanProcessor} and the four metrics through a
 * periodic reader, both exporters discarding, so export itself is not measured but the SDK's
 * recording, queueing and aggregation are.
 *
 * <p>{@code shadow=on}: a second Cedar engine (the same ten policies plus one forbid) asked beside
 * the enforcing one; on a cache hit its answer comes from the cache with the enforcing one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class TracingBenchmark {
  @Param({"off", "noop", "sdk"})
  public String tracing;

  @Param({"off", "on"})
  public String shadow;

  private PolicyStore store;
  private PolicyStore candidate;
  private OpenTelemetrySdk sdk;
  private final LongAdder exportedSpans = new LongAdder();
  private Authorizer cached;
  private Authorizer uncached;
  private AuthorizationRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    store = Fixtures.store("default");
    OtelDecisionObserver observer;
    switch (tracing) {
      case "off":
        observer = null;
        break;
      case "noop":
        observer = OtelDecisionObserver.of(OpenTelemetry.noop());
        break;
      case "sdk":
        sdk =
            OpenTelemetrySdk.builder()
                .setTracerProvider(
                    SdkTracerProvider.builder()
                        .addSpanProcessor(BatchSpanProcessor.builder(new Discard()).build())
                        .build())
                .setMeterProvider(
                    SdkMeterProvider.builder()
                        .registerMetricReader(
                            PeriodicMetricReader.builder(new DiscardMetrics())
                                .setInterval(Duration.ofSeconds(1))
                                .build())
                        .build())
                .build();
        observer = OtelDecisionObserver.of(sdk);
        break;
      default:
        throw new IllegalArgumentException("tracing must be off, noop or sdk, was " + tracing);
    }
    CedarPolicyEngine shadowEngine = null;
    if (shadow.equals("on")) {
      candidate =
          PolicyStore.newBuilder()
              .policies(
                  "candidate.cedar",
                  Fixtures.POLICIES
                      + "\n@id(\"no-issues-from-deep-tasks\")\n"
                      + "forbid(principal, action == Action::\"tool.call\","
                      + " resource == Tool::\"github/create_issue\") when { context.depth > 2 };\n")
              .build();
      shadowEngine = CedarPolicyEngine.of(candidate);
    } else if (!shadow.equals("off")) {
      throw new IllegalArgumentException("shadow must be off or on, was " + shadow);
    }
    ExecutionGraph graph = Fixtures.agentRun(ExecutionGraph.newBuilder());
    cached = build(graph, observer, shadowEngine, true);
    uncached = build(graph, observer, shadowEngine, false);
    request = Fixtures.request();
    Fixtures.check(cachedHit().isPermit(), "cachedHit does not permit");
    Fixtures.check(uncached().isPermit(), "uncached does not permit");
  }

  private Authorizer build(
      ExecutionGraph graph,
      OtelDecisionObserver observer,
      CedarPolicyEngine shadowEngine,
      boolean cache) {
    Authorizer.Builder b =
        Authorizer.newBuilder().graph(graph).policyEngine(CedarPolicyEngine.of(store));
    if (!cache) {
      b.decisionCache(0);
    }
    if (observer != null) {
      b.observer(observer);
    }
    if (shadowEngine != null) {
      b.shadowPolicyEngine(shadowEngine);
    }
    return b.build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    Fixtures.check(cachedHit().isPermit(), "cachedHit stopped permitting");
    if (sdk != null) {
      sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
      Fixtures.check(exportedSpans.sum() > 0, "the SDK exported no span");
      sdk.close();
    }
    store.close();
    if (candidate != null) {
      candidate.close();
    }
  }

  @Benchmark
  public Decision cachedHit() {
    return cached.authorize(request);
  }

  @Benchmark
  public Decision uncached() {
    return uncached.authorize(request);
  }

  /** Counts and drops spans: the batching processor does its work, nothing is sent. */
  private final class Discard implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exportedSpans.add(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** Drops metrics after the reader has collected them. */
  private static final class DiscardMetrics implements MetricExporter {
    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
