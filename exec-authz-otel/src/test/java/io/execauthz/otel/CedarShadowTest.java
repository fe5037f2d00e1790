package io.execauthz.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.TraceContext;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Shadow policies end to end: real Cedar on both sides, real OpenTelemetry SDK. */
final class CedarShadowTest {
  static final String ENFORCING =
      """
      @id("baseline")
      permit(principal, action, resource);

      @id("no-unapproved-slack-posts")
      forbid(principal, action == Action::"tool.call", resource == Tool::"slack/post_message")
        unless { context.approved };
      """;

  /** The candidate also forbids deploys, and lifts nothing. */
  static final String CANDIDATE =
      ENFORCING
          + """

          @id("no-deploys")
          forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/apply");
          """;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .build();

  @AfterEach
  void close() {
    otel.close();
  }

  @Test
  void aCandidatePolicySet_disagreesVisibly_andTheEnforcingSetStillDecides() {
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("agent:ops")
            .capabilities("tool.call tool:**")
            .trace(new TraceContext(OtelDecisionObserverTest.TRACE_ID, "00f067aa0ba902b7", 1))
            .build());
    Authorizer a =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(CedarPolicyEngine.of(PolicyStore.of(ENFORCING)))
            .shadowPolicyEngine(CedarPolicyEngine.of(PolicyStore.of(CANDIDATE)))
            .observer(OtelDecisionObserver.of(otel))
            .build();

    Decision deploy = a.authorize("session", "tool.call", "tool:deploy/apply");
    Decision deployAgain = a.authorize("session", "tool.call", "tool:deploy/apply");
    Decision git = a.authorize("session", "tool.call", "tool:git/status");
    Decision slack = a.authorize("session", "tool.call", "tool:slack/post_message");

    // the enforcing set decides: the candidate's forbid changes nothing
    assertThat(deploy.isPermit()).isTrue();
    assertThat(deployAgain.isPermit()).isTrue();
    assertThat(git.isPermit()).isTrue();
    assertThat(slack.isPermit()).isFalse(); // both sets forbid it: no disagreement

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(4);
    assertThat(finished)
        .extracting(s -> s.getAttributes().get(OtelDecisionObserver.SHADOW_DISAGREES))
        .containsExactly(true, true, false, false);
    assertThat(finished.get(0).getAttributes().get(OtelDecisionObserver.SHADOW_POLICIES))
        .containsExactly("no-deploys");
    assertThat(finished.get(0).getAttributes().get(OtelDecisionObserver.POLICIES))
        .containsExactly("baseline");

    MetricData disagreements =
        OtelDecisionObserverTest.byName(metrics.collectAllMetrics())
            .get(OtelDecisionObserver.SHADOW_DISAGREEMENTS);
    assertThat(disagreements.getLongSumData().getPoints())
        .singleElement()
        .extracting(LongPointData::getValue)
        .isEqualTo(2L);
  }
}
