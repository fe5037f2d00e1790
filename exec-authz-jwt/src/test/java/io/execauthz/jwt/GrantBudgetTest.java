package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 5: a budget belongs to the node, not to a grant. Re-minted, attenuated and sibling
 * grants of one node draw from the node's own ledger counters, ancestors' budgets bind their
 * subtree's grants, and two graphs never share a counter — with real signatures and a real graph.
 */
final class GrantBudgetTest {
  private final TestClock clock = new TestClock(Fixture.START);
  private final RevocationRegistry revocations = RevocationRegistry.inMemory(clock);

  private ExecutionGraph graph(BudgetLedger ledger) {
    ExecutionGraph.Builder b =
        ExecutionGraph.newBuilder()
            .clock(clock)
            .listener(revocations.graphListener(Fixture.ISSUER));
    return (ledger == null ? b : b.budgetLedger(ledger)).build();
  }

  private GrantIssuer issuer() {
    return GrantIssuer.newBuilder()
        .signingKey(Fixture.ED)
        .issuer(Fixture.ISSUER)
        .clock(clock)
        .revocations(revocations)
        .build();
  }

  /** A tool server for one audience, counting budgets in {@code ledger}. */
  private GrantAuthorizer toolServer(String audience, BudgetLedger ledger) {
    return GrantAuthorizer.newBuilder()
        .verifier(
            GrantVerifier.newBuilder()
                .keys(PublicKeySet.of(Fixture.ED))
                .issuer(Fixture.ISSUER)
                .audience(audience)
                .clock(clock)
                .revocations(revocations)
                .build())
        .authorizer(
            Authorizer.newBuilder()
                .clock(clock)
                .budgetLedger(ledger)
                .policyEngine(PolicyEngine.permitAll()))
        .build();
  }

  private static long permits(List<Decision> decisions) {
    return decisions.stream().filter(Decision::isPermit).count();
  }

  @Test
  void aNodeWithMaxCalls2_getsTwoPermits_throughFiveGrants_whenTheToolServerSharesTheLedger() {
    // the issue's reproduction: 7 permits through 4 grants, with per-grant counters
    ExecutionGraph graph = graph(null);
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:github/* maxCalls=2")
            .build());
    GrantIssuer issuer = issuer();
    GrantAuthorizer tools = toolServer(Fixture.AUDIENCE, graph.budgetLedger());
    GrantToken first = issuer.mint(graph.node("session"), Fixture.AUDIENCE);
    clock.advance(Duration.ofSeconds(1)); // a re-mint in another second
    GrantToken again = issuer.mint(graph.node("session"), Fixture.AUDIENCE);
    GrantToken narrower =
        issuer.attenuate(
            first,
            CapabilitySet.parse("tool.call tool:github/create_issue maxCalls=2"),
            Duration.ofMinutes(1));
    GrantToken sibling =
        issuer.attenuate(
            again,
            CapabilitySet.parse("tool.call tool:github/create_pr maxCalls=1"),
            Duration.ofMinutes(1));

    GrantToken fromNode =
        issuer.attenuate(
            graph.node("session"),
            Fixture.AUDIENCE,
            CapabilitySet.parse("tool.call tool:github/create_pr maxCalls=2"),
            Duration.ofMinutes(1));
    List<Decision> decisions = new ArrayList<>();
    for (GrantToken g : List.of(first, again, narrower, sibling, fromNode)) {
      for (String tool : List.of("create_issue", "create_pr")) {
        decisions.add(tools.authorize(g.compact(), "tool.call", "tool:github/" + tool));
      }
    }
    assertThat(permits(decisions)).isEqualTo(2);
    assertThat(decisions.subList(2, decisions.size()))
        .allSatisfy(
            d ->
                assertThat(d)
                    .isInstanceOfSatisfying(
                        Decision.Deny.class,
                        deny ->
                            assertThat(deny.reason())
                                .as(deny.detail())
                                .isIn(Reason.BUDGET_EXHAUSTED, Reason.OUT_OF_SCOPE)));
    // and the node itself, in the graph, has nothing left either
    Authorizer inProcess =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    Decision own = inProcess.authorize("session", "tool.call", "tool:github/create_issue");
    assertThat(own)
        .isInstanceOfSatisfying(
            Decision.Deny.class, d -> assertThat(d.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED));
  }

  @Test
  void theGraphAndTwoToolServers_shareOneCount() {
    ExecutionGraph graph = graph(null);
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("fs.read fs:/repo/** maxCalls=3")
            .build());
    Authorizer inProcess =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    GrantIssuer issuer = issuer();
    GrantAuthorizer files = toolServer("mcp:files", graph.budgetLedger());
    GrantAuthorizer search = toolServer("mcp:search", graph.budgetLedger());
    String g1 = issuer.mint(graph.node("s"), "mcp:files").compact();
    String g2 = issuer.mint(graph.node("s"), "mcp:search").compact();
    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      decisions.add(inProcess.authorize("s", "fs.read", "fs:/repo/a"));
      decisions.add(files.authorize(g1, "fs.read", "fs:/repo/a"));
      decisions.add(search.authorize(g2, "fs.read", "fs:/repo/a"));
    }
    assertThat(permits(decisions)).isEqualTo(3);
    assertThat(decisions.subList(0, 3)).allMatch(Decision::isPermit);
  }

  @Test
  void twoUnrelatedGraphsWhoseNodesShareAnId_neverShareACounter_evenInOneLedger() {
    BudgetLedger shared = BudgetLedger.inMemory(clock);
    ExecutionGraph alice = graph(shared);
    ExecutionGraph bob = graph(shared);
    for (ExecutionGraph g : List.of(alice, bob)) {
      g.spawn(
          NodeSpec.builder("session")
              .principal("user:x")
              .capabilities("tool.call tool:** maxCalls=2")
              .build());
    }
    GrantIssuer issuer = issuer();
    GrantAuthorizer tools = toolServer(Fixture.AUDIENCE, shared);
    // minted in the same second, for nodes of the same id and capabilities
    String a = issuer.mint(alice.node("session"), Fixture.AUDIENCE).compact();
    String b = issuer.mint(bob.node("session"), Fixture.AUDIENCE).compact();
    assertThat(tools.authorize(a, "tool.call", "tool:x").isPermit()).isTrue();
    assertThat(tools.authorize(a, "tool.call", "tool:x").isPermit()).isTrue();
    assertThat(tools.authorize(a, "tool.call", "tool:x").isPermit()).isFalse();
    // alice's calls never exhaust bob's budget
    assertThat(tools.authorize(b, "tool.call", "tool:x").isPermit()).isTrue();
    assertThat(tools.authorize(b, "tool.call", "tool:x").isPermit()).isTrue();
    assertThat(tools.authorize(b, "tool.call", "tool:x").isPermit()).isFalse();
  }

  @Test
  void anAncestorsBudget_bindsTheGrantsOfItsDescendants() {
    ExecutionGraph graph = graph(null);
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:shell/* maxCalls=3", "fs.read fs:/repo/**")
            .build());
    graph.spawn(
        "s", NodeSpec.builder("a").capabilities("tool.call tool:shell/* maxCalls=2").build());
    graph.spawn(
        "s", NodeSpec.builder("b").capabilities("tool.call tool:shell/* maxCalls=2").build());
    graph.spawn(
        "b", NodeSpec.builder("c").capabilities("tool.call tool:shell/run maxCalls=2").build());
    GrantIssuer issuer = issuer();
    GrantToken gc = issuer.mint(graph.node("c"), Fixture.AUDIENCE);
    List<Object> budNodes = new ArrayList<>();
    for (Object b : (List<?>) Fixture.claims(gc.compact()).get("bud")) {
      budNodes.add(((Map<?, ?>) b).get("node"));
    }
    assertThat(budNodes).containsExactly("b", "s", "c"); // c: its own, with its deadline
    GrantAuthorizer tools = toolServer(Fixture.AUDIENCE, graph.budgetLedger());
    String ga = issuer.mint(graph.node("a"), Fixture.AUDIENCE).compact();
    assertThat(tools.authorize(ga, "tool.call", "tool:shell/run").isPermit()).isTrue();
    assertThat(tools.authorize(ga, "tool.call", "tool:shell/run").isPermit()).isTrue();
    // the session has one call left: c's grant gets it, though c and b have two each
    assertThat(tools.authorize(gc.compact(), "tool.call", "tool:shell/run").isPermit()).isTrue();
    Decision d = tools.authorize(gc.compact(), "tool.call", "tool:shell/run");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class,
            deny -> {
              assertThat(deny.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED);
              assertThat(deny.detail()).contains("'s'");
            });
  }

  @Test
  void withoutTheSharedLedger_aToolServerCountsApart_soTheDocsSayToShareIt() {
    ExecutionGraph graph = graph(null);
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:** maxCalls=1")
            .build());
    Authorizer inProcess =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    assertThat(inProcess.authorize("s", "tool.call", "tool:x").isPermit()).isTrue();
    String g = issuer().mint(graph.node("s"), Fixture.AUDIENCE).compact();
    GrantAuthorizer apart = toolServer(Fixture.AUDIENCE, BudgetLedger.inMemory(clock));
    GrantAuthorizer sharing = toolServer(Fixture.AUDIENCE, graph.budgetLedger());
    assertThat(sharing.authorize(g, "tool.call", "tool:x").isPermit()).isFalse();
    assertThat(apart.authorize(g, "tool.call", "tool:x").isPermit()).isTrue();
  }

  @Test
  void aJsonNullArgument_isDropped_neverThrown() {
    ExecutionGraph graph = graph(null);
    graph.spawn(
        NodeSpec.builder("s").principal("user:alice").capabilities("tool.call tool:**").build());
    String g = issuer().mint(graph.node("s"), Fixture.AUDIENCE).compact();
    GrantAuthorizer tools = toolServer(Fixture.AUDIENCE, graph.budgetLedger());
    Map<String, Object> args = new java.util.HashMap<>();
    args.put("title", "x");
    args.put("labels", null); // as a JSON tool call's {"labels": null} arrives
    Decision d = tools.authorize(g, "tool.call", "tool:github/create_issue", args, false);
    assertThat(d.isPermit()).as("%s", d).isTrue();
    Map<String, Object> nested = new java.util.HashMap<>();
    nested.put("labels", java.util.Collections.singletonList(null));
    Decision n = tools.authorize(g, "tool.call", "tool:github/create_issue", nested, false);
    assertThat(n).isNotNull();
    if (n instanceof Decision.Deny deny) {
      assertThat(deny.reason()).as(deny.detail()).isEqualTo(Reason.ERROR);
    }
  }

  @Test
  void aShortGrant_neverLetsTheNodesBudgetRestart_afterTheGrantExpires() {
    ExecutionGraph graph = graph(null);
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:github/* maxCalls=3")
            .ttl(Duration.ofHours(2))
            .build());
    graph.spawn(
        "session",
        NodeSpec.builder("task")
            .capabilities("tool.call tool:github/* maxCalls=1")
            .ttl(Duration.ofHours(1))
            .build());
    GrantAuthorizer tools = toolServer(Fixture.AUDIENCE, graph.budgetLedger());
    GrantToken shortLived =
        issuer()
            .attenuate(
                graph.node("task"),
                Fixture.AUDIENCE,
                CapabilitySet.parse("tool.call tool:github/* maxCalls=1"),
                Duration.ofMinutes(1));
    // the grant creates the counters, then expires; the ledger keeps them for minutes after
    assertThat(tools.authorize(shortLived.compact(), "tool.call", "tool:github/x").isPermit())
        .isTrue();
    clock.advance(Duration.ofMinutes(30));

    Authorizer inProcess =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    graph.spawn(
        "session",
        NodeSpec.builder("other").capabilities("tool.call tool:github/* maxCalls=3").build());
    // a new counter: the ledger forgets what its retention has passed
    assertThat(inProcess.authorize("other", "tool.call", "tool:github/x").isPermit()).isTrue();
    assertThat(inProcess.authorize("task", "tool.call", "tool:github/x"))
        .isInstanceOfSatisfying(
            Decision.Deny.class, d -> assertThat(d.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED));
    // and the session's budget still counts the call made through the task's grant
    assertThat(inProcess.authorize("other", "tool.call", "tool:github/x").isPermit()).isTrue();
    assertThat(inProcess.authorize("other", "tool.call", "tool:github/x"))
        .isInstanceOfSatisfying(
            Decision.Deny.class, d -> assertThat(d.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED));
  }
}
