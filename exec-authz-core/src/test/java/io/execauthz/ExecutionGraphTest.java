package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.spi.GraphListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ExecutionGraphTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final ExecutionGraph graph = configured(ExecutionGraph.newBuilder()).build();

  private ExecutionGraph.Builder configured(ExecutionGraph.Builder b) {
    return b.clock(clock).random(new SplittableRandom(7));
  }

  private ExecutionGraph withLimits(Consumer<ExecutionGraph.Builder> limits) {
    ExecutionGraph.Builder b = configured(ExecutionGraph.newBuilder());
    limits.accept(b);
    return b.build();
  }

  private static NodeSpec.Builder spec(String id, String... capabilities) {
    return NodeSpec.builder(id).capabilities(capabilities);
  }

  private static NodeSpec rootSpec(String id, String... capabilities) {
    return spec(id, capabilities).principal("user:alice").build();
  }

  /** A session with broad authority over tools and the repo. */
  private ExecutionNode session(ExecutionGraph g) {
    return g.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .kind("session")
            .capabilities("tool.call tool:**", "fs.* fs:/repo/**")
            .build());
  }

  private static ExecutionGraphException refusal(GraphError expected, Runnable operation) {
    try {
      operation.run();
    } catch (ExecutionGraphException e) {
      assertThat(e.error()).as("error of: %s", e.getMessage()).isEqualTo(expected);
      assertThat(e.getMessage()).startsWith(expected.name());
      return e;
    }
    throw new AssertionError("expected " + expected + ", but the operation succeeded");
  }

  // ---------------------------------------------------------------- spawn and attenuation

  @Test
  void spawn_narrowerThanParent_isCreatedActive() {
    session(graph);

    ExecutionNode b =
        graph.spawn(
            "s",
            spec("b1", "fs.read fs:/repo/**", "tool.call tool:github/*").kind("batch").build());

    assertThat(b.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(b.parents()).containsExactly("s");
    assertThat(b.depth()).isEqualTo(1);
    assertThat(b.kind()).isEqualTo("batch");
    assertThat(b.principal()).isEqualTo("user:alice");
    assertThat(b.capabilities().texts())
        .containsExactly("fs.read fs:/repo/**", "tool.call tool:github/*");
    assertThat(graph.find("b1")).containsSame(b);
    assertThat(graph.node("b1")).isSameAs(b);
    assertThat(graph.liveNodes()).isEqualTo(2);
  }

  @Test
  void spawn_kindDefaultsToTask() {
    session(graph);
    assertThat(graph.spawn("s", spec("t").build()).kind()).isEqualTo("task");
  }

  @Test
  void spawn_widerThanParent_isRefusedNamingTheCapability() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.read fs:/repo/**").build());

    ExecutionGraphException e =
        refusal(
            GraphError.ATTENUATION,
            () ->
                graph.spawn(
                    "b1", spec("x", "fs.read fs:/repo/docs/**", "fs.write fs:/repo/**").build()));

    assertThat(e.getMessage()).contains("'fs.write fs:/repo/**'").contains("'b1'").contains("'x'");
    assertThat(e.getMessage()).doesNotContain("fs.read fs:/repo/docs/**");
  }

  @Test
  void spawn_widerResourceThanParent_isRefused() {
    session(graph);
    ExecutionGraphException e =
        refusal(
            GraphError.ATTENUATION, () -> graph.spawn("s", spec("x", "fs.read fs:/**").build()));
    assertThat(e.getMessage()).contains("fs.read fs:/**");
  }

  @Test
  void spawn_droppingParentsBudget_isRefusedNamingTheCapability() {
    graph.spawn(rootSpec("s", "tool.call tool:** maxCalls=3"));

    ExecutionGraphException e =
        refusal(
            GraphError.ATTENUATION, () -> graph.spawn("s", spec("x", "tool.call tool:a").build()));

    assertThat(e.getMessage()).contains("'tool.call tool:a'");
    assertThat(graph.spawn("s", spec("y", "tool.call tool:a maxCalls=3").build()).state())
        .isEqualTo(NodeState.ACTIVE);
    refusal(
        GraphError.ATTENUATION,
        () -> graph.spawn("s", spec("z", "tool.call tool:a maxCalls=4").build()));
  }

  @Test
  void spawn_droppingParentsApprovalOrUntil_isRefused() {
    graph.spawn(
        rootSpec(
            "s",
            "tool.call tool:deploy approval",
            "fs.read fs:/repo/** until=2026-01-01T00:30:00Z"));

    refusal(
        GraphError.ATTENUATION, () -> graph.spawn("s", spec("x", "tool.call tool:deploy").build()));
    refusal(
        GraphError.ATTENUATION, () -> graph.spawn("s", spec("y", "fs.read fs:/repo/a").build()));
    refusal(
        GraphError.ATTENUATION,
        () -> graph.spawn("s", spec("z", "fs.read fs:/repo/a until=2026-01-01T00:31:00Z").build()));

    graph.spawn(
        "s",
        spec(
                "ok",
                "tool.call tool:deploy approval",
                "fs.read fs:/repo/a until=2026-01-01T00:10:00Z")
            .build());
  }

  @Test
  void spawn_withEmptyCapabilities_isAllowedAndHoldsNothing() {
    session(graph);
    assertThat(graph.spawn("s", spec("x").build()).capabilities().isEmpty()).isTrue();
  }

  @Test
  void join_widerThanOneOfItsParents_isRefusedNamingThatParent() {
    session(graph);
    graph.spawn("s", spec("a", "fs.read fs:/repo/**").build());
    graph.spawn("s", spec("b", "fs.read fs:/repo/docs/**").build());

    ExecutionGraphException e =
        refusal(
            GraphError.ATTENUATION,
            () -> graph.join(List.of("a", "b"), spec("m", "fs.read fs:/repo/src/x").build()));

    assertThat(e.getMessage()).contains("'fs.read fs:/repo/src/x'").contains("parent 'b'");
    assertThat(graph.find("m")).isEmpty();
  }

  @Test
  void spawn_claimOutsideOwnCapabilities_isRefusedAsAttenuation() {
    session(graph);

    ExecutionGraphException e =
        refusal(
            GraphError.ATTENUATION,
            () ->
                graph.spawn(
                    "s", spec("b", "fs.read fs:/repo/docs/**").claims("fs:/repo/src/**").build()));

    assertThat(e.getMessage()).contains("fs:/repo/src/**").contains("'b'");
  }

  @Test
  void spawn_claimWiderThanOwnCapability_isRefusedAsAttenuation() {
    session(graph);
    refusal(
        GraphError.ATTENUATION,
        () ->
            graph.spawn("s", spec("b", "fs.read fs:/repo/docs/**").claims("fs:/repo/**").build()));
  }

  // ---------------------------------------------------------------- claims

  @Test
  void spawn_overlappingSiblingClaim_isRefusedNamingHolderAndClaim() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());

    ExecutionGraphException e =
        refusal(
            GraphError.CLAIM_CONFLICT,
            () ->
                graph.spawn(
                    "s", spec("b2", "fs.* fs:/repo/**").claims("fs:/repo/docs/api/**").build()));

    assertThat(e.getMessage()).contains("'b1'").contains("fs:/repo/docs/**").contains("'b2'");
    assertThat(graph.find("b2")).isEmpty();
  }

  @Test
  void spawn_claimOverlappingThroughWildcard_isRefused() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/*/README.md").build());
    refusal(
        GraphError.CLAIM_CONFLICT,
        () -> graph.spawn("s", spec("b2", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build()));
  }

  @Test
  void spawn_overlappingClaimInAnotherRoot_isRefused() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    refusal(
        GraphError.CLAIM_CONFLICT,
        () ->
            graph.spawn(
                spec("other", "fs.* fs:/repo/**")
                    .principal("user:bob")
                    .claims("fs:/repo/docs/a.md")
                    .build()));
  }

  @Test
  void spawn_disjointClaims_doNotConflict() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    graph.spawn("s", spec("b2", "fs.* fs:/repo/**").claims("fs:/repo/src/**").build());
    graph.spawn("s", spec("b3", "fs.* fs:/repo/**").claims("fs:/repo/README.md").build());
    assertThat(graph.liveNodes()).isEqualTo(4);
  }

  @Test
  void spawn_claimInsideAncestorsClaim_doesNotConflict() {
    graph.spawn(
        spec("s", "fs.* fs:/repo/**").principal("user:alice").claims("fs:/repo/**").build());
    graph.spawn("s", spec("b", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    ExecutionNode t =
        graph.spawn("b", spec("t", "fs.write fs:/repo/docs/a").claims("fs:/repo/docs/a").build());

    assertThat(t.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(t.claims()).containsExactly(ResourcePattern.parse("fs:/repo/docs/a"));
  }

  @Test
  void join_withClaimHolderAmongParents_doesNotConflict() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    graph.spawn("s", spec("b2", "fs.* fs:/repo/**").build());

    ExecutionNode m =
        graph.join(
            List.of("b2", "b1"),
            spec("m", "fs.* fs:/repo/docs/**").claims("fs:/repo/docs/a").build());

    assertThat(m.state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void spawn_claimOfEndedHolder_isFreeAgain() {
    session(graph);
    graph.spawn("s", spec("c", "fs.* fs:/repo/**").claims("fs:/repo/a/**").build());
    graph.spawn("s", spec("r", "fs.* fs:/repo/**").claims("fs:/repo/b/**").build());
    graph.spawn(
        "s", spec("e", "fs.* fs:/repo/**").claims("fs:/repo/c/**").ttl(ofMinutes(1)).build());

    graph.complete("c");
    graph.revoke("r", "done with it");
    clock.advance(ofMinutes(1));

    graph.spawn("s", spec("c2", "fs.* fs:/repo/**").claims("fs:/repo/a/x").build());
    graph.spawn("s", spec("r2", "fs.* fs:/repo/**").claims("fs:/repo/b/x").build());
    graph.spawn("s", spec("e2", "fs.* fs:/repo/**").claims("fs:/repo/c/x").build());
  }

  @Test
  void spawn_claimOfHolderWhoseAncestorEnded_isFreeAgain() {
    session(graph);
    graph.spawn("s", spec("b", "fs.* fs:/repo/**").build());
    graph.spawn("b", spec("t", "fs.* fs:/repo/**").claims("fs:/repo/a/**").build());

    graph.revoke("b", "incident");

    assertThat(graph.spawn("s", spec("t2", "fs.* fs:/repo/**").claims("fs:/repo/a/**").build()))
        .extracting(ExecutionNode::state)
        .isEqualTo(NodeState.ACTIVE);
  }

  // ---------------------------------------------------------------- inactive parents

  @Test
  void spawn_underRevokedParent_isRefusedAsParentInactive() {
    session(graph);
    graph.revoke("s", "incident");
    ExecutionGraphException e =
        refusal(GraphError.PARENT_INACTIVE, () -> graph.spawn("s", spec("c").build()));
    assertThat(e.getMessage()).contains("'s'").contains("REVOKED");
  }

  @Test
  void spawn_underCompletedParent_isRefusedAsParentInactive() {
    session(graph);
    graph.complete("s");
    ExecutionGraphException e =
        refusal(GraphError.PARENT_INACTIVE, () -> graph.spawn("s", spec("c").build()));
    assertThat(e.getMessage()).contains("COMPLETED");
  }

  @Test
  void spawn_underExpiredParent_isRefusedAsParentInactive() {
    graph.spawn(spec("s").principal("user:alice").ttl(ofMinutes(5)).build());
    clock.advance(ofMinutes(5));
    ExecutionGraphException e =
        refusal(GraphError.PARENT_INACTIVE, () -> graph.spawn("s", spec("c").build()));
    assertThat(e.getMessage()).contains("EXPIRED");
  }

  @Test
  void spawn_underHeldParent_isRefusedAsParentInactive() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/**").build());
    graph.spawn(
        "s", spec("h", "fs.* fs:/repo/**").claims("fs:/repo/x/**").holdOnConflict().build());

    ExecutionGraphException e =
        refusal(GraphError.PARENT_INACTIVE, () -> graph.spawn("h", spec("c").build()));
    assertThat(e.getMessage()).contains("HELD");
  }

  @Test
  void spawn_underDescendantOfRevokedNode_isRefusedAsParentInactive() {
    session(graph);
    graph.spawn("s", spec("b").build());
    graph.revoke("s", "incident");
    refusal(GraphError.PARENT_INACTIVE, () -> graph.spawn("b", spec("c").build()));
  }

  @Test
  void join_withOneRevokedParent_isRefusedAsParentInactive() {
    session(graph);
    graph.spawn("s", spec("a").build());
    graph.spawn("s", spec("b").build());
    graph.revoke("b", "x");
    ExecutionGraphException e =
        refusal(GraphError.PARENT_INACTIVE, () -> graph.join(List.of("a", "b"), spec("m").build()));
    assertThat(e.getMessage()).contains("'b'");
  }

  // ---------------------------------------------------------------- guardrails

  @Test
  void spawn_beyondMaxDepth_isRefusedAsLimit() {
    ExecutionGraph g = withLimits(b -> b.maxDepth(2));
    g.spawn(rootSpec("d0"));
    g.spawn("d0", spec("d1").build());
    g.spawn("d1", spec("d2").build());

    ExecutionGraphException e = refusal(GraphError.LIMIT, () -> g.spawn("d2", spec("d3").build()));
    assertThat(e.getMessage()).contains("depth 3").contains("limit is 2");
  }

  @Test
  void join_beyondMaxDepthThroughDeepestParent_isRefusedAsLimit() {
    ExecutionGraph g = withLimits(b -> b.maxDepth(2));
    g.spawn(rootSpec("d0"));
    g.spawn("d0", spec("d1").build());
    g.spawn("d1", spec("d2").build());
    refusal(GraphError.LIMIT, () -> g.join(List.of("d0", "d2"), spec("m").build()));
  }

  @Test
  void spawn_beyondMaxFanOut_isRefusedAsLimit() {
    ExecutionGraph g = withLimits(b -> b.maxFanOut(2));
    g.spawn(rootSpec("s"));
    g.spawn("s", spec("c1").build());
    g.spawn("s", spec("c2").build());

    ExecutionGraphException e = refusal(GraphError.LIMIT, () -> g.spawn("s", spec("c3").build()));
    assertThat(e.getMessage()).contains("'s'").contains("fan-out limit is 2");

    g.spawn("c1", spec("grandchild").build()); // fan-out is per parent
    g.complete("c1");
    g.spawn("s", spec("c3").build()); // an ended child frees its slot
  }

  @Test
  void spawn_afterChildExpired_fanOutSlotIsFreed() {
    ExecutionGraph g = withLimits(b -> b.maxFanOut(1));
    g.spawn(rootSpec("s"));
    g.spawn("s", spec("c1").ttl(ofMinutes(1)).build());
    clock.advance(ofMinutes(2));

    // c1 is no longer live (it is EXPIRED), so s has no live child
    assertThat(g.node("c1").state()).isEqualTo(NodeState.EXPIRED);
    assertThat(g.spawn("s", spec("c2").build()).state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void spawn_beyondMaxLiveNodes_isRefusedAsLimit() {
    ExecutionGraph g = withLimits(b -> b.maxLiveNodes(3));
    g.spawn(rootSpec("s"));
    g.spawn("s", spec("a").build());
    g.spawn("s", spec("b").build());

    ExecutionGraphException e = refusal(GraphError.LIMIT, () -> g.spawn(rootSpec("r2")));
    assertThat(e.getMessage()).contains("3 live nodes").contains("limit is 3");
    assertThat(g.liveNodes()).isEqualTo(3);

    g.complete("a");
    assertThat(g.liveNodes()).isEqualTo(2);
    g.spawn(rootSpec("r2"));
  }

  @Test
  void spawn_atMaxLiveNodesAfterExpiry_sweepsAndSucceeds() {
    ExecutionGraph g = withLimits(b -> b.maxLiveNodes(2));
    g.spawn(spec("s").principal("user:alice").ttl(ofMinutes(1)).build());
    g.spawn("s", spec("a").build());
    clock.advance(ofMinutes(1));

    g.spawn(rootSpec("r2"));
    assertThat(g.liveNodes()).isEqualTo(1);
  }

  @Test
  void spawn_tooManyCapabilities_isRefusedAsLimit() {
    ExecutionGraph g = withLimits(b -> b.maxCapabilitiesPerNode(2));
    ExecutionGraphException e =
        refusal(
            GraphError.LIMIT,
            () ->
                g.spawn(rootSpec("s", "tool.call tool:a", "tool.call tool:b", "tool.call tool:c")));
    assertThat(e.getMessage()).contains("3 capabilities").contains("limit is 2");
    g.spawn(rootSpec("s", "tool.call tool:a", "tool.call tool:b"));
  }

  @Test
  void spawn_tooManyClaims_isRefusedAsLimit() {
    ExecutionGraph g = withLimits(b -> b.maxClaimsPerNode(1));
    ExecutionGraphException e =
        refusal(
            GraphError.LIMIT,
            () ->
                g.spawn(
                    spec("s", "fs.* fs:/repo/**")
                        .principal("user:alice")
                        .claims("fs:/repo/a", "fs:/repo/b")
                        .build()));
    assertThat(e.getMessage()).contains("2 claims").contains("limit is 1");
  }

  @Test
  void defaults_depthIsBoundedAt32() {
    graph.spawn(rootSpec("n0"));
    for (int i = 1; i <= 32; i++) {
      graph.spawn("n" + (i - 1), spec("n" + i).build());
    }
    assertThat(graph.node("n32").depth()).isEqualTo(32);
    refusal(GraphError.LIMIT, () -> graph.spawn("n32", spec("n33").build()));
  }

  @Test
  void defaults_fanOutIsBoundedAt1000() {
    graph.spawn(rootSpec("s"));
    for (int i = 0; i < 1000; i++) {
      graph.spawn("s", spec("c" + i).build());
    }
    refusal(GraphError.LIMIT, () -> graph.spawn("s", spec("c1000").build()));
  }

  @Test
  void defaults_capabilitiesPerNodeAreBoundedAt256() {
    String[] caps =
        IntStream.range(0, 257).mapToObj(i -> "tool.call tool:t" + i).toArray(String[]::new);
    refusal(GraphError.LIMIT, () -> graph.spawn(rootSpec("s", caps)));
    graph.spawn(rootSpec("s", java.util.Arrays.copyOf(caps, 256)));
  }

  @Test
  void defaults_claimsPerNodeAreBoundedAt64() {
    List<String> claims =
        IntStream.range(0, 65).mapToObj(i -> "fs:/repo/c" + i).collect(Collectors.toList());
    refusal(
        GraphError.LIMIT,
        () ->
            graph.spawn(
                spec("s", "fs.* fs:/repo/**").principal("user:alice").claims(claims).build()));
    graph.spawn(
        spec("s", "fs.* fs:/repo/**")
            .principal("user:alice")
            .claims(claims.subList(0, 64))
            .build());
  }

  @Test
  void defaults_liveNodesAreBoundedAt100000() {
    graph.spawn(rootSpec("s"));
    int batch = 0;
    int inBatch = 1000;
    while (graph.liveNodes() < 100_000) {
      if (inBatch == 1000) {
        graph.spawn("s", spec("b" + ++batch).build());
        inBatch = 0;
        continue;
      }
      graph.spawn("b" + batch, spec("b" + batch + "-" + inBatch++).build());
    }
    refusal(GraphError.LIMIT, () -> graph.spawn(rootSpec("one-too-many")));
  }

  @Test
  void builder_nonPositiveLimits_areRejected() {
    ExecutionGraph.Builder b = ExecutionGraph.newBuilder();
    assertThatThrownBy(() -> b.maxDepth(0)).hasMessageContaining("maxDepth");
    assertThatThrownBy(() -> b.maxFanOut(-1)).hasMessageContaining("maxFanOut");
    assertThatThrownBy(() -> b.maxLiveNodes(0)).hasMessageContaining("maxLiveNodes");
    assertThatThrownBy(() -> b.maxCapabilitiesPerNode(0))
        .hasMessageContaining("maxCapabilitiesPerNode");
    assertThatThrownBy(() -> b.maxClaimsPerNode(0)).hasMessageContaining("maxClaimsPerNode");
    assertThatThrownBy(() -> b.defaultTtl(Duration.ZERO)).hasMessageContaining("defaultTtl");
  }

  @Test
  void defaults_lineageIsBoundedAt64() {
    // a ladder of joins three wide, within the default depth: each rung adds three ancestors
    graph.spawn(rootSpec("s"));
    List<String> above = List.of("s");
    int rung = 0;
    while (true) {
      String a = "a" + rung;
      List<String> parents = above;
      int before = graph.knownNodes();
      try {
        graph.join(parents, spec(a).build());
      } catch (ExecutionGraphException e) {
        assertThat(e.error()).isEqualTo(GraphError.LIMIT);
        assertThat(e.getMessage()).contains("'" + a + "'").contains("lineage").contains("64");
        assertThat(graph.find(a)).isEmpty();
        assertThat(graph.knownNodes()).isEqualTo(before);
        break;
      }
      graph.join(parents, spec("b" + rung).build());
      graph.join(parents, spec("c" + rung).build());
      above = List.of(a, "b" + rung, "c" + rung);
      rung++;
    }
    // refused at a depth the depth limit allows: the lineage bound is what binds
    assertThat(rung + 1).isLessThanOrEqualTo(32);
    // the last accepted rung: itself, the three nodes of every rung above, the root
    ExecutionNode last = graph.node("a" + (rung - 1));
    assertThat(last.view().lineage()).hasSize(3 * (rung - 1) + 2);
    assertThat(3 * rung + 2).isGreaterThan(64);
    assertThat(3 * (rung - 1) + 2).isLessThanOrEqualTo(64);
  }

  @Test
  void defaults_aChainAtMaxDepthFitsTheLineageLimit() {
    graph.spawn(rootSpec("n0"));
    for (int i = 1; i <= 32; i++) {
      graph.spawn("n" + (i - 1), spec("n" + i).build());
    }
    assertThat(graph.node("n32").view().lineage()).hasSize(33);
  }

  @Test
  void maxLineage_countsASharedAncestorOnce() {
    ExecutionGraph g = withLimits(b -> b.maxLineage(4));
    g.spawn(rootSpec("s"));
    g.spawn("s", spec("a").build());
    g.spawn("s", spec("b").build());
    // m's lineage is m, a, b, s: four, though both parents reach s
    ExecutionNode m = g.join(List.of("a", "b"), spec("m").build());
    assertThat(m.view().lineage())
        .extracting(ExecutionView.Lineage::id)
        .containsExactly("m", "a", "s", "b");
    ExecutionGraphException e = refusal(GraphError.LIMIT, () -> g.spawn("m", spec("m1").build()));
    assertThat(e.getMessage()).contains("'m1'").contains("4");
  }

  @Test
  void maxLineage_raised_allowsWideJoinsWithTheSameLineageAsKeptOnes() {
    // lineages longer than Node.KEPT_LINEAGE are rebuilt on demand: same order, same answers
    ExecutionGraph g = withLimits(b -> b.maxLineage(1_000).maxDepth(1_000));
    g.spawn(rootSpec("s"));
    List<String> above = List.of("s");
    for (int r = 0; r < 60; r++) {
      g.join(above, spec("a" + r).build());
      g.join(above, spec("b" + r).build());
      above = List.of("a" + r, "b" + r);
    }
    ExecutionNode leaf = g.join(above, spec("leaf").build());
    List<String> ids =
        leaf.view().lineage().stream().map(ExecutionView.Lineage::id).collect(Collectors.toList());
    assertThat(ids).hasSize(122).doesNotHaveDuplicates().startsWith("leaf", "a59", "a58");
    assertThat(ids).isEqualTo(expectedLineage(g, "leaf"));
    assertThat(leaf.view().path()).hasSize(62).startsWith("s", "a0", "a1").endsWith("a59", "leaf");
    Node n = g.get("leaf");
    assertThat(n.hasInLineage(g.get("b0"))).isTrue();
    assertThat(n.hasInLineage(g.get("s"))).isTrue();
    g.spawn("s", spec("outside").build());
    assertThat(n.hasInLineage(g.get("outside"))).isFalse();

    g.revoke("b3", "wave");
    assertThat(leaf.state()).isEqualTo(NodeState.REVOKED);
    assertThat(g.node("a2").state()).isEqualTo(NodeState.ACTIVE);
    assertThat(g.node("a3").state()).isEqualTo(NodeState.ACTIVE); // not below b3
    assertThat(g.liveNodes()).isEqualTo(1 + 6 + 1 + 1); // s, a0..b2, a3, outside
  }

  /** The lineage as the contract defines it: the node, then each parent's lineage, each once. */
  private static List<String> expectedLineage(ExecutionGraph g, String id) {
    return expectedLineage(g, id, new java.util.HashMap<>());
  }

  private static List<String> expectedLineage(
      ExecutionGraph g, String id, Map<String, List<String>> memo) {
    List<String> known = memo.get(id);
    if (known != null) {
      return known;
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    out.add(id);
    for (String p : g.node(id).parents()) {
      out.addAll(expectedLineage(g, p, memo));
    }
    List<String> lineage = List.copyOf(out);
    memo.put(id, lineage);
    return lineage;
  }

  @Test
  void chain_10000Deep_withLimitsRaised_answersRevokesAndCountsWithoutRecursion() {
    ExecutionGraph g = withLimits(b -> b.maxDepth(10_000).maxLineage(10_001).maxLiveNodes(20_000));
    g.spawn(rootSpec("n0"));
    for (int i = 1; i <= 10_000; i++) {
      g.spawn("n" + (i - 1), spec("n" + i).build());
    }
    ExecutionNode deepest = g.node("n10000");
    assertThat(deepest.depth()).isEqualTo(10_000);
    assertThat(deepest.view().lineage()).hasSize(10_001);
    assertThat(deepest.view().path()).hasSize(10_001).startsWith("n0").endsWith("n10000");
    assertThat(g.get("n10000").hasInLineage(g.get("n0"))).isTrue();
    assertThat(g.get("n5000").hasInLineage(g.get("n5001"))).isFalse();

    assertThat(g.revoke("n1", "x")).isTrue();

    assertThat(deepest.state()).isEqualTo(NodeState.REVOKED);
    assertThat(g.liveNodes()).isEqualTo(1);
  }

  @Test
  void fanOut_raised_100000ChildrenOfOneNode_countAndFreeTheirSlots() {
    ExecutionGraph g = withLimits(b -> b.maxFanOut(100_000).maxLiveNodes(200_000));
    g.spawn(rootSpec("s"));
    for (int i = 0; i < 100_000; i++) {
      g.spawn("s", spec("c" + i).build());
    }
    refusal(GraphError.LIMIT, () -> g.spawn("s", spec("one-more").build()));
    for (int i = 0; i < 100_000; i += 2) {
      g.complete("c" + i);
    }
    assertThat(g.liveNodes()).isEqualTo(50_001);
    g.spawn("s", spec("one-more").build());
    assertThat(g.revoke("s", "x")).isTrue();
    assertThat(g.liveNodes()).isZero();
  }

  @Test
  void fanOut_aJoinChildCountsUnderEachParentUntilItEnds() {
    ExecutionGraph g = withLimits(b -> b.maxFanOut(1));
    g.spawn(rootSpec("a"));
    g.spawn(rootSpec("b"));
    g.join(List.of("a", "b"), spec("m").build());
    refusal(GraphError.LIMIT, () -> g.spawn("a", spec("x").build()));
    refusal(GraphError.LIMIT, () -> g.spawn("b", spec("y").build()));

    g.complete("m");

    g.spawn("a", spec("x").build());
    g.spawn("b", spec("y").build());
  }

  @Test
  void builder_maxLineageAndRetention_areValidatedAndSetOnce() {
    ExecutionGraph.Builder b = ExecutionGraph.newBuilder();
    assertThatThrownBy(() -> b.maxLineage(0)).hasMessageContaining("maxLineage");
    assertThatThrownBy(() -> b.retention(Duration.ofSeconds(-1))).hasMessageContaining("retention");
    b.maxLineage(8).retention(Duration.ZERO);
    assertThatThrownBy(() -> b.maxLineage(9)).hasMessageContaining("maxLineage");
    assertThatThrownBy(() -> b.retention(Duration.ofMinutes(1))).hasMessageContaining("retention");
  }

  // ---------------------------------------------------------------- retention

  @Test
  void endedNode_isRememberedUntilItsDeadlinePlusRetention_thenForgotten() {
    session(graph); // deadline T0 + 1h
    graph.spawn("s", spec("c").build());
    graph.complete("c");
    Authorizer authz =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(io.execauthz.spi.PolicyEngine.permitAll())
            .build();

    clock.advance(Duration.ofHours(1).plus(ExecutionGraph.DEFAULT_RETENTION).minusNanos(1));
    graph.sweep();
    assertThat(graph.find("c")).isPresent();
    assertDenied(authz.authorize("c", "tool.call", "tool:x"), Reason.COMPLETED);
    assertDenied(authz.authorize("s", "tool.call", "tool:x"), Reason.EXPIRED);

    clock.advance(Duration.ofNanos(1));
    graph.sweep();

    assertThat(graph.find("c")).isEmpty();
    assertThat(graph.find("s")).isEmpty();
    refusal(GraphError.INVALID, () -> graph.node("c"));
    refusal(GraphError.INVALID, () -> graph.revoke("c", "late"));
    assertDenied(authz.authorize("c", "tool.call", "tool:x"), Reason.UNKNOWN_NODE);
    assertThat(graph.knownNodes()).isZero();
  }

  @Test
  void forgetting_waitsForAGraphOperation_andAnyOperationDoesIt() {
    session(graph);
    graph.revoke("s", "x");
    clock.advance(Duration.ofHours(2));
    assertThat(graph.find("s")).isPresent(); // reads take no lock and change nothing

    graph.spawn(rootSpec("other"));

    assertThat(graph.find("s")).isEmpty();
  }

  @Test
  void forgottenId_canBeSpawnedAgain_asANewNode() {
    ExecutionGraph g = withLimits(b -> b.retention(Duration.ZERO));
    ExecutionNode old =
        g.spawn(spec("s").principal("user:alice").ttl(Duration.ofMinutes(1)).build());
    g.revoke("s", "x");
    refusal(GraphError.INVALID, () -> g.spawn(rootSpec("s")));

    clock.advance(Duration.ofMinutes(1));
    ExecutionNode again = g.spawn(rootSpec("s"));

    assertThat(again).isNotSameAs(old);
    assertThat(again.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(old.state()).isEqualTo(NodeState.REVOKED);
  }

  @Test
  void liveNode_isNeverForgotten_howeverLongItsTtl() {
    graph.spawn(spec("s").principal("user:alice").ttl(Duration.ofDays(3650)).build());
    graph.spawn("s", spec("c").build());
    clock.advance(Duration.ofDays(3000));
    graph.sweep();
    assertThat(graph.find("c")).isPresent();
    assertThat(graph.node("c").state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void retention_nearTheEndOfTime_doesNotOverflow() {
    ExecutionGraph g = withLimits(b -> b.retention(Duration.ofSeconds(Long.MAX_VALUE / 2)));
    g.spawn(rootSpec("s"));
    g.complete("s");
    clock.advance(Duration.ofDays(365));
    g.sweep();
    assertThat(g.find("s")).isPresent();
  }

  @Test
  void spawnAndCompleteCycles_leaveOnlyLiveNodesOnceRetentionHasPassed() {
    ExecutionGraph g =
        withLimits(b -> b.retention(Duration.ofMinutes(1)).defaultTtl(Duration.ofMinutes(10)));
    for (int i = 0; i < 100; i++) {
      g.spawn(spec("live-" + i).principal("user:alice").ttl(Duration.ofDays(1)).build());
    }
    for (int i = 0; i < 20_000; i++) {
      String parent = "live-" + (i % 100);
      g.spawn(parent, spec("t" + i).ttl(Duration.ofMinutes(1)).build());
      g.complete("t" + i);
      if (i % 1000 == 0) {
        clock.advance(Duration.ofSeconds(10));
      }
    }
    assertThat(g.knownNodes()).isGreaterThan(100);

    clock.advance(Duration.ofMinutes(3));
    g.sweep();

    assertThat(g.knownNodes()).isEqualTo(100);
    assertThat(g.liveNodes()).isEqualTo(100);
    assertThat(g.find("t0")).isEmpty();
    assertThat(g.find("t19999")).isEmpty();
    assertThat(g.find("live-7")).isPresent();
  }

  @Test
  void revokedSubtree_isForgottenNodeByNode_atEachDeadlinePlusRetention() {
    session(graph); // deadline T0 + 1h
    graph.spawn("s", spec("short").ttl(Duration.ofMinutes(10)).build());
    graph.spawn("s", spec("long").build());
    graph.revoke("s", "incident");

    clock.advance(Duration.ofMinutes(15));
    graph.sweep();
    assertThat(graph.find("short")).isEmpty();
    assertThat(graph.find("long")).isPresent();
    assertThat(graph.node("long").state()).isEqualTo(NodeState.REVOKED);

    clock.advance(Duration.ofMinutes(50));
    graph.sweep();
    assertThat(graph.find("long")).isEmpty();
    assertThat(graph.find("s")).isEmpty();
  }

  private static void assertDenied(Decision d, Reason reason) {
    assertThat(d).isInstanceOf(Decision.Deny.class);
    assertThat(((Decision.Deny) d).reason()).as("%s", d).isEqualTo(reason);
  }

  // ---------------------------------------------------------------- malformed input

  @Test
  void spawn_unknownParent_isInvalid() {
    ExecutionGraphException e =
        refusal(GraphError.INVALID, () -> graph.spawn("nope", spec("c").build()));
    assertThat(e.getMessage()).contains("'nope'");
  }

  @Test
  void join_unknownParent_isInvalid() {
    session(graph);
    refusal(GraphError.INVALID, () -> graph.join(List.of("s", "nope"), spec("m").build()));
  }

  @Test
  void spawn_duplicateId_isInvalid_evenAfterTheFirstEnded() {
    session(graph);
    ExecutionGraphException e = refusal(GraphError.INVALID, () -> graph.spawn(rootSpec("s")));
    assertThat(e.getMessage()).contains("'s'").contains("already exists");

    graph.complete("s");
    refusal(GraphError.INVALID, () -> graph.spawn(rootSpec("s")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "tab\there", "naïve", "semi;colon", "quote\"d", "new\nline"})
  void spawn_badIdCharacters_isInvalid(String id) {
    ExecutionGraphException e = refusal(GraphError.INVALID, () -> graph.spawn(rootSpec(id)));
    assertThat(e.getMessage()).contains("node id").doesNotContain("\n");
    assertThat(graph.liveNodes()).isZero();
  }

  @Test
  void spawn_idOf129Characters_isInvalid_128IsFine() {
    refusal(GraphError.INVALID, () -> graph.spawn(rootSpec("a".repeat(129))));
    graph.spawn(rootSpec("a".repeat(128)));
    graph.spawn(rootSpec("spiffe://acme/agent-1@v2.0_x:y"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "user alice", "user:\"alice\"", "user:a\\b", "user:\u00e9"})
  void spawn_badPrincipal_isInvalid(String principal) {
    ExecutionGraphException e =
        refusal(GraphError.INVALID, () -> graph.spawn(spec("r").principal(principal).build()));
    assertThat(e.getMessage()).contains("principal").contains("'r'");
  }

  @Test
  void spawn_childWithBadPrincipal_isInvalid() {
    session(graph);
    refusal(GraphError.INVALID, () -> graph.spawn("s", spec("c").principal("agent x").build()));
  }

  @Test
  void spawn_rootWithoutPrincipal_isInvalid() {
    ExecutionGraphException e = refusal(GraphError.INVALID, () -> graph.spawn(spec("r").build()));
    assertThat(e.getMessage()).contains("'r'").contains("principal");
  }

  @Test
  void join_withoutParents_isInvalid() {
    ExecutionGraphException e =
        refusal(GraphError.INVALID, () -> graph.join(List.of(), spec("m").build()));
    assertThat(e.getMessage()).contains("'m'");
  }

  @Test
  void join_namingAParentTwice_isInvalid() {
    session(graph);
    refusal(GraphError.INVALID, () -> graph.join(List.of("s", "s"), spec("m").build()));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1})
  void nodeSpec_nonPositiveTtl_isInvalid(long seconds) {
    NodeSpec.Builder b = spec("x").ttl(Duration.ofSeconds(seconds));
    ExecutionGraphException e = refusal(GraphError.INVALID, b::build);
    assertThat(e.getMessage()).contains("ttl").contains("'x'");
  }

  @Test
  void spawn_badKind_isInvalid() {
    refusal(GraphError.INVALID, () -> graph.spawn(spec("r").principal("p").kind("a b").build()));
    refusal(GraphError.INVALID, () -> graph.spawn(spec("r").principal("p").kind("").build()));
  }

  @Test
  void spawn_badAttributeKey_isInvalid() {
    refusal(
        GraphError.INVALID,
        () -> graph.spawn(spec("r").principal("p").attributes(Map.of("bad key", "v")).build()));
  }

  @Test
  void nodeSpec_malformedCapability_throwsSyntaxExceptionWithPosition() {
    assertThatThrownBy(
            () -> NodeSpec.builder("x").capabilities("tool.call tool:a", "tool..call tool:a"))
        .isInstanceOfSatisfying(
            CapabilitySyntaxException.class,
            e -> {
              assertThat(e.position()).isEqualTo(5);
              assertThat(e.input()).isEqualTo("tool..call tool:a");
              assertThat(e.getMessage()).contains("position 5");
            });
    assertThatThrownBy(() -> NodeSpec.builder("x").capabilities("tool.call tool:a bogus"))
        .isInstanceOfSatisfying(
            CapabilitySyntaxException.class, e -> assertThat(e.position()).isEqualTo(17));
    assertThatThrownBy(() -> NodeSpec.builder("x").capabilities(List.of("fs.read")))
        .isInstanceOf(CapabilitySyntaxException.class);
  }

  @Test
  void nodeSpec_malformedClaim_throwsSyntaxExceptionWithPosition() {
    assertThatThrownBy(() -> NodeSpec.builder("x").claims("fs:/repo/**/x"))
        .isInstanceOfSatisfying(
            CapabilitySyntaxException.class, e -> assertThat(e.position()).isEqualTo(11));
  }

  @Test
  void refusedOperations_leaveTheGraphUnchanged() {
    ExecutionGraph g = withLimits(b -> b.maxFanOut(3).maxDepth(2));
    session(g);
    g.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    g.spawn("s", spec("b2", "fs.read fs:/repo/**").build());
    int live = g.liveNodes();

    List<Runnable> refused =
        List.of(
            () -> g.spawn("b2", spec("x", "fs.write fs:/repo/a").build()),
            () -> g.spawn("s", spec("x", "fs.* fs:/repo/**").claims("fs:/repo/docs/a").build()),
            () -> g.spawn("nope", spec("x").build()),
            () -> g.join(List.of("b1", "b2"), spec("x", "fs.write fs:/repo/a").build()),
            () -> g.spawn("s", spec("x").principal("bad principal").build()),
            () -> g.spawn(spec("x").build()));
    for (Runnable r : refused) {
      assertThatThrownBy(r::run).isInstanceOf(ExecutionGraphException.class);
      assertThat(g.liveNodes()).isEqualTo(live);
      assertThat(g.find("x")).isEmpty();
    }
    g.spawn("b2", spec("d2").build());
    refusal(GraphError.LIMIT, () -> g.spawn("d2", spec("x").build()));
    assertThat(g.find("x")).isEmpty();
    // the fan-out slot was not taken by any refused attempt
    ExecutionNode x = g.spawn("s", spec("x", "fs.read fs:/repo/src/**").build());
    assertThat(x.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(g.liveNodes()).isEqualTo(live + 2);
  }

  // ---------------------------------------------------------------- held nodes

  /** s with b1 claiming fs:/repo/docs/** and b2 held on an overlapping claim. */
  private ExecutionNode heldBehindB1(ExecutionGraph g, Duration b1Ttl) {
    session(g);
    NodeSpec.Builder b1 = spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**");
    if (b1Ttl != null) {
      b1.ttl(b1Ttl);
    }
    g.spawn("s", b1.build());
    return g.spawn(
        "s",
        spec("b2", "fs.* fs:/repo/docs/**")
            .claims("fs:/repo/docs/api/**")
            .holdOnConflict()
            .build());
  }

  @Test
  void spawn_conflictWithHold_createsHeldNodeThatStartsWhenBlockerCompletes() {
    ExecutionNode b2 = heldBehindB1(graph, null);
    CompletableFuture<NodeState> started = graph.whenStarted("b2");

    assertThat(b2.state()).isEqualTo(NodeState.HELD);
    assertThat(started).isNotDone();
    assertThat(graph.liveNodes()).isEqualTo(3);

    assertThat(graph.complete("b1")).isTrue();

    assertThat(b2.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(started).isCompletedWithValue(NodeState.ACTIVE);
    // b2's claim is now active
    ExecutionGraphException e =
        refusal(
            GraphError.CLAIM_CONFLICT,
            () ->
                graph.spawn(
                    "s", spec("b3", "fs.* fs:/repo/**").claims("fs:/repo/docs/api/x").build()));
    assertThat(e.getMessage()).contains("'b2'");
  }

  @Test
  void heldNode_startsWhenBlockerIsRevoked() {
    ExecutionNode b2 = heldBehindB1(graph, null);
    graph.revoke("b1", "incident");
    assertThat(b2.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(graph.whenStarted("b2")).isCompletedWithValue(NodeState.ACTIVE);
  }

  @Test
  void heldNode_startsWhenBlockersAncestorIsRevoked() {
    session(graph);
    graph.spawn("s", spec("p1", "fs.* fs:/repo/**").build());
    graph.spawn("p1", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    ExecutionNode h =
        graph.spawn(
            "s", spec("h", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").holdOnConflict().build());

    graph.revoke("p1", "wave");

    assertThat(h.state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void heldNode_startsWhenBlockerExpires_afterSweep() {
    ExecutionNode b2 = heldBehindB1(graph, ofMinutes(10));
    CompletableFuture<NodeState> started = graph.whenStarted("b2");

    clock.advance(ofMinutes(10));
    assertThat(started).isNotDone();
    graph.sweep();

    assertThat(b2.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(started).isCompletedWithValue(NodeState.ACTIVE);
  }

  @Test
  void heldNode_startsWhenBlockerExpires_atTheNextGraphOperation() {
    ExecutionNode b2 = heldBehindB1(graph, ofMinutes(10));

    clock.advance(ofMinutes(11));
    graph.spawn("s", spec("unrelated").build());

    assertThat(graph.whenStarted("b2")).isCompletedWithValue(NodeState.ACTIVE);
    assertThat(b2.state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void heldNode_isCancelledWhenItsParentIsRevokedFirst() {
    ExecutionNode b2 = heldBehindB1(graph, null);
    assertThat(graph.revoke("s", "incident")).isTrue();

    assertThat(b2.state()).isEqualTo(NodeState.CANCELLED);
    assertThat(graph.whenStarted("b2")).isCompletedWithValue(NodeState.CANCELLED);
    assertThat(graph.liveNodes()).isZero();
  }

  @Test
  void heldNode_isCancelledWhenItsParentCompletesFirst() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    graph.spawn("s", spec("p", "fs.* fs:/repo/**").build());
    ExecutionNode h =
        graph.spawn(
            "p", spec("h", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").holdOnConflict().build());

    graph.complete("p");

    assertThat(h.state()).isEqualTo(NodeState.CANCELLED);
    assertThat(graph.whenStarted("h")).isCompletedWithValue(NodeState.CANCELLED);
    // and it does not start when the blocker goes away afterwards
    graph.complete("b1");
    assertThat(h.state()).isEqualTo(NodeState.CANCELLED);
  }

  @Test
  void heldNode_isCancelledWhenItsParentExpiresFirst() {
    session(graph);
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    graph.spawn("s", spec("p", "fs.* fs:/repo/**").ttl(ofMinutes(5)).build());
    ExecutionNode h =
        graph.spawn(
            "p", spec("h", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").holdOnConflict().build());

    clock.advance(ofMinutes(5));
    graph.sweep();

    assertThat(h.state()).isEqualTo(NodeState.CANCELLED);
    assertThat(graph.whenStarted("h")).isCompletedWithValue(NodeState.CANCELLED);
  }

  @Test
  void twoHeldNodes_competingForTheSameClaim_onlyTheFirstStarts() {
    ExecutionNode b2 = heldBehindB1(graph, null);
    ExecutionNode b3 =
        graph.spawn(
            "s",
            spec("b3", "fs.* fs:/repo/docs/**")
                .claims("fs:/repo/docs/api/**")
                .holdOnConflict()
                .build());
    assertThat(b3.state()).isEqualTo(NodeState.HELD);

    graph.complete("b1");

    assertThat(b2.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(b3.state()).isEqualTo(NodeState.HELD);
    assertThat(graph.whenStarted("b3")).isNotDone();

    graph.complete("b2");
    assertThat(b3.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(graph.whenStarted("b3")).isCompletedWithValue(NodeState.ACTIVE);
  }

  @Test
  void heldNode_canBeRevokedButNotCompleted() {
    heldBehindB1(graph, null);

    ExecutionGraphException e = refusal(GraphError.INVALID, () -> graph.complete("b2"));
    assertThat(e.getMessage()).contains("'b2'").contains("HELD");

    assertThat(graph.revoke("b2", "not needed")).isTrue();
    assertThat(graph.node("b2").state()).isEqualTo(NodeState.REVOKED);
    assertThat(graph.whenStarted("b2")).isCompletedWithValue(NodeState.REVOKED);
    graph.complete("b1");
    assertThat(graph.node("b2").state()).isEqualTo(NodeState.REVOKED);
  }

  @Test
  void whenStarted_ofNodeThatWasNeverHeld_isAlreadyActive() {
    session(graph);
    assertThat(graph.whenStarted("s")).isCompletedWithValue(NodeState.ACTIVE);
    refusal(GraphError.INVALID, () -> graph.whenStarted("nope"));
  }

  @Test
  void whenStarted_completingTheReturnedFuture_doesNotStartTheNode() {
    heldBehindB1(graph, null);
    graph.whenStarted("b2").complete(NodeState.ACTIVE);
    assertThat(graph.node("b2").state()).isEqualTo(NodeState.HELD);
    assertThat(graph.whenStarted("b2")).isNotDone();
  }

  @Test
  void join_withConflictingClaimAndHold_isHeld() {
    session(graph);
    graph.spawn("s", spec("a", "fs.* fs:/repo/**").build());
    graph.spawn("s", spec("b", "fs.* fs:/repo/**").build());
    graph.spawn("s", spec("c", "fs.* fs:/repo/**").claims("fs:/repo/x/**").build());

    ExecutionNode m =
        graph.join(
            List.of("a", "b"),
            spec("m", "fs.* fs:/repo/**").claims("fs:/repo/x/y").holdOnConflict().build());
    assertThat(m.state()).isEqualTo(NodeState.HELD);
    graph.complete("c");
    assertThat(m.state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void heldNode_waitsOnTheNextConflictingHolder_whenItsFirstEnds() {
    session(graph);
    graph.spawn("s", spec("a", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    graph.spawn("s", spec("b", "fs.* fs:/repo/**").claims("fs:/repo/src/**").build());
    ExecutionNode h =
        graph.spawn(
            "s", spec("h", "fs.* fs:/repo/**").claims("fs:/repo/**").holdOnConflict().build());

    graph.complete("a");
    assertThat(h.state()).isEqualTo(NodeState.HELD);
    assertThat(graph.whenStarted("h")).isNotDone();

    graph.revoke("b", "done");
    assertThat(h.state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void heldNode_revokedWhileHeld_isNotStartedWhenItsBlockerEnds() {
    ExecutionNode b2 = heldBehindB1(graph, null);
    graph.revoke("b2", "not needed");
    graph.complete("b1");
    assertThat(b2.state()).isEqualTo(NodeState.REVOKED);
    assertThat(graph.whenStarted("b2")).isCompletedWithValue(NodeState.REVOKED);
  }

  @Test
  void authorize_neverWaitsForTheGraphLock_onHeldActiveOrEndedNodes() throws Exception {
    LockingClock lockingClock = new LockingClock(T0);
    ExecutionGraph g =
        ExecutionGraph.newBuilder().clock(lockingClock).random(new SplittableRandom(3)).build();
    session(g);
    g.spawn(
        "s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").ttl(ofMinutes(10)).build());
    g.spawn(
        "s",
        spec("b2", "fs.* fs:/repo/docs/**")
            .claims("fs:/repo/docs/api/**")
            .holdOnConflict()
            .build());
    g.spawn("s", spec("gone", "fs.* fs:/repo/**").build());
    g.revoke("gone", "x");
    Authorizer authz =
        Authorizer.newBuilder()
            .graph(g)
            .policyEngine(io.execauthz.spi.PolicyEngine.permitAll())
            .build();
    lockingClock.advance(ofMinutes(10)); // b1 expired; nobody has processed it yet

    // another thread takes the graph's lock and stays inside it (its clock read blocks)
    Thread sweeper = new Thread(g::sweep, "sweeper");
    lockingClock.blockNextReadOn(sweeper);
    sweeper.start();
    lockingClock.awaitBlocked();
    try {
      CompletableFuture<List<Decision>> answers =
          CompletableFuture.supplyAsync(
              () ->
                  List.of(
                      authz.authorize("b2", "fs.read", "fs:/repo/docs/api/a"),
                      authz.authorize("s", "fs.read", "fs:/repo/a"),
                      authz.authorize("gone", "fs.read", "fs:/repo/a")));
      // a deadlock guard, not a speed test: the lock is held until released below
      List<Decision> d = answers.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertDenied(d.get(0), Reason.HELD); // the blocker has expired, but the lock is busy
      assertThat(d.get(1).isPermit()).isTrue();
      assertDenied(d.get(2), Reason.REVOKED);
    } finally {
      lockingClock.release();
      sweeper.join();
    }
    // the sweep the other thread made started b2
    assertThat(g.node("b2").state()).isEqualTo(NodeState.ACTIVE);
    assertThat(authz.authorize("b2", "fs.write", "fs:/repo/docs/api/a").isPermit()).isTrue();
  }

  /** A clock whose next read on one chosen thread blocks until released. */
  private static final class LockingClock implements java.time.InstantSource {
    private volatile Instant now;
    private volatile Thread blockOn;
    private final java.util.concurrent.CountDownLatch blocked =
        new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch released =
        new java.util.concurrent.CountDownLatch(1);

    LockingClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    void blockNextReadOn(Thread t) {
      blockOn = t;
    }

    void awaitBlocked() throws InterruptedException {
      blocked.await();
    }

    void release() {
      released.countDown();
    }

    @Override
    public Instant instant() {
      if (Thread.currentThread() == blockOn) {
        blockOn = null;
        blocked.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return now;
    }
  }

  // ---------------------------------------------------------------- deadlines

  @Test
  void root_withoutTtl_livesOneHourByDefault() {
    assertThat(graph.spawn(rootSpec("s")).deadline()).isEqualTo(T0.plus(Duration.ofHours(1)));
  }

  @Test
  void root_withoutTtl_usesConfiguredDefaultTtl() {
    ExecutionGraph g = withLimits(b -> b.defaultTtl(ofMinutes(7)));
    assertThat(g.spawn(rootSpec("s")).deadline()).isEqualTo(T0.plus(ofMinutes(7)));
  }

  @Test
  void root_withTtl_keepsIt() {
    assertThat(graph.spawn(spec("s").principal("p").ttl(Duration.ofHours(5)).build()).deadline())
        .isEqualTo(T0.plus(Duration.ofHours(5)));
  }

  @Test
  void child_ttlLongerThanParentsRemainingTime_isClampedToParentsDeadline() {
    graph.spawn(spec("s").principal("p").ttl(ofMinutes(10)).build());
    clock.advance(ofMinutes(4));

    ExecutionNode c = graph.spawn("s", spec("c").ttl(Duration.ofHours(1)).build());

    assertThat(c.deadline()).isEqualTo(T0.plus(ofMinutes(10)));
  }

  @Test
  void child_shorterTtl_runsFromSpawnTime() {
    graph.spawn(spec("s").principal("p").ttl(ofMinutes(10)).build());
    clock.advance(ofMinutes(4));

    ExecutionNode c = graph.spawn("s", spec("c").ttl(ofMinutes(3)).build());

    assertThat(c.deadline()).isEqualTo(T0.plus(ofMinutes(7)));
  }

  @Test
  void child_withoutTtl_getsParentsDeadline() {
    graph.spawn(spec("s").principal("p").ttl(ofMinutes(10)).build());
    graph.spawn("s", spec("b").ttl(ofMinutes(6)).build());
    clock.advance(ofMinutes(2));

    assertThat(graph.spawn("b", spec("c").build()).deadline()).isEqualTo(T0.plus(ofMinutes(6)));
  }

  @Test
  void join_deadline_isTheEarliestParentsDeadline() {
    session(graph);
    graph.spawn("s", spec("a").ttl(ofMinutes(30)).build());
    graph.spawn("s", spec("b").ttl(ofMinutes(20)).build());

    assertThat(graph.join(List.of("a", "b"), spec("m").build()).deadline())
        .isEqualTo(T0.plus(ofMinutes(20)));
    assertThat(
            graph.join(List.of("b", "a"), spec("m2").ttl(Duration.ofHours(2)).build()).deadline())
        .isEqualTo(T0.plus(ofMinutes(20)));
  }

  @Test
  void node_reportsExpiredExactlyAtItsDeadline() {
    ExecutionNode s = graph.spawn(spec("s").principal("p").ttl(ofMinutes(10)).build());
    ExecutionNode c = graph.spawn("s", spec("c").build());

    clock.advance(ofMinutes(10).minusNanos(1));
    assertThat(s.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(c.state()).isEqualTo(NodeState.ACTIVE);

    clock.advance(Duration.ofNanos(1));
    assertThat(s.state()).isEqualTo(NodeState.EXPIRED);
    assertThat(c.state()).isEqualTo(NodeState.EXPIRED);
    assertThat(c.state().isEnded()).isTrue();
  }

  // ---------------------------------------------------------------- joins

  /** s → a, s → b (agent:b), join(a, b) → m. */
  private ExecutionNode diamond(ExecutionGraph g) {
    session(g);
    g.spawn("s", spec("a", "fs.* fs:/repo/**").kind("batch").build());
    g.spawn("s", spec("b", "fs.read fs:/repo/**").principal("agent:b").build());
    return g.join(List.of("a", "b"), spec("m", "fs.read fs:/repo/docs/**").kind("merge").build());
  }

  @Test
  void join_coveredByEveryParent_isCreatedUnderAllOfThem() {
    ExecutionNode m = diamond(graph);

    assertThat(m.state()).isEqualTo(NodeState.ACTIVE);
    assertThat(m.parents()).containsExactly("a", "b");
    assertThat(m.kind()).isEqualTo("merge");
    assertThat(m.principal()).isEqualTo("user:alice"); // the first parent's
    assertThat(m.depth()).isEqualTo(2);
  }

  @Test
  void join_lineageContainsEveryAncestorOnce() {
    ExecutionNode m = diamond(graph);

    List<String> lineage =
        m.view().lineage().stream().map(ExecutionView.Lineage::id).collect(Collectors.toList());
    assertThat(lineage).first().isEqualTo("m");
    assertThat(lineage).containsExactlyInAnyOrder("m", "a", "b", "s");
    ExecutionView.Lineage self = m.view().lineage().get(0);
    assertThat(self.parents()).containsExactly("a", "b");
    assertThat(self.depth()).isEqualTo(2);
    assertThat(self.kind()).isEqualTo("merge");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "b"})
  void join_revokeOfEitherParent_revokesTheMergeNode(String parent) {
    ExecutionNode m = diamond(graph);
    graph.revoke(parent, "incident");
    assertThat(m.state()).isEqualTo(NodeState.REVOKED);
    assertThat(graph.node(parent.equals("a") ? "b" : "a").state()).isEqualTo(NodeState.ACTIVE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "b"})
  void join_completionOfEitherParent_completesTheMergeNode(String parent) {
    ExecutionNode m = diamond(graph);
    graph.complete(parent);
    assertThat(m.state()).isEqualTo(NodeState.COMPLETED);
  }

  @Test
  void join_mergeDepth_isOneMoreThanTheDeepestParent() {
    session(graph);
    graph.spawn("s", spec("a").build());
    graph.spawn("a", spec("a2").build());
    graph.spawn("a2", spec("a3").build());
    ExecutionNode m = graph.join(List.of("s", "a3"), spec("m").build());

    assertThat(m.depth()).isEqualTo(4);
    assertThat(m.view().depth()).isEqualTo(4);
    assertThat(m.view().path()).containsExactly("s", "m"); // through the first parent
  }

  // ---------------------------------------------------------------- complete and revoke

  @Test
  void complete_activeNode_returnsTrueOnceThenFalse() {
    session(graph);
    graph.spawn("s", spec("c").build());

    assertThat(graph.complete("c")).isTrue();
    assertThat(graph.node("c").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(graph.complete("c")).isFalse();
    assertThat(graph.revoke("c", "late")).isFalse();
    assertThat(graph.node("c").state()).isEqualTo(NodeState.COMPLETED);
  }

  @Test
  void revoke_activeNode_returnsTrueOnceThenFalse() {
    session(graph);
    assertThat(graph.revoke("s", "incident")).isTrue();
    assertThat(graph.revoke("s", "again")).isFalse();
    assertThat(graph.complete("s")).isFalse();
    assertThat(graph.node("s").state()).isEqualTo(NodeState.REVOKED);
  }

  @Test
  void completeAndRevoke_ofDescendantOfEndedNode_returnFalse() {
    session(graph);
    graph.spawn("s", spec("c").build());
    graph.spawn("c", spec("g").build());
    graph.revoke("s", "incident");

    assertThat(graph.node("g").state()).isEqualTo(NodeState.REVOKED);
    assertThat(graph.revoke("g", "again")).isFalse();
    assertThat(graph.complete("c")).isFalse();
    assertThat(graph.liveNodes()).isZero();
  }

  @Test
  void completeAndRevoke_ofExpiredNode_returnFalse() {
    graph.spawn(spec("s").principal("p").ttl(ofMinutes(1)).build());
    clock.advance(ofMinutes(1));
    assertThat(graph.complete("s")).isFalse();
    assertThat(graph.revoke("s", "x")).isFalse();
    assertThat(graph.node("s").state()).isEqualTo(NodeState.EXPIRED);
  }

  @Test
  void completeAndRevoke_ofUnknownNode_areInvalid() {
    refusal(GraphError.INVALID, () -> graph.complete("nope"));
    refusal(GraphError.INVALID, () -> graph.revoke("nope", "x"));
    refusal(GraphError.INVALID, () -> graph.node("nope"));
    assertThat(graph.find("nope")).isEmpty();
  }

  @Test
  void complete_collapsesTheWholeSubtree() {
    session(graph);
    graph.spawn("s", spec("b").build());
    graph.spawn("b", spec("t").build());
    graph.spawn("s", spec("sibling").build());

    graph.complete("b");

    assertThat(graph.node("b").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(graph.node("t").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(graph.node("s").state()).isEqualTo(NodeState.ACTIVE);
    assertThat(graph.node("sibling").state()).isEqualTo(NodeState.ACTIVE);
    assertThat(graph.liveNodes()).isEqualTo(2);
  }

  private record Ended(String id, NodeState state, String reason) {}

  @Test
  void listener_isToldOnceOfEachEndWithTheNodeAndState() {
    List<Ended> seen = new ArrayList<>();
    List<ExecutionNode> nodes = new ArrayList<>();
    GraphListener l =
        (node, state, reason) -> {
          seen.add(new Ended(node.id(), state, reason));
          nodes.add(node);
        };
    ExecutionGraph g = withLimits(b -> b.listener(l));
    session(g);
    g.spawn("s", spec("a").build());
    g.spawn("a", spec("a1").build());
    g.spawn("s", spec("b").build());

    g.complete("a");
    g.complete("a"); // no change, no call
    g.revoke("a1", "x"); // already ended with a, no call
    g.revoke("s", "incident");
    g.revoke("b", "again"); // already revoked with s

    assertThat(seen)
        .containsExactly(
            new Ended("a", NodeState.COMPLETED, "completed"),
            new Ended("s", NodeState.REVOKED, "incident"));
    assertThat(nodes.get(0)).isSameAs(g.node("a"));
  }

  @Test
  void revoke_whenAListenerThrows_standsCallsEveryListenerAndReportsTheFailure() {
    List<String> second = new ArrayList<>();
    IllegalStateException bug = new IllegalStateException("listener bug");
    ExecutionGraph g =
        withLimits(
            b ->
                b.listener(
                        (node, state, reason) -> {
                          throw bug;
                        })
                    .listener((node, state, reason) -> second.add(node.id() + " " + state)));
    session(g);
    g.spawn("s", spec("c").build());
    g.spawn("c", spec("c1").build());

    GraphListenerException e = catchListenerFailure(() -> g.revoke("c", "incident"));

    assertThat(e.nodeId()).isEqualTo("c");
    assertThat(e.state()).isEqualTo(NodeState.REVOKED);
    assertThat(e.failures()).containsExactly(bug);
    assertThat(e.getCause()).isSameAs(bug);
    assertThat(e.getMessage()).contains("'c'").contains("REVOKED").contains("1 of 2");
    // the change stands, for the whole subtree, and the other listener heard it
    assertThat(g.node("c").state()).isEqualTo(NodeState.REVOKED);
    assertThat(g.node("c1").state()).isEqualTo(NodeState.REVOKED);
    assertThat(second).containsExactly("c REVOKED");
    assertThat(g.liveNodes()).isEqualTo(1);
    assertThat(g.revoke("c", "again")).isFalse();
  }

  @Test
  void complete_whenEveryListenerThrows_reportsEachFailureInOrder() {
    RuntimeException first = new IllegalStateException("registry down");
    RuntimeException second = new UnsupportedOperationException("second");
    ExecutionGraph g =
        withLimits(
            b ->
                b.listener(
                        (node, state, reason) -> {
                          throw first;
                        })
                    .listener(
                        (node, state, reason) -> {
                          throw second;
                        }));
    session(g);
    g.spawn("s", spec("c").build());

    GraphListenerException e = catchListenerFailure(() -> g.complete("c"));

    assertThat(e.state()).isEqualTo(NodeState.COMPLETED);
    assertThat(e.failures()).containsExactly(first, second);
    assertThat(e.getCause()).isSameAs(first);
    assertThat(e.getSuppressed()).containsExactly(second);
    assertThat(g.node("c").state()).isEqualTo(NodeState.COMPLETED);
  }

  @Test
  void revoke_whenAListenerThrowsAnError_stillCallsTheOthers() {
    List<String> heard = new ArrayList<>();
    ExecutionGraph g =
        withLimits(
            b ->
                b.listener(
                        (node, state, reason) -> {
                          throw new AssertionError("broken listener");
                        })
                    .listener((node, state, reason) -> heard.add(node.id())));
    session(g);

    GraphListenerException e = catchListenerFailure(() -> g.revoke("s", "x"));

    assertThat(e.failures()).singleElement().isInstanceOf(AssertionError.class);
    assertThat(heard).containsExactly("s");
  }

  @Test
  void revoke_ofAnAlreadyEndedNode_callsNoListenerAndThrowsNothing() {
    List<String> heard = new ArrayList<>();
    ExecutionGraph g = withLimits(b -> b.listener((node, state, reason) -> heard.add(node.id())));
    session(g);
    g.complete("s");
    assertThat(g.revoke("s", "late")).isFalse();
    assertThat(heard).containsExactly("s");
  }

  private static GraphListenerException catchListenerFailure(Runnable operation) {
    try {
      operation.run();
    } catch (GraphListenerException e) {
      return e;
    }
    throw new AssertionError("expected a GraphListenerException");
  }

  // ---------------------------------------------------------------- execution view

  @Test
  void view_carriesPathDepthDelegatorsAndLineage() {
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .kind("session")
            .capabilities("tool.call tool:**")
            .build());
    graph.spawn("s", spec("p", "tool.call tool:**").principal("agent:planner").build());
    graph.spawn("p", spec("w", "tool.call tool:github/*").kind("worker").build());
    ExecutionNode h =
        graph.spawn(
            "w",
            spec("h", "tool.call tool:github/create_issue")
                .principal("user:alice")
                .attributes(Map.of("ticket", "SEC-1"))
                .ttl(ofMinutes(5))
                .build());

    ExecutionView v = h.view();
    assertThat(v.nodeId()).isEqualTo("h");
    assertThat(v.kind()).isEqualTo("task");
    assertThat(v.depth()).isEqualTo(3);
    assertThat(v.principal()).isEqualTo("user:alice");
    assertThat(v.path()).containsExactly("s", "p", "w", "h");
    assertThat(v.delegators()).containsExactly("user:alice", "agent:planner", "user:alice");
    assertThat(v.lineage())
        .extracting(ExecutionView.Lineage::id)
        .containsExactly("h", "w", "p", "s");
    assertThat(v.lineage()).extracting(ExecutionView.Lineage::depth).containsExactly(3, 2, 1, 0);
    assertThat(v.lineage().get(3).parents()).isEmpty();
    assertThat(v.lineage().get(3).kind()).isEqualTo("session");
    assertThat(v.attributes()).containsExactly(Map.entry("ticket", "SEC-1"));
    assertThat(v.capabilities().texts()).containsExactly("tool.call tool:github/create_issue");
    assertThat(v.deadline()).isEqualTo(T0.plus(ofMinutes(5)));
    assertThat(v.trace()).isEqualTo(h.trace());

    assertThat(graph.node("w").view().delegators()).containsExactly("user:alice", "agent:planner");
    assertThat(graph.node("s").view().delegators()).containsExactly("user:alice");
  }

  // ---------------------------------------------------------------- trace context

  @Test
  void child_keepsTheTraceIdWithANewSpanId() {
    ExecutionNode s = session(graph);
    ExecutionNode c = graph.spawn("s", spec("c").build());
    ExecutionNode g = graph.spawn("c", spec("g").build());

    assertThat(c.trace().traceId()).isEqualTo(s.trace().traceId());
    assertThat(g.trace().traceId()).isEqualTo(s.trace().traceId());
    assertThat(List.of(s.trace().spanId(), c.trace().spanId(), g.trace().spanId()))
        .doesNotHaveDuplicates();
    assertThat(c.trace().flags()).isEqualTo(s.trace().flags());
  }

  @Test
  void root_withGivenTrace_usesIt_childrenContinueIt() {
    TraceContext given =
        TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ExecutionNode s = graph.spawn(spec("s").principal("p").trace(given).build());
    ExecutionNode c =
        graph.spawn(
            "s",
            spec("c")
                .trace(
                    TraceContext.parse("00-11111111111111111111111111111111-2222222222222222-01"))
                .build());

    assertThat(s.trace()).isEqualTo(given);
    assertThat(c.trace().traceId()).isEqualTo(given.traceId());
    assertThat(c.trace().spanId()).isNotEqualTo(given.spanId());
  }

  @Test
  void join_continuesTheFirstParentsTrace() {
    graph.spawn(rootSpec("r1"));
    graph.spawn(spec("r2").principal("user:bob").build());
    ExecutionNode m = graph.join(List.of("r2", "r1"), spec("m").build());
    assertThat(m.trace().traceId()).isEqualTo(graph.node("r2").trace().traceId());
    assertThat(m.trace().traceId()).isNotEqualTo(graph.node("r1").trace().traceId());
  }

  @Test
  void roots_getFreshTraces_reproducibleFromTheSeed() {
    ExecutionNode a = graph.spawn(rootSpec("a"));
    ExecutionNode b = graph.spawn(rootSpec("b"));
    assertThat(a.trace().traceId()).isNotEqualTo(b.trace().traceId());

    ExecutionGraph replay = configured(ExecutionGraph.newBuilder()).build();
    assertThat(replay.spawn(rootSpec("a")).trace()).isEqualTo(a.trace());
  }

  // ---------------------------------------------------------------- builders

  @Test
  void graphBuilder_optionSetTwice_isRefusedNamingTheOption() {
    ExecutionGraph.Builder b =
        ExecutionGraph.newBuilder()
            .clock(clock)
            .random(new SplittableRandom(1))
            .maxDepth(3)
            .maxFanOut(3)
            .maxLiveNodes(3)
            .maxCapabilitiesPerNode(3)
            .maxClaimsPerNode(3)
            .defaultTtl(ofMinutes(1));

    assertThatThrownBy(() -> b.clock(clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clock");
    assertThatThrownBy(() -> b.random(new SplittableRandom(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("random");
    assertThatThrownBy(() -> b.maxDepth(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxDepth");
    assertThatThrownBy(() -> b.maxFanOut(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxFanOut");
    assertThatThrownBy(() -> b.maxLiveNodes(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxLiveNodes");
    assertThatThrownBy(() -> b.maxCapabilitiesPerNode(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxCapabilitiesPerNode");
    assertThatThrownBy(() -> b.maxClaimsPerNode(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxClaimsPerNode");
    assertThatThrownBy(() -> b.defaultTtl(ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("defaultTtl");
  }

  @Test
  void nodeSpecBuilder_optionSetTwice_isRefusedNamingTheOption() {
    NodeSpec.Builder b =
        NodeSpec.builder("x")
            .kind("k")
            .principal("p")
            .capabilities("tool.call tool:a")
            .ttl(ofMinutes(1))
            .claims("tool:a")
            .holdOnConflict()
            .attributes(Map.of())
            .trace(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));

    assertThatThrownBy(() -> b.kind("k2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> b.principal("q"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("principal");
    assertThatThrownBy(() -> b.capabilities("tool.call tool:b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("capabilities");
    assertThatThrownBy(() -> b.ttl(ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ttl");
    assertThatThrownBy(() -> b.claims("tool:b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("claims");
    assertThatThrownBy(b::holdOnConflict)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holdOnConflict");
    assertThatThrownBy(() -> b.attributes(Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("attributes");
    assertThatThrownBy(
            () ->
                b.trace(
                    TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trace");
  }

  @Test
  void nodeSpec_copiesItsInputs() {
    Map<String, String> attrs = new java.util.HashMap<>(Map.of("k", "v"));
    NodeSpec spec = NodeSpec.builder("x").attributes(attrs).build();
    attrs.put("k2", "v2");
    assertThat(spec.attributes()).containsOnlyKeys("k");
  }

  private static Duration ofMinutes(long minutes) {
    return Duration.ofMinutes(minutes);
  }
}
