package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end: core's graph and authorizer, deciding with the Cedar engine. */
final class AuthorizerIntegrationTest {
  private static final String POLICIES =
      """
      @id("baseline") permit(principal, action, resource);

      @id("no-shell-without-approval")
      forbid(principal, action == Action::"tool.call", resource == Tool::"shell/exec")
        unless { context.approved };

      @id("depth-limit")
      forbid(principal, action, resource) when { context.depth > 3 };

      @id("batch-3-no-writes")
      forbid(principal, action == Action::"fs.write", resource)
        when { context.execution in Execution::"batch-3" };

      @id("only-alice-deploys")
      forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/prod")
        unless { context.delegators.contains("user:alice") };
      """;

  private ExecutionGraph graph;
  private Authorizer authorizer;
  private CedarPolicyEngine engine;

  @BeforeEach
  void setUp() {
    graph =
        ExecutionGraph.newBuilder()
            .clock(InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")))
            .build();
    engine = CedarPolicyEngine.of(PolicyStore.of(POLICIES));
    authorizer = Authorizer.newBuilder().graph(graph).policyEngine(engine).build();
    graph.spawn(
        NodeSpec.builder("session")
            .kind("session")
            .principal("user:alice")
            .capabilities("tool.call tool:**", "fs.* fs:/repo/**")
            .ttl(Duration.ofHours(1))
            .build());
    graph.spawn(
        "session",
        NodeSpec.builder("batch-3")
            .kind("batch")
            .principal("agent:planner")
            .capabilities("tool.call tool:**", "fs.* fs:/repo/**")
            .build());
    graph.spawn(
        "batch-3",
        NodeSpec.builder("task-1")
            .principal("agent:coder")
            .capabilities("tool.call tool:**", "fs.* fs:/repo/**")
            .build());
  }

  @Test
  void permit_namesTheDeterminingPolicy() {
    Decision d = authorizer.authorize("task-1", "tool.call", "tool:github/create_issue");
    assertThat(d).isInstanceOf(Decision.Permit.class);
    assertThat(d.determiningPolicies()).containsExactly("baseline");
  }

  @Test
  void shellWithoutApproval_isDeniedByPolicy() {
    Decision d = authorizer.authorize("task-1", "tool.call", "tool:shell/exec");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class, deny -> assertThat(deny.reason()).isEqualTo(Reason.POLICY));
    assertThat(d.determiningPolicies()).containsExactly("no-shell-without-approval");
    assertThat(
            authorizer.authorize(
                AuthorizationRequest.of("task-1", "tool.call", "tool:shell/exec").withApproval()))
        .isInstanceOf(Decision.Permit.class);
  }

  @Test
  void batchScopedForbid_appliesBelowTheBatchOnly() {
    assertThat(authorizer.authorize("task-1", "fs.write", "fs:/repo/a.md").determiningPolicies())
        .containsExactly("batch-3-no-writes");
    assertThat(authorizer.authorize("session", "fs.write", "fs:/repo/a.md").isPermit()).isTrue();
  }

  @Test
  void depthLimit_andDelegators() {
    String parent = "task-1";
    for (int i = 0; i < 2; i++) {
      graph.spawn(parent, NodeSpec.builder("sub-" + i).capabilities("tool.call tool:**").build());
      parent = "sub-" + i;
    }
    // sub-1 is at depth 4
    assertThat(authorizer.authorize("sub-0", "tool.call", "tool:github/x").isPermit()).isTrue();
    assertThat(authorizer.authorize("sub-1", "tool.call", "tool:github/x").determiningPolicies())
        .containsExactly("depth-limit");
    // alice is the root principal, so every node below delegates from her
    assertThat(authorizer.authorize("task-1", "tool.call", "tool:deploy/prod").isPermit()).isTrue();
  }

  @Test
  void delegatorsWithoutAlice_areDenied() {
    graph.spawn(
        NodeSpec.builder("bob-session")
            .principal("user:bob")
            .capabilities("tool.call tool:**")
            .build());
    Decision d = authorizer.authorize("bob-session", "tool.call", "tool:deploy/prod");
    assertThat(d.determiningPolicies()).containsExactly("only-alice-deploys");
  }

  @Test
  void cedarError_isDenyError_withTheErrors() {
    CedarPolicyEngine noSchema =
        CedarPolicyEngine.of(
            PolicyStore.newBuilder()
                .noSchema()
                .policies(
                    "p",
                    "permit(principal, action, resource) when { context.args.branch == \"main\" };")
                .build());
    Authorizer a = Authorizer.newBuilder().graph(graph).policyEngine(noSchema).build();
    Decision ok =
        a.authorize(
            AuthorizationRequest.of("task-1", "tool.call", "tool:git/push")
                .withArgs(Map.of("branch", "main")));
    assertThat(ok.isPermit()).isTrue();
    Decision d = a.authorize("task-1", "tool.call", "tool:git/push");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class,
            deny -> {
              assertThat(deny.reason()).isEqualTo(Reason.ERROR);
              assertThat(deny.errors()).singleElement().asString().contains("errored");
            });
  }

  @Test
  void engineVersion_followsTheStore() {
    long v = engine.version();
    assertThat(
            engine
                .store()
                .replacePolicies(Map.of("p", "forbid(principal, action, resource);"))
                .applied())
        .isTrue();
    assertThat(engine.version()).isGreaterThan(v);
    assertThat(authorizer.authorize("task-1", "tool.call", "tool:github/x").isPermit()).isFalse();
    assertThat(List.of(engine.stats().decisions())).isNotEmpty();
  }
}
