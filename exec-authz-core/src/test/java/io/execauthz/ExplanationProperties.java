package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Authorizer#explain} cannot drift from {@link Authorizer#check}: on random graphs (spawns,
 * claims held and refused, revocations, completions, time passing, budgets spent by real calls,
 * policy reloads) and random requests (unknown nodes, malformed resources, approvals, arguments),
 * an engine that permits, forbids, errs, answers nothing or throws, and the decision cache on, the
 * explanation's decision is check's, but for its id — and explaining leaves the cache untouched.
 */
final class ExplanationProperties {
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", 1_000);
  private static final long FIRST = Long.getLong("execauthz.properties.seed", 0xE7A1L);
  private static final String[] ACTIONS = {"fs.read", "fs.write", "tool.call", "fs.*"};
  private static final String[] RESOURCES = {
    "fs:/a/x",
    "fs:/a/y",
    "fs:/b/x",
    "tool:gh/get",
    "tool:gh/put",
    "tool:sh/run",
    // not in canonical form: decided on their canonical text, fs:/a/x and tool:gh/put
    "FS:/a/x",
    "Tool:gh/put",
    // malformed (the last two, asked now and then): denied ERROR before the gate
    "fs:/a/../b/x",
    "fs:relative"
  };
  private static final String[] CAPS = {
    "fs.* fs:/**",
    "fs.read fs:/a/**",
    "fs.write fs:/a/* maxCalls=2",
    "tool.call tool:gh/*",
    "tool.call tool:gh/get approval",
    "* tool:** maxCalls=1",
    "fs.read fs:/b/x",
    "fs.write fs:/b/** until=2026-01-01T00:00:20Z",
    "tool.call tool:gh/put until=2026-01-01T00:00:05Z approval"
  };
  private static final String[] CLAIMS = {"fs:/a/*", "fs:/a/x", "fs:/b/**", "tool:gh/put"};

  /** Permits, forbids (naming policies), errs, answers null or throws, by request and version. */
  static final class MoodyEngine implements PolicyEngine {
    final AtomicLong version = new AtomicLong();

    @Override
    public PolicyDecision evaluate(PolicyRequest r) {
      long v = version.get();
      int h = (r.action() + r.resource() + r.view().nodeId() + v).hashCode() & 0xff;
      if (r.args().containsKey("boom")) {
        throw new IllegalStateException("engine blew up on " + r.resource());
      }
      if (h < 8) {
        return null;
      }
      if (h < 24) {
        return new PolicyDecision(true, List.of("p" + v), List.of("forbid-" + h + " erred"));
      }
      if (h < 90) {
        return new PolicyDecision(false, List.of("forbid-" + (h % 3)), List.of());
      }
      if (h < 110) {
        return new PolicyDecision(false, List.of(), List.of());
      }
      return new PolicyDecision(true, List.of("permit-" + (h % 4), "base"), List.of());
    }

    @Override
    public long version() {
      return version.get();
    }

    @Override
    public boolean readsTime() {
      return false;
    }
  }

  @TestFactory
  Stream<DynamicTest> explainDecidesAsCheckDoes() {
    return LongStream.range(FIRST, FIRST + CASES)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed=" + seed, () -> runOnce(seed)));
  }

  /**
   * The generator reaches every check: each refuses some request, and some are permitted; but for
   * the budget plan, which in a graph refuses only when an ancestor cannot serve what its child can
   * (attenuation keeps that from happening; a grant's view is another matter).
   */
  @org.junit.jupiter.api.Test
  void theRunsRefuseAtEveryStep_andPermitToo() {
    java.util.Set<String> seen = new java.util.TreeSet<>();
    for (long seed = FIRST; seed < FIRST + 200; seed++) {
      seen.addAll(runOnce(seed));
    }
    List<String> all = new ArrayList<>();
    for (Explanation.Step s : Explanation.Step.values()) {
      if (s != Explanation.Step.BUDGET) {
        all.add(s.name());
      }
    }
    all.add("PERMIT");
    assertThat(seen).as("outcomes over 200 seeds from %d", FIRST).containsAll(all);
  }

  /** Runs one case; returns the failed steps seen (and PERMIT if any request was permitted). */
  private static java.util.Set<String> runOnce(long seed) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    SplittableRandom rnd = new SplittableRandom(seed);
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    ExecutionGraph graph =
        ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(seed)).build();
    MoodyEngine engine = new MoodyEngine();
    Authorizer authorizer =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(engine)
            .decisionCache(rnd.nextBoolean() ? 10_000 : 0)
            .admitEveryAnswer()
            .build();
    List<String> ids = new ArrayList<>();
    List<String> log = new ArrayList<>();
    int explained = 0;
    for (int step = 0; step < 40; step++) {
      int op = rnd.nextInt(16);
      if (op < 4 || ids.isEmpty()) {
        String id = "n" + step;
        String parent =
            ids.isEmpty() || rnd.nextInt(4) == 0 ? null : ids.get(rnd.nextInt(ids.size()));
        // a child mostly keeps some of its parent's capabilities, so that deep graphs grow
        String[] from =
            parent != null && rnd.nextInt(4) != 0
                ? graph.node(parent).capabilities().texts().toArray(String[]::new)
                : CAPS;
        NodeSpec.Builder sb =
            NodeSpec.builder(id)
                .principal("agent:a" + rnd.nextInt(3))
                .capabilities(pick(rnd, from, 1 + rnd.nextInt(3)))
                .ttl(Duration.ofSeconds(5 + rnd.nextInt(120)));
        if (rnd.nextInt(3) == 0) {
          sb.claims(CLAIMS[rnd.nextInt(CLAIMS.length)]);
          if (rnd.nextBoolean()) {
            sb.holdOnConflict();
          }
        }
        try {
          if (parent == null) {
            graph.spawn(sb.build());
          } else {
            graph.spawn(parent, sb.build());
          }
          ids.add(id);
          log.add(step + ": spawn " + id + " under " + parent);
        } catch (ExecutionGraphException e) {
          log.add(step + ": spawn " + id + " refused " + e.error());
        }
      } else if (op == 4) {
        String id = ids.get(rnd.nextInt(ids.size()));
        graph.revoke(id, "test");
        log.add(step + ": revoke " + id);
      } else if (op == 5) {
        String id = ids.get(rnd.nextInt(ids.size()));
        try {
          graph.complete(id);
        } catch (ExecutionGraphException e) {
          // completing a node twice, or one that is held, is part of the mix
        }
        log.add(step + ": complete " + id);
      } else if (op == 6) {
        engine.version.incrementAndGet();
        log.add(step + ": reload");
      } else if (op == 7) {
        Duration d = Duration.ofMillis(rnd.nextInt(6) * 1_500L);
        clock.advance(d);
        log.add(step + ": advance " + d);
      } else {
        AuthorizationRequest req = request(rnd, ids);
        if (op < 10) {
          authorizer.authorize(req); // spends budgets: check and explain never look at them
          log.add(step + ": authorize " + req);
          continue;
        }
        CacheStats before = authorizer.cacheStats();
        Explanation e = authorizer.explain(req);
        CacheStats after = authorizer.cacheStats();
        Decision checked = authorizer.check(req);
        String where =
            String.format("seed=%d step=%d %s%nops:%n%s", seed, step, req, String.join("\n", log));
        assertThat(summary(e.decision())).as(where).isEqualTo(summary(checked));
        assertThat(after).as("explain touches no cache: " + where).isEqualTo(before);
        if (checked.isPermit()) {
          assertThat(e.checks()).as(where).allMatch(Explanation.Check::passed);
          assertThat(e.check(Explanation.Step.POLICY).determiningPolicies())
              .as(where)
              .isEqualTo(checked.determiningPolicies());
        } else {
          Explanation.Check failed = e.failed().orElseThrow();
          assertThat(failed.step()).as(where).isEqualTo(stepOf((Decision.Deny) checked));
        }
        explained++;
        seen.add(e.failed().map(c -> c.step().name()).orElse("PERMIT"));
        log.add(step + ": explain " + req + " -> " + summary(checked));
      }
    }
    assertThat(explained).as("seed=%d explained requests", seed).isPositive();
    return seen;
  }

  private static AuthorizationRequest request(SplittableRandom rnd, List<String> ids) {
    String id = rnd.nextInt(20) == 0 ? "ghost" : ids.get(rnd.nextInt(ids.size()));
    String action = ACTIONS[rnd.nextInt(ACTIONS.length - (rnd.nextInt(15) == 0 ? 0 : 1))];
    String resource = RESOURCES[rnd.nextInt(RESOURCES.length - (rnd.nextInt(10) == 0 ? 0 : 2))];
    AuthorizationRequest req = AuthorizationRequest.of(id, action, resource);
    if (rnd.nextBoolean()) {
      req = req.withApproval();
    }
    if (rnd.nextInt(25) == 0) {
      req = req.withArgs(Map.of("boom", true));
    }
    return req;
  }

  /** The step CONTRACT §2 says refuses with this reason (malformed requests at the gate). */
  private static Explanation.Step stepOf(Decision.Deny d) {
    return switch (d.reason()) {
      case UNKNOWN_NODE -> Explanation.Step.NODE;
      case HELD, CANCELLED, REVOKED, COMPLETED, EXPIRED -> Explanation.Step.LIVENESS;
      case OUT_OF_SCOPE -> Explanation.Step.CAPABILITY;
      case CLAIMED -> Explanation.Step.CLAIMS;
      case APPROVAL_REQUIRED -> Explanation.Step.APPROVAL;
      case BUDGET_EXHAUSTED -> Explanation.Step.BUDGET;
      case POLICY -> Explanation.Step.POLICY;
      case ERROR ->
          d.detail().startsWith("malformed request")
              ? Explanation.Step.CAPABILITY
              : Explanation.Step.POLICY;
      case INVALID_GRANT, UNAVAILABLE -> null;
    };
  }

  private static List<String> pick(SplittableRandom rnd, String[] from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(from[rnd.nextInt(from.length)]);
    }
    return out;
  }

  /** Everything a decision says but its id. */
  private static String summary(Decision d) {
    return d instanceof Decision.Deny x
        ? "DENY "
            + x.reason()
            + " "
            + x.detail()
            + " "
            + x.determiningPolicies()
            + " "
            + x.errors()
            + " "
            + x.nodePath()
        : "PERMIT " + d.determiningPolicies() + " " + d.nodePath();
  }
}
