package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.AuditRecord;
import io.execauthz.audit.AuditVerification;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.internal.Json;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow engine's disagreement is kept in the audit record — and only a disagreement, so a record
 * where both answer alike is byte for byte the record written without a shadow engine.
 */
final class ShadowAuditTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  /** Enforcing: permits everything but deploys. */
  private static final PolicyEngine ENFORCING =
      r -> new PolicyDecision(!r.resource().equals("tool:deploy"), List.of("enforcing"), List.of());

  /** Candidate: forbids shell, permits deploys. */
  private static final PolicyEngine CANDIDATE =
      r -> new PolicyDecision(!r.resource().equals("tool:shell"), List.of("candidate"), List.of());

  /** Runs the same requests with or without a shadow engine; returns the log's lines. */
  private List<String> run(String name, PolicyEngine shadow) throws Exception {
    Path log = dir.resolve(name + ".jsonl");
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:*").build());
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log).build()) {
      Authorizer.Builder b =
          Authorizer.newBuilder().graph(graph).policyEngine(ENFORCING).auditSink(sink);
      if (shadow != null) {
        b.shadowPolicyEngine(shadow);
      }
      Authorizer a = b.build();
      a.authorize("t", "tool.call", "tool:git"); // both permit
      a.authorize("t", "tool.call", "tool:shell"); // enforcing permits, candidate denies
      a.authorize("t", "tool.call", "tool:deploy"); // enforcing denies, candidate permits
      a.authorize("t", "tool.call", "tool:shell"); // the cached answer, its shadow with it
      a.authorize("t", "net.connect", "net:x:1"); // out of scope: no policy asked
    }
    AuditVerification v = AuditLogVerifier.verify(log);
    assertThat(v.valid()).as(v.problem()).isTrue();
    return Files.readAllLines(log);
  }

  @Test
  void aDisagreement_isRecorded_andEveryOtherRecordIsUnchanged() throws Exception {
    List<String> without = run("without", null);
    List<String> with = run("with", CANDIDATE);

    List<Map<?, ?>> parsed = new ArrayList<>();
    with.forEach(l -> parsed.add((Map<?, ?>) Json.parse(l)));
    assertThat(parsed.get(1).get("decision")).isEqualTo("PERMIT");
    assertThat(parsed.get(1).get("shadow"))
        .isEqualTo(
            Map.of("decision", "DENY", "policies", List.of("candidate"), "errors", List.of()));
    assertThat(with.get(1))
        .endsWith(
            ",\"shadow\":{\"decision\":\"DENY\",\"policies\":[\"candidate\"],\"errors\":[]}}");
    assertThat(parsed.get(2).get("shadow"))
        .isEqualTo(
            Map.of("decision", "PERMIT", "policies", List.of("candidate"), "errors", List.of()));
    assertThat(parsed.get(3).get("shadow")).isEqualTo(parsed.get(1).get("shadow"));
    // agreeing and unpoliced records: what a log without a shadow engine holds, byte for byte
    // but for the random decision id and trace and the chain link
    assertThat(with.get(0)).doesNotContain("shadow");
    assertThat(parsed.get(4).containsKey("shadow")).isFalse();
    assertThat(unlinked(with.get(0))).isEqualTo(unlinked(without.get(0)));
    assertThat(unlinked(with.get(4))).isEqualTo(unlinked(without.get(4)));
  }

  /** The line without its decision id, trace (both random per run) and {@code prev} hash. */
  private static String unlinked(String line) {
    return line.replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"\"")
        .replaceFirst("\"decisionId\":\"[^\"]*\"", "\"decisionId\":\"\"")
        .replaceFirst("\"traceparent\":\"[^\"]*\"", "\"traceparent\":\"\"");
  }

  @Test
  void aFailingShadow_isRecordedAsADenyWithItsError() throws Exception {
    List<String> lines =
        run(
            "failing",
            r -> {
              throw new IllegalStateException("candidate broken");
            });

    Map<?, ?> first = (Map<?, ?>) Json.parse(lines.get(0));
    Map<?, ?> shadow = (Map<?, ?>) first.get("shadow");
    assertThat(first.get("decision")).isEqualTo("PERMIT");
    assertThat(shadow.get("decision")).isEqualTo("DENY");
    assertThat((List<?>) shadow.get("errors")).singleElement().asString().contains("failed");
    // the enforcing deny of the deploy agrees with a failing shadow: nothing recorded
    assertThat(((Map<?, ?>) Json.parse(lines.get(2))).containsKey("shadow")).isFalse();
  }

  @Test
  void ifDisagreeing_isNullWhenBothAgreeOrOneIsMissing() {
    PolicyDecision permit = new PolicyDecision(true, List.of("p"), List.of());
    PolicyDecision deny = new PolicyDecision(false, List.of(), List.of());
    PolicyDecision permitButErred = new PolicyDecision(true, List.of("p"), List.of("boom"));

    assertThat(AuditRecord.Shadow.ifDisagreeing(permit, permit)).isNull();
    assertThat(AuditRecord.Shadow.ifDisagreeing(deny, permitButErred)).isNull();
    assertThat(AuditRecord.Shadow.ifDisagreeing(null, deny)).isNull();
    assertThat(AuditRecord.Shadow.ifDisagreeing(permit, null)).isNull();
    AuditRecord.Shadow s = AuditRecord.Shadow.ifDisagreeing(permit, permitButErred);
    assertThat(s.decision()).isEqualTo("DENY");
    assertThat(s.errors()).containsExactly("boom");
  }
}
