package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.spi.PolicyEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class NodeScopeTest {
  private ExecutionGraph graph;
  private Authorizer authorizer;
  private final List<String> endReasons = new ArrayList<>();

  @BeforeEach
  void setUp() {
    graph =
        ExecutionGraph.newBuilder()
            .random(new SplittableRandom(3))
            .listener(
                (node, state, reason) -> endReasons.add(node.id() + " " + state + " " + reason))
            .build();
    authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    graph.spawn(
        NodeSpec.builder("lead")
            .principal("agent:lead")
            .capabilities("tool.call tool:repo/*", "fs.write fs:/repo/**")
            .build());
  }

  private static NodeSpec search(String id) {
    return NodeSpec.builder(id).capabilities("tool.call tool:repo/search").build();
  }

  @Test
  void close_completesTheChild_andItsAuthorityCollapses() {
    try (NodeScope child = NodeScope.open(graph, "lead", search("c"))) {
      assertThat(child.node().state()).isEqualTo(NodeState.ACTIVE);
      assertThat(
              authorizer.authorize(AuthorizationRequest.of("c", "tool.call", "tool:repo/search")))
          .isInstanceOf(Decision.Permit.class);
    }
    assertThat(graph.node("c").state()).isEqualTo(NodeState.COMPLETED);
    Decision after =
        authorizer.authorize(AuthorizationRequest.of("c", "tool.call", "tool:repo/search"));
    assertThat(((Decision.Deny) after).reason()).isEqualTo(Reason.COMPLETED);
    assertThat(graph.node("lead").state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void open_widerThanParent_isRefused_andNothingIsSpawned() {
    assertThatThrownBy(
            () ->
                NodeScope.open(
                    graph,
                    "lead",
                    NodeSpec.builder("w").capabilities("fs.read fs:/etc/**").build()))
        .isInstanceOf(ExecutionGraphException.class)
        .hasMessageContaining("fs.read fs:/etc/**");
    assertThat(graph.find("w")).isEmpty();
  }

  @Test
  void call_returning_completes_andThrowing_revokesWithTheFailuresType() throws Exception {
    String out = NodeScope.call(graph, "lead", search("ok"), node -> "ran as " + node);
    assertThat(out).isEqualTo("ran as ok");
    assertThat(graph.node("ok").state()).isEqualTo(NodeState.COMPLETED);

    assertThatThrownBy(
            () ->
                NodeScope.call(
                    graph,
                    "lead",
                    search("bad"),
                    node -> {
                      throw new IllegalStateException("secret detail");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("secret detail");
    assertThat(graph.node("bad").state()).isEqualTo(NodeState.REVOKED);
    assertThat(endReasons)
        .contains("bad REVOKED failed: java.lang.IllegalStateException")
        .noneMatch(r -> r.contains("secret detail"));
  }

  @Test
  void fail_thenClose_endsOnce_asRevoked() {
    NodeScope s = NodeScope.open(graph, "lead", search("f"));
    s.fail(new RuntimeException());
    s.close();
    s.close();
    assertThat(graph.node("f").state()).isEqualTo(NodeState.REVOKED);
    assertThat(endReasons).filteredOn(r -> r.startsWith("f ")).hasSize(1);
  }

  @Test
  void close_ofAHeldChild_revokesIt() {
    graph.spawn(
        "lead",
        NodeSpec.builder("holder")
            .capabilities("fs.write fs:/repo/**")
            .claims("fs:/repo/**")
            .build());
    try (NodeScope waiter =
        NodeScope.open(
            graph,
            "lead",
            NodeSpec.builder("waiter")
                .capabilities("fs.write fs:/repo/a/**")
                .claims("fs:/repo/a/**")
                .holdOnConflict()
                .build())) {
      assertThat(waiter.node().state()).isEqualTo(NodeState.HELD);
    }
    assertThat(graph.node("waiter").state()).isEqualTo(NodeState.REVOKED);
  }

  @Test
  void join_isNoWiderThanEveryParent() {
    graph.spawn("lead", NodeSpec.builder("a").capabilities("tool.call tool:repo/*").build());
    graph.spawn("lead", NodeSpec.builder("b").capabilities("tool.call tool:repo/search").build());
    assertThatThrownBy(
            () ->
                NodeScope.join(
                    graph,
                    List.of("a", "b"),
                    NodeSpec.builder("m").capabilities("tool.call tool:repo/read").build()))
        .isInstanceOf(ExecutionGraphException.class)
        .hasMessageContaining("'b'");
    try (NodeScope m = NodeScope.join(graph, List.of("a", "b"), search("m"))) {
      assertThat(m.node().parents()).containsExactly("a", "b");
    }
    assertThat(graph.node("m").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(graph.node("a").state()).isEqualTo(NodeState.ACTIVE);
  }
}
