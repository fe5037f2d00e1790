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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec-authz policy replay}, run as a process, on logs whose records carry the optional
 * fields: a shadow disagreement changes nothing about the replay; kept arguments are replayed,
 * unless a candidate policy reads one the log redacted.
 */
final class PolicyReplayAuditFieldsEndToEndTest {
  @TempDir Path dir;

  static final String PERMIT_ALL =
      """
      @id("permit-all")
      permit(principal, action, resource);
      """;

  /** Reads the kept argument {@code repo}. */
  static final String NO_SECRET_REPO =
      """
      @id("no-secret-repo")
      forbid(principal, action, resource)
        when { context.args has repo && context.args.repo == "acme/secret" };
      """;

  static final String NO_SHELL =
      PERMIT_ALL
          + """
          @id("no-shell")
          forbid(principal, action == Action::"tool.call", resource == Tool::"shell/run");
          """;

  /** One node, {@code task}, that may call any tool. */
  private static ExecutionGraph coderGraph() {
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("task")
            .principal("agent:coder")
            .capabilities("tool.call tool:**")
            .build());
    return graph;
  }

  private static CedarPolicyEngine engine(String text) {
    return CedarPolicyEngine.of(PolicyStore.newBuilder().policies("p.cedar", text).build());
  }

  @Test
  void aLogWithShadowDisagreements_replaysAsAnyOther() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    ExecutionGraph graph = coderGraph();
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

  /** A log written with kept arguments, the token redacted: five calls, four with arguments. */
  private Path keptArgumentsLog(boolean keep) throws Exception {
    Path log = dir.resolve(keep ? "kept.jsonl" : "hashed.jsonl");
    ExecutionGraph graph = coderGraph();
    JsonLinesAuditSink.Builder b = JsonLinesAuditSink.newBuilder(log);
    if (keep) {
      b.keepArguments(true).redact("token");
    }
    try (JsonLinesAuditSink sink = b.build()) {
      Authorizer a =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(engine(PERMIT_ALL))
              .auditSink(sink)
              .build();
      for (Map<String, Object> args :
          List.of(
              Map.<String, Object>of("repo", "acme/api", "title", "a"),
              Map.<String, Object>of("repo", "acme/secret", "title", "b"),
              Map.<String, Object>of("repo", "other/x", "title", "c", "ratio", 0.25),
              Map.<String, Object>of(),
              Map.<String, Object>of("repo", "acme/secret", "token", "s3cr3t"))) {
        a.authorize(
            AuthorizationRequest.of("task", "tool.call", "tool:github/create_issue")
                .withArgs(args));
      }
    }
    assertThat(AuditLogVerifier.verify(log).valid()).isTrue();
    return log;
  }

  private Cli.Result replay(Path log, String policies) throws Exception {
    Path candidate = Files.writeString(dir.resolve("candidate.cedar"), policies);
    return Cli.run(
        "policy",
        "replay",
        "--audit",
        log.toString(),
        "--policies",
        candidate.toString(),
        "--schema",
        "none",
        "--format",
        "json");
  }

  @Test
  void keptArguments_areReplayed_aPolicyReadingRepoFlipsExactlyItsRecords() throws Exception {
    Path log = keptArgumentsLog(true);
    assertThat(Files.readString(log)).doesNotContain("s3cr3t").contains("\"redacted\":[\"token\"]");

    Cli.Result r = replay(log, PERMIT_ALL + NO_SECRET_REPO);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("flips")).extracting(f -> f.get("seq").asInt()).containsExactly(2, 5);
    assertThat(report.get("flips").get(0).get("newPolicies").get(0).asText())
        .isEqualTo("no-secret-repo");
    assertThat(report.get("undecidedCount").asInt()).isZero();
    assertThat(report.get("redecided").asInt()).isEqualTo(5);
  }

  @Test
  void aRedactedKeyTheCandidateReads_isReportedUndecidable_withTheReason() throws Exception {
    Path log = keptArgumentsLog(true);

    Cli.Result r =
        replay(
            log,
            PERMIT_ALL
                + """
                @id("no-tokens")
                forbid(principal, action, resource) when { context.args has token };
                """);

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("undecided")).extracting(u -> u.get("seq").asInt()).containsExactly(5);
    assertThat(report.get("undecided").get(0).get("why").asText())
        .contains("context.args.token")
        .contains("redacted");
    assertThat(report.get("redecided").asInt()).isEqualTo(4);
  }

  @Test
  void withoutKeptArguments_theRecordsWithArguments_cannotBeDecided() throws Exception {
    Path log = keptArgumentsLog(false);

    Cli.Result r = replay(log, PERMIT_ALL + NO_SECRET_REPO);

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("undecided"))
        .extracting(u -> u.get("seq").asInt())
        .containsExactly(1, 2, 3, 5);
    assertThat(report.get("undecided").get(0).get("why").asText()).contains("keepArguments");
    assertThat(report.get("redecided").asInt()).isEqualTo(1); // the call without arguments
  }
}
