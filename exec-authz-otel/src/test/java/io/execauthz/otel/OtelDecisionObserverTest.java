package io.execauthz.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.TraceContext;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class OtelDecisionObserverTest {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String NODE_SPAN = "00f067aa0ba902b7";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final OpenTelemetrySdk otel = sdk(Sampler.parentBased(Sampler.alwaysOn()));
  private final InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));

  /** Permits everything but deploys. */
  private static final PolicyEngine ENFORCING =
      r -> new PolicyDecision(!r.resource().equals("tool:deploy"), List.of("enforcing"), List.of());

  private OpenTelemetrySdk sdk(Sampler sampler) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .setSampler(sampler)
                .addSpanProcessor(SimpleSpanProcessor.create(spans))
                .build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .build();
  }

  @AfterEach
  void close() {
    otel.close();
  }

  private Authorizer authorizer(OtelDecisionObserver observer, PolicyEngine shadow) {
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("agent:coder")
            .capabilities("tool.call tool:*")
            .trace(new TraceContext(TRACE_ID, NODE_SPAN, 1))
            .build());
    graph.spawn("session", NodeSpec.builder("task").capabilities("tool.call tool:*").build());
    Authorizer.Builder b = Authorizer.newBuilder().graph(graph).policyEngine(ENFORCING);
    if (shadow != null) {
      b.shadowPolicyEngine(shadow);
    }
    return b.observer(observer).build();
  }

  @Test
  void aDecision_isASpan_parentedOnTheNodesTraceparent_withItsAttributes() {
    Authorizer a = authorizer(OtelDecisionObserver.of(otel), null);
    Decision d = a.authorize("session", "tool.call", "tool:git");

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(1);
    SpanData s = finished.get(0);
    assertThat(s.getName()).isEqualTo(OtelDecisionObserver.SPAN_NAME);
    assertThat(s.getKind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(s.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(s.getParentSpanId()).isEqualTo(NODE_SPAN);
    assertThat(s.getParentSpanContext().isRemote()).isTrue();
    assertThat(s.getAttributes().get(OtelDecisionObserver.NODE)).isEqualTo("session");
    assertThat(s.getAttributes().get(OtelDecisionObserver.PRINCIPAL)).isEqualTo("agent:coder");
    assertThat(s.getAttributes().get(OtelDecisionObserver.ACTION)).isEqualTo("tool.call");
    assertThat(s.getAttributes().get(OtelDecisionObserver.RESOURCE)).isEqualTo("tool:git");
    assertThat(s.getAttributes().get(OtelDecisionObserver.DECISION)).isEqualTo("permit");
    assertThat(s.getAttributes().get(OtelDecisionObserver.DECISION_ID)).isEqualTo(d.decisionId());
    assertThat(s.getAttributes().get(OtelDecisionObserver.POLICIES)).containsExactly("enforcing");
    assertThat(s.getAttributes().get(OtelDecisionObserver.CACHE_HIT)).isFalse();
    assertThat(s.getAttributes().get(OtelDecisionObserver.REASON)).isNull();
    assertThat(s.getAttributes().get(OtelDecisionObserver.SHADOW_DISAGREES)).isNull();
    assertThat(s.getEndEpochNanos()).isGreaterThanOrEqualTo(s.getStartEpochNanos());
  }

  @Test
  void aChildNode_sharesTheRootsTrace_andTheRequestsOwnTraceparentWins() {
    Authorizer a = authorizer(OtelDecisionObserver.of(otel), null);
    a.authorize("task", "tool.call", "tool:git");
    String callerSpan = "b7ad6b7169203331";
    a.authorize(
        AuthorizationRequest.of("task", "tool.call", "tool:git")
            .withTraceparent("00-" + TRACE_ID + "-" + callerSpan + "-01"));

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(2);
    assertThat(finished).allMatch(s -> s.getTraceId().equals(TRACE_ID));
    // the child node has a span id of its own in the root's trace
    assertThat(finished.get(0).getParentSpanId()).isNotEqualTo(NODE_SPAN).hasSize(16);
    assertThat(finished.get(0).getAttributes().get(OtelDecisionObserver.NODE_PATH))
        .containsExactly("session", "task");
    assertThat(finished.get(1).getParentSpanId()).isEqualTo(callerSpan);
  }

  @Test
  void denies_carryTheirReason_andAnErrorDenySetsTheErrorStatus() {
    PolicyEngine broken = r -> new PolicyDecision(false, List.of(), List.of("boom"));
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:*").build());
    Authorizer a =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(broken)
            .observer(OtelDecisionObserver.of(otel))
            .build();
    a.authorize("t", "tool.call", "tool:git");
    a.authorize("t", "net.connect", "net:example.com:443");

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished.get(0).getAttributes().get(OtelDecisionObserver.REASON)).isEqualTo("ERROR");
    assertThat(finished.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(finished.get(1).getAttributes().get(OtelDecisionObserver.REASON))
        .isEqualTo("OUT_OF_SCOPE");
    assertThat(finished.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(finished.get(1).getAttributes().get(OtelDecisionObserver.CACHE_HIT)).isNull();
  }

  @Test
  void metrics_countDecisionsByOutcomeAndReason_timeThemInSeconds_andCountCacheHits() {
    Authorizer a = authorizer(OtelDecisionObserver.of(otel), null);
    for (int i = 0; i < 4; i++) {
      // asked on the first two sightings (the cache keeps a request from its second), then hits
      a.authorize("session", "tool.call", "tool:git");
    }
    a.authorize("session", "tool.call", "tool:deploy");
    a.authorize("session", "net.connect", "net:example.com:443");

    Map<String, MetricData> m = byName(metrics.collectAllMetrics());
    MetricData decisions = m.get(OtelDecisionObserver.DECISIONS);
    assertThat(decisions.getUnit()).isEqualTo("{decision}");
    assertThat(counts(decisions))
        .containsEntry("permit/null", 4L)
        .containsEntry("deny/POLICY", 1L)
        .containsEntry("deny/OUT_OF_SCOPE", 1L)
        .hasSize(3);

    MetricData duration = m.get(OtelDecisionObserver.DURATION);
    assertThat(duration.getUnit()).isEqualTo("s");
    long histogramCount =
        duration.getHistogramData().getPoints().stream()
            .mapToLong(HistogramPointData::getCount)
            .sum();
    assertThat(histogramCount).isEqualTo(6);
    assertThat(duration.getHistogramData().getPoints())
        .allMatch(p -> p.getMax() < 60, "latencies recorded in seconds, not nanoseconds");

    MetricData evaluations = m.get(OtelDecisionObserver.POLICY_EVALUATIONS);
    Map<Boolean, Long> hits =
        evaluations.getLongSumData().getPoints().stream()
            .collect(
                Collectors.toMap(
                    p -> p.getAttributes().get(OtelDecisionObserver.CACHE_HIT),
                    LongPointData::getValue));
    assertThat(hits).containsEntry(true, 2L).containsEntry(false, 3L);
    assertThat(m).doesNotContainKey(OtelDecisionObserver.SHADOW_DISAGREEMENTS);
  }

  @Test
  void shadowDisagreements_areAMetricAndASpanAttribute_andChangeNoDecision() {
    PolicyEngine candidate =
        r ->
            new PolicyDecision(
                !r.resource().equals("tool:deploy") && !r.resource().equals("tool:shell"),
                List.of("candidate"),
                List.of());
    Authorizer a = authorizer(OtelDecisionObserver.of(otel), candidate);
    assertThat(a.authorize("session", "tool.call", "tool:shell").isPermit()).isTrue();
    assertThat(a.authorize("session", "tool.call", "tool:git").isPermit()).isTrue();

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished.get(0).getAttributes().get(OtelDecisionObserver.SHADOW_DISAGREES)).isTrue();
    assertThat(finished.get(0).getAttributes().get(OtelDecisionObserver.SHADOW_DECISION))
        .isEqualTo("deny");
    assertThat(finished.get(1).getAttributes().get(OtelDecisionObserver.SHADOW_DISAGREES))
        .isFalse();
    MetricData disagreements =
        byName(metrics.collectAllMetrics()).get(OtelDecisionObserver.SHADOW_DISAGREEMENTS);
    assertThat(disagreements.getUnit()).isEqualTo("{disagreement}");
    LongPointData p = disagreements.getLongSumData().getPoints().iterator().next();
    assertThat(p.getValue()).isEqualTo(1);
    assertThat(p.getAttributes().get(OtelDecisionObserver.DECISION)).isEqualTo("permit");
    assertThat(p.getAttributes().get(OtelDecisionObserver.SHADOW_DECISION)).isEqualTo("deny");
  }

  @Test
  void eventMode_addsAnEventToTheCallersSpan_andStartsASpanOnlyWhenThereIsNone() {
    Authorizer a =
        authorizer(OtelDecisionObserver.newBuilder(otel).eventsOnCurrentSpan().build(), null);
    Span toolCall = otel.getTracer("test").spanBuilder("execute_tool git").startSpan();
    Scope scope = toolCall.makeCurrent();
    try {
      a.authorize("session", "tool.call", "tool:git");
    } finally {
      scope.close();
      toolCall.end();
    }
    a.authorize("session", "tool.call", "tool:git"); // no current span

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(2);
    SpanData tool = finished.get(0);
    assertThat(tool.getName()).isEqualTo("execute_tool git");
    assertThat(tool.getEvents()).hasSize(1);
    assertThat(tool.getEvents().get(0).getName()).isEqualTo(OtelDecisionObserver.SPAN_NAME);
    assertThat(tool.getEvents().get(0).getAttributes().get(OtelDecisionObserver.DECISION))
        .isEqualTo("permit");
    assertThat(finished.get(1).getName()).isEqualTo(OtelDecisionObserver.SPAN_NAME);
    assertThat(finished.get(1).getParentSpanId()).isEqualTo(NODE_SPAN);
  }

  @Test
  void anUnsampledNodeTrace_exportsNoSpan_butStillCounts() {
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("quiet")
            .principal("agent:x")
            .capabilities("tool.call tool:*")
            .trace(new TraceContext(TRACE_ID, NODE_SPAN, 0))
            .build());
    Authorizer a =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(PolicyEngine.permitAll())
            .observer(OtelDecisionObserver.of(otel))
            .build();
    a.authorize("quiet", "tool.call", "tool:git");

    assertThat(spans.getFinishedSpanItems()).isEmpty();
    assertThat(counts(byName(metrics.collectAllMetrics()).get(OtelDecisionObserver.DECISIONS)))
        .containsEntry("permit/null", 1L);
  }

  static Map<String, MetricData> byName(Collection<MetricData> all) {
    return all.stream().collect(Collectors.toMap(MetricData::getName, d -> d));
  }

  /** "decision/reason" to count. */
  static Map<String, Long> counts(MetricData counter) {
    return counter.getLongSumData().getPoints().stream()
        .collect(
            Collectors.toMap(
                p ->
                    p.getAttributes().get(OtelDecisionObserver.DECISION)
                        + "/"
                        + p.getAttributes().get(OtelDecisionObserver.REASON),
                LongPointData::getValue));
  }
}
