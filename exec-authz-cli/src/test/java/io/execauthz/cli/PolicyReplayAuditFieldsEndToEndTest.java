package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec-authz policy replay}, run as a process, on logs whose records carry the optional
 * fields: a shadow disagreement changes nothing about the replay.
 */
final class PolicyReplayAuditFieldsEndToEndTest {
  @TempDir Path dir;

  static final String PERMIT_ALL =
      """
      @id("permit-all")
      permit(principal, action, resource);
      """;

  static final String NO_SHELL =
      PERMIT_ALL
          + """
          @id("no-shell")
          forbid(principal, action == Action::"tool.call", resource == Tool::"shell/run");
          """;

  private static CedarPolicyEngine engine(String text) {
    return CedarPolicyEngine.of(PolicyStore.newBuilder().policies("p.cedar", text).build());
  }

  @Test
  void aLogWithShadowDisagreements_replaysAsAnyOther() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("task")
            .principal("agent:coder")
            .capabilities("tool.call tool:**")
            .build());
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log).build()) {
      Authorizer a =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(engine(PERMIT_ALL))
              .shadowPolicyEngine(engine(NO_SHELL))
              .auditSink(sink)
              .build();
      a.authorize("task", "tool.call", "tool:git/status");
      a.authorize(
          AuthorizationRequest.of("task", "tool.call", "tool:shell/run")
              .withArgs(Map.of("cmd", "ls")));
      a.authorize("task", "tool.call", "tool:git/log");
    }
    assertThat(AuditLogVerifier.verify(log).valid()).isTrue();
    assertThat(Files.readAllLines(log).get(1)).contains("\"shadow\":{\"decision\":\"DENY\"");
    Path enforcing = Files.writeString(dir.resolve("enforcing.cedar"), PERMIT_ALL);
    Path candidate = Files.writeString(dir.resolve("candidate.cedar"), NO_SHELL);

    Cli.Result same =
        Cli.run("policy", "replay", "--audit", log.toString(), "--policies", enforcing.toString());
    Cli.Result flips =
        Cli.run(
            "policy",
            "replay",
            "--audit",
            log.toString(),
            "--policies",
            candidate.toString(),
            "--format",
            "json");

    assertThat(same.exit()).as(same.out() + same.err()).isZero();
    assertThat(same.out()).contains("replayed 3 records").contains("flips: 0");
    assertThat(flips.exit()).as(flips.out() + flips.err()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(flips.out());
    assertThat(report.get("flips")).extracting(f -> f.get("seq").asInt()).containsExactly(2);
    assertThat(report.get("flips").get(0).get("record").get("shadow").get("decision").asText())
        .isEqualTo("DENY");
  }
}
