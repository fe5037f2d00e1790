package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionNode;
import io.execauthz.ExecutionView;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.Reason;
import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Properties of grants over seeded random graphs, requests and attenuations. Every failure message
 * starts with the case's seed; to replay one case, put its seed in {@link #BASE_SEED} and run with
 * one case.
 *
 * <p>The graphs have {@code maxCalls} budgets at every level but no claims: claims are graph-local
 * (a tool server has no graph to hold them). Budgets belong to the node: a tool server that shares
 * the graph's ledger spends the same counters through any grant of the node as the node itself.
 */
final class GrantProperties {
  private static final long BASE_SEED = 0x5eed_6a09_e667_f3bcL;
  private static final int CASES = 1_000;
  private static final Instant START = Fixture.START;

  private static final List<String> VOCABULARY =
      List.of(
          "* fs:/**",
          "fs.* fs:/repo/**",
          "fs.read fs:/repo/**",
          "fs.read fs:/repo/docs/**",
          "fs.read fs:/repo/docs/api/*",
          "fs.write fs:/repo/src/**",
          "fs.write fs:/repo/src/*",
          "fs.* fs:/tmp/**",
          "fs.read fs:/tmp/**",
          "tool.call tool:**",
          "tool.call tool:github/*",
          "tool.call tool:github/create_issue",
          "tool.call tool:github/create_pr approval",
          "tool.call tool:shell/*",
          "tool.call tool:shell/exec approval",
          "net.connect net:api.example.com:443",
          "secret.read secret:GITHUB_TOKEN",
          "fs.read fs:/repo/** until=2026-01-01T00:02:30Z",
          "tool.call tool:github/* until=2026-01-01T00:01:00Z",
          "fs.read fs:/repo/** maxCalls=6",
          "fs.read fs:/repo/docs/** maxCalls=3",
          "fs.write fs:/repo/src/** maxCalls=4",
          "fs.write fs:/repo/src/* maxCalls=2",
          "tool.call tool:github/* maxCalls=5",
          "tool.call tool:github/create_issue maxCalls=2",
          "tool.call tool:github/create_pr approval maxCalls=1");

  private static final List<String> ACTIONS =
      List.of(
          "fs.read", "fs.write", "fs.delete", "tool.call", "net.connect", "secret.read", "read");

  private static final List<String> RESOURCES =
      List.of(
          "fs:/repo/a.md",
          "fs:/repo/docs/guide.md",
          "fs:/repo/docs/api/x.md",
          "fs:/repo/src/Main.java",
          "fs:/repo/src/deep/Util.java",
          "fs:/tmp/scratch",
          "fs:/etc/passwd",
          "tool:github/create_issue",
          "tool:github/create_pr",
          "tool:shell/exec",
          "tool:slack/post",
          "net:api.example.com:443",
          "secret:GITHUB_TOKEN",
          "not a resource");

  private static final List<String> PRINCIPALS =
      List.of("agent:planner", "agent:coder", "agent:reviewer", "spiffe://example.org/tool");

  /**
   * A policy engine that reads everything a view carries but its deadline: if a grant's rebuilt
   * view differed from its node's in any field, some request would be decided differently.
   */
  private static final PolicyEngine VIEW_SENSITIVE =
      req -> {
        ExecutionView v = req.view();
        int h =
            Objects.hash(
                v.nodeId(),
                v.kind(),
                v.depth(),
                v.principal(),
                v.path(),
                v.lineage(),
                v.delegators(),
                v.attributes(),
                v.capabilities(),
                v.trace(),
                req.action(),
                req.resource(),
                req.approved(),
                req.args());
        boolean permit = Math.floorMod(h, 4) != 0;
        return new PolicyDecision(permit, List.of(permit ? "permit-h" : "forbid-h"), List.of());
      };

  private static String seedOf(long seed) {
    return "seed=0x" + Long.toHexString(seed);
  }

  private static <T> T pick(SplittableRandom rnd, List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  // ---------------------------------------------------------------------------------------------
  // A node's grant decides as the node does, before and after revocations and completions
  // ---------------------------------------------------------------------------------------------

  /** Budgets a grant found used up, across the suite: the property must exercise them. */
  private static final AtomicInteger EXHAUSTED_VIA_GRANT = new AtomicInteger();

  @TestFactory
  Stream<DynamicTest> authorizingWithANodesGrant_decidesAsTheNodeItself() {
    Stream<DynamicTest> cases =
        IntStream.range(0, CASES)
            .mapToObj(
                i -> {
                  long seed = BASE_SEED + i;
                  return DynamicTest.dynamicTest(seedOf(seed), () -> grantEqualsNode(seed));
                });
    // run last (the stream is consumed in order): the cases above ran budgets out through grants
    return Stream.concat(
        cases,
        Stream.of(
            DynamicTest.dynamicTest(
                "budgets were exhausted through grants",
                () -> assertThat(EXHAUSTED_VIA_GRANT.get()).isGreaterThan(100))));
  }

  /** One world: a graph, and a tool server sharing its ledger and its graph-fed registry. */
  private record World(
      ExecutionGraph graph, Authorizer inProcess, GrantVerifier verifier, GrantAuthorizer tools) {
    static World of(long seed, TestClock clock) {
      RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
      ExecutionGraph graph =
          ExecutionGraph.newBuilder()
              .clock(clock)
              .random(new SplittableRandom(seed ^ 0x9e3779b97f4a7c15L))
              .listener(revocations.graphListener(Fixture.ISSUER))
              .build();
      GrantVerifier verifier =
          GrantVerifier.newBuilder()
              .keys(PublicKeySet.of(Fixture.ED))
              .issuer(Fixture.ISSUER)
              .audience(Fixture.AUDIENCE)
              .clock(clock)
              .revocations(revocations)
              .build();
      return new World(
          graph,
          Authorizer.newBuilder().graph(graph).policyEngine(VIEW_SENSITIVE).build(),
          verifier,
          GrantAuthorizer.newBuilder()
              .verifier(verifier)
              .authorizer(
                  Authorizer.newBuilder()
                      .clock(clock)
                      .budgetLedger(graph.budgetLedger())
                      .policyEngine(VIEW_SENSITIVE))
              .build());
    }
  }

  /**
   * Two identical worlds on one clock. In the first, every request is made on the node itself. In
   * the second, each goes through the node itself, its first grant, a grant minted again, or an
   * attenuation of the first with the same capabilities — all sharing the graph's ledger. Every
   * decision must be the same in both: budgets, revocations, completions and time included.
   */
  private static void grantEqualsNode(long seed) {
    String s = seedOf(seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    TestClock clock = new TestClock(START);
    World own = World.of(seed, clock);
    World viaGrants = World.of(seed, clock);
    GrantIssuer issuer =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(clock)
            .random(new SplittableRandom(seed))
            .build();

    SplittableRandom shape = new SplittableRandom(seed ^ 0x5deece66dL);
    boolean tight = rnd.nextBoolean();
    List<ExecutionNode> nodes = randomGraph(shape.split(), own.graph(), tight);
    List<ExecutionNode> twins =
        randomGraph(new SplittableRandom(seed ^ 0x5deece66dL).split(), viaGrants.graph(), tight);
    // grants for up to four nodes: each costs a signature and a verification (~0.3 ms)
    List<Integer> probes = new ArrayList<>(IntStream.range(0, nodes.size()).boxed().toList());
    while (probes.size() > 4) {
      probes.remove(rnd.nextInt(probes.size()));
    }
    Map<String, GrantToken> grants = new LinkedHashMap<>();
    for (int p : probes) {
      ExecutionNode n = twins.get(p);
      Duration ttl =
          rnd.nextInt(4) == 0 ? Duration.ofSeconds(30 + rnd.nextInt(400)) : Duration.ofMinutes(5);
      GrantToken g = issuer.mint(n, Fixture.AUDIENCE, ttl);
      assertThat(g.expiresAt()).as("%s: exp ≤ node deadline", s).isBeforeOrEqualTo(n.deadline());
      grants.put(n.id(), g);
      // the view a tool server rebuilds is the node's, but for the deadline and the scope that
      // carries the node's own budgets (and its deadline) for the ledger
      ExecutionView rebuilt = withoutOwnScope(viaGrants.verifier().verify(g.compact()).view());
      ExecutionView expected = n.view();
      assertThat(withDeadline(rebuilt, expected.deadline()))
          .as("%s: view of node %s rebuilt from its grant", s, n.id())
          .isEqualTo(expected);
    }

    int rounds = 2 + rnd.nextInt(3);
    for (int round = 0; round < rounds; round++) {
      for (int r = 0; r < 10; r++) {
        int p = pick(rnd, probes);
        compare(
            s + " round " + round,
            rnd,
            own.inProcess(),
            nodes.get(p),
            viaGrants,
            twins.get(p),
            grants.get(twins.get(p).id()),
            issuer,
            clock);
      }
      // revocations, completions and time, in both worlds
      int op = rnd.nextInt(4);
      int target = rnd.nextInt(nodes.size());
      for (World w : List.of(own, viaGrants)) {
        String id = nodes.get(target).id();
        if (op == 0) {
          w.graph().revoke(id, "seeded");
        } else if (op == 1 && w.graph().node(id).state() != NodeState.HELD) {
          w.graph().complete(id);
        }
      }
      if (op == 2) {
        clock.advance(Duration.ofMillis(rnd.nextLong(1, rnd.nextInt(5) == 0 ? 420_000 : 180_000)));
      }
    }
  }

  private static void compare(
      String s,
      SplittableRandom rnd,
      Authorizer inProcess,
      ExecutionNode node,
      World world,
      ExecutionNode twin,
      GrantToken grant,
      GrantIssuer issuer,
      TestClock clock) {
    String action = pick(rnd, ACTIONS);
    String resource = pick(rnd, RESOURCES);
    boolean approved = rnd.nextInt(3) == 0;
    Map<String, Object> args = rnd.nextBoolean() ? Map.of() : Map.of("n", (long) rnd.nextInt(3));
    int channel = rnd.nextInt(4);
    String what =
        s + ": " + action + " on " + resource + " by node " + node.id() + " via " + channel;

    Decision expected =
        inProcess.authorize(
            new AuthorizationRequest(node.id(), action, resource, args, approved, null));
    Instant now = clock.instant();
    GrantToken via = channel == 1 ? grant : null;
    if (channel >= 2) {
      try {
        // an attenuation of the first grant while it has time left, else of a fresh one
        GrantToken parent =
            channel == 3 && now.plusSeconds(1).isBefore(grant.expiresAt())
                ? grant
                : issuer.mint(twin, Fixture.AUDIENCE);
        via =
            channel == 2
                ? parent
                : issuer.attenuate(parent, parent.capabilities(), Duration.ofMinutes(5));
      } catch (GrantIssuanceException e) {
        // no grant for a node that is not active
        assertThat(e.error()).as("%s: %s", what, e.getMessage()).isEqualTo(IssuanceError.INACTIVE);
        assertThat(expected.isPermit()).as("%s: refused %s but %s", what, e, expected).isFalse();
      }
    }
    Decision actual;
    if (via != null && now.isBefore(via.expiresAt())) {
      actual = world.tools().authorize(via.compact(), action, resource, args, approved);
      if (reason(actual).orElse(null) == Reason.BUDGET_EXHAUSTED) {
        EXHAUSTED_VIA_GRANT.incrementAndGet();
      }
    } else {
      actual =
          world
              .inProcess()
              .authorize(
                  new AuthorizationRequest(twin.id(), action, resource, args, approved, null));
      if (!now.isBefore(grant.expiresAt().plus(world.verifier().clockSkew()))) {
        // a grant past its exp is refused (and spends nothing)
        assertThat(
                reason(world.tools().authorize(grant.compact(), action, resource, args, approved)))
            .as("%s: past exp %s at %s", what, grant.expiresAt(), now)
            .contains(Reason.EXPIRED);
      }
    }
    assertThat(actual.isPermit())
        .as("%s: %s vs %s", what, expected, actual)
        .isEqualTo(expected.isPermit());
    assertThat(reason(actual))
        .as("%s: %s vs %s", what, expected, actual)
        .isEqualTo(reason(expected));
    assertThat(actual.nodePath()).as(what).isEqualTo(expected.nodePath());
    assertThat(actual.determiningPolicies()).as(what).isEqualTo(expected.determiningPolicies());
  }

  /** The view without the budget scope a grant carries for its own node. */
  static ExecutionView withoutOwnScope(ExecutionView v) {
    List<ExecutionView.BudgetScope> others = new ArrayList<>();
    for (ExecutionView.BudgetScope b : v.budgetScopes()) {
      if (!b.nodeId().equals(v.nodeId())) {
        others.add(b);
      }
    }
    return new ExecutionView(
        v.graphId(),
        v.nodeId(),
        v.kind(),
        v.depth(),
        v.principal(),
        v.path(),
        v.lineage(),
        v.delegators(),
        v.attributes(),
        v.capabilities(),
        v.deadline(),
        v.trace(),
        others);
  }

  static ExecutionView withDeadline(ExecutionView v, Instant deadline) {
    return new ExecutionView(
        v.graphId(),
        v.nodeId(),
        v.kind(),
        v.depth(),
        v.principal(),
        v.path(),
        v.lineage(),
        v.delegators(),
        v.attributes(),
        v.capabilities(),
        deadline,
        v.trace(),
        v.budgetScopes());
  }

  private static Optional<Reason> reason(Decision d) {
    return d instanceof Decision.Deny deny ? Optional.of(deny.reason()) : Optional.empty();
  }

  /** A root and 3–8 descendants, some merges; capabilities drawn from what the parents hold. */
  private static List<ExecutionNode> randomGraph(SplittableRandom rnd, ExecutionGraph graph) {
    return randomGraph(rnd, graph, false);
  }

  /**
   * A root and 3–8 descendants, some merges. With {@code tight} budgets, every capability carries a
   * small {@code maxCalls} and descendants narrow their parents' budgets, so budgets run out.
   */
  private static List<ExecutionNode> randomGraph(
      SplittableRandom rnd, ExecutionGraph graph, boolean tight) {
    List<ExecutionNode> nodes = new ArrayList<>();
    List<String> rootCaps = new ArrayList<>();
    for (String c : VOCABULARY) {
      if (rnd.nextInt(3) != 0) {
        Capability cap = Capability.parse(c);
        rootCaps.add(
            tight && cap.maxCalls().isEmpty()
                ? cap.withMaxCalls(1 + rnd.nextInt(4)).toString()
                : c);
      }
    }
    nodes.add(
        graph.spawn(
            NodeSpec.builder("n0")
                .kind("session")
                .principal("user:alice")
                .capabilities(rootCaps)
                .ttl(Duration.ofMinutes(10 + rnd.nextInt(50)))
                .attributes(rnd.nextBoolean() ? Map.of() : Map.of("team", "t" + rnd.nextInt(3)))
                .build()));
    int size = 4 + rnd.nextInt(6);
    for (int i = 1; i < size; i++) {
      List<ExecutionNode> parents = new ArrayList<>();
      parents.add(pick(rnd, nodes));
      if (nodes.size() > 2 && rnd.nextInt(4) == 0) {
        ExecutionNode second = pick(rnd, nodes);
        if (second != parents.get(0)) {
          parents.add(second);
        }
      }
      List<String> caps = new ArrayList<>();
      if (tight) {
        for (Capability c : parents.get(0).capabilities()) {
          Capability narrowed = c.withMaxCalls(1 + rnd.nextInt((int) c.maxCalls().orElse(4)));
          if (rnd.nextInt(3) != 0
              && parents.stream().allMatch(p -> p.capabilities().covers(narrowed))) {
            caps.add(narrowed.toString());
          }
        }
      }
      for (String c : tight ? List.<String>of() : VOCABULARY) {
        Capability cap = Capability.parse(c);
        boolean coveredByAll = parents.stream().allMatch(p -> p.capabilities().covers(cap));
        if (coveredByAll && rnd.nextInt(3) != 0) {
          caps.add(c);
        }
      }
      NodeSpec.Builder spec =
          NodeSpec.builder("n" + i)
              .kind(pick(rnd, List.of("batch", "task", "agent", "tool")))
              .capabilities(caps);
      if (rnd.nextBoolean()) {
        spec.principal(pick(rnd, PRINCIPALS));
      }
      if (rnd.nextInt(3) == 0) {
        spec.ttl(Duration.ofSeconds(20 + rnd.nextInt(600)));
      }
      if (rnd.nextInt(4) == 0) {
        spec.attributes(Map.of("step", Integer.toString(i)));
      }
      List<String> parentIds = parents.stream().map(ExecutionNode::id).toList();
      nodes.add(
          parentIds.size() == 1
              ? graph.spawn(parentIds.get(0), spec.build())
              : graph.join(parentIds, spec.build()));
    }
    return nodes;
  }

  // ---------------------------------------------------------------------------------------------
  // Invariant 7: no accepted grant carries a capability its parent grant or node lacks
  // ---------------------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> grantsNeverWiden() {
    return IntStream.range(0, CASES)
        .mapToObj(
            i -> {
              long seed = ~BASE_SEED + i;
              return DynamicTest.dynamicTest(seedOf(seed), () -> neverWiden(seed));
            });
  }

  private static void neverWiden(long seed) {
    String s = seedOf(seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    TestClock clock = new TestClock(START);
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    GrantIssuer issuer =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(clock)
            .random(new SplittableRandom(seed))
            .build();
    GrantVerifier verifier =
        GrantVerifier.newBuilder()
            .keys(issuer.publicKeys())
            .issuer(Fixture.ISSUER)
            .audience(Fixture.AUDIENCE)
            .clock(clock)
            .withoutRevocationChecks()
            .build();
    List<String> nodeCaps = new ArrayList<>();
    for (String c : VOCABULARY) {
      if (rnd.nextBoolean()) {
        nodeCaps.add(c);
      }
    }
    ExecutionNode node =
        graph.spawn(
            NodeSpec.builder("n")
                .principal("agent:x")
                .capabilities(nodeCaps)
                .ttl(Duration.ofMinutes(1 + rnd.nextInt(30)))
                .build());

    // the first grant: from the node, asking for a random set (widening refused)
    CapabilitySet asked = randomSet(rnd, node.capabilities());
    GrantToken current;
    try {
      current =
          issuer.attenuate(node, Fixture.AUDIENCE, asked, Duration.ofSeconds(1 + rnd.nextInt(600)));
      assertThat(node.capabilities().covers(asked))
          .as("%s: minted %s from node %s", s, asked, node.capabilities())
          .isTrue();
    } catch (GrantIssuanceException e) {
      assertWideningRefused(s, e, node.capabilities(), asked);
      current = issuer.mint(node, Fixture.AUDIENCE, Duration.ofSeconds(1 + rnd.nextInt(600)));
    }
    List<CapabilitySet> ancestors = new ArrayList<>(List.of(node.capabilities()));
    List<Instant> ancestorExp = new ArrayList<>(List.of(node.deadline()));
    int depth = 1 + rnd.nextInt(2);
    for (int level = 0; level <= depth; level++) {
      VerifiedGrant accepted = verifier.verify(current.compact());
      for (int a = 0; a < ancestors.size(); a++) {
        assertThat(ancestors.get(a).covers(accepted.capabilities()))
            .as(
                "%s: accepted grant %s carries more than ancestor %d %s",
                s, accepted.capabilities(), a, ancestors.get(a))
            .isTrue();
        assertThat(accepted.expiresAt())
            .as("%s: exp of level %d", s, level)
            .isBeforeOrEqualTo(ancestorExp.get(a));
      }
      if (level == depth) {
        return;
      }
      clock.advance(Duration.ofMillis(rnd.nextInt(3_000)));
      CapabilitySet want = randomSet(rnd, accepted.capabilities());
      try {
        GrantToken child =
            issuer.attenuate(current, want, Duration.ofSeconds(1 + rnd.nextInt(900)));
        assertThat(accepted.capabilities().covers(want))
            .as("%s: minted %s from %s", s, want, accepted.capabilities())
            .isTrue();
        assertThat(child.capabilities()).as(s).isEqualTo(want);
        assertThat(child.expiresAt())
            .as("%s: child exp", s)
            .isBeforeOrEqualTo(accepted.expiresAt());
        assertThat(child.parentId()).as(s).contains(accepted.id());
        ancestors.add(accepted.capabilities());
        ancestorExp.add(accepted.expiresAt());
        current = child;
      } catch (GrantIssuanceException e) {
        if (e.error() == IssuanceError.INACTIVE) {
          assertThat(accepted.expiresAt())
              .as("%s: %s", s, e.getMessage())
              .isBeforeOrEqualTo(clock.instant().plusSeconds(1));
          return;
        }
        assertWideningRefused(s, e, accepted.capabilities(), want);
      } catch (GrantVerificationException e) {
        assertThat(e.check()).as("%s: %s", s, e.getMessage()).isEqualTo(GrantCheck.EXPIRED);
        return;
      }
    }
  }

  private static void assertWideningRefused(
      String s, GrantIssuanceException e, CapabilitySet held, CapabilitySet asked) {
    assertThat(e.error()).as("%s: %s", s, e.getMessage()).isEqualTo(IssuanceError.ATTENUATION);
    Optional<Capability> missing = held.firstUncovered(asked);
    if (missing.isEmpty()) {
      fail("%s: refused %s although %s covers it", s, asked, held);
    }
    assertThat(e.getMessage()).as(s).contains("'" + missing.get() + "'");
  }

  /** Mostly narrower than {@code from} (its members, narrowed), sometimes wider. */
  private static CapabilitySet randomSet(SplittableRandom rnd, CapabilitySet from) {
    List<Capability> out = new ArrayList<>();
    for (Capability c : from) {
      if (rnd.nextInt(3) != 0) {
        out.add(rnd.nextInt(4) == 0 ? c.withMaxCalls(rnd.nextInt(5)) : c);
      }
    }
    int extra = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2) : 0;
    for (int i = 0; i < extra; i++) {
      out.add(Capability.parse(pick(rnd, VOCABULARY)));
    }
    if (rnd.nextInt(6) == 0 && !out.isEmpty()) {
      // loosen one: drop its approval or its end
      Capability c = out.get(0);
      out.set(0, Capability.of(c.action(), c.resource()));
    }
    return CapabilitySet.of(out);
  }
}
