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
 * Invariant 5 (cache transparency): two identical runs, one with the decision cache and one
 * without, give equal decisions under any interleaving of spawn / join / revoke / complete / policy
 * reload / clock advance / budget use / claims / capabilities ending ({@code until}).
 */
final class DecisionCacheProperties {
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", 1_000);
  private static final long FIRST = Long.getLong("execauthz.properties.seed", 0x5EEDL);
  private static final String[] ACTIONS = {"fs.read", "fs.write", "tool.call"};
  private static final String[] RESOURCES = {
    "fs:/a/x", "fs:/a/y", "fs:/b/x", "tool:gh/get", "tool:gh/put", "tool:sh/run"
  };
  private static final String[] CAPS = {
    "fs.* fs:/**",
    "fs.read fs:/a/**",
    "fs.write fs:/a/* maxCalls=2",
    "tool.call tool:gh/*",
    "tool.call tool:gh/get approval",
    "* tool:** maxCalls=3",
    "fs.read fs:/b/x",
    "fs.write fs:/b/** until=2026-01-01T00:00:20Z",
    "tool.call tool:gh/put until=2026-01-01T00:00:05Z"
  };
  private static final String[] CLAIMS = {"fs:/a/*", "fs:/a/x", "fs:/b/**", "tool:gh/put"};

  /** An engine whose answers depend on the request, the time in seconds and a reloadable rule. */
  static final class ReloadingEngine implements PolicyEngine {
    final AtomicLong version = new AtomicLong();
    final AtomicLong calls = new AtomicLong();

    @Override
    public PolicyDecision evaluate(PolicyRequest r) {
      calls.incrementAndGet();
      long v = version.get();
      int h = (r.action() + r.resource() + r.view().nodeId()).hashCode();
      boolean permit =
          ((h ^ v) & 3) != 0
              && !(r.args().containsKey("deny"))
              && (r.now().getEpochSecond() % 7 != 3 || r.approved());
      return new PolicyDecision(permit, List.of("rule-" + v), List.of());
    }

    @Override
    public long version() {
      return version.get();
    }
  }

  /** One of the two runs. */
  static final class Run {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final ExecutionGraph graph;
    final ReloadingEngine engine = new ReloadingEngine();
    final Authorizer authorizer;

    Run(long seed, boolean cached) {
      graph = ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(seed)).build();
      authorizer =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(engine)
              .decisionCache(cached ? 10_000 : 0)
              .admitEveryAnswer()
              .build();
    }
  }

  @TestFactory
  Stream<DynamicTest> cachedDecisionsEqualUncachedOnes() {
    long[] hits = new long[1];
    return LongStream.range(FIRST, FIRST + CASES)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed=" + seed, () -> hits[0] += runOnce(seed)));
  }

  /**
   * The multi-threaded half: 4 threads spawn, revoke, complete, reload and authorize on one graph
   * through the cached authorizer; at each quiescent point between rounds, every request on every
   * node gets the same decision from the cached authorizer as from an uncached one on the same
   * graph (capabilities without budgets, so the two do not spend each other's).
   */
  @TestFactory
  Stream<DynamicTest> concurrentRounds_leaveNoStaleEntry() {
    return LongStream.range(FIRST, FIRST + 20)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed=" + seed, () -> concurrentRun(seed)));
  }

  private static final String[] FREE_CAPS = {
    "fs.* fs:/**",
    "fs.read fs:/a/**",
    "tool.call tool:gh/*",
    "tool.call tool:gh/get approval",
    "fs.write fs:/b/** until=2026-01-01T00:00:20Z",
    "fs.read fs:/b/x"
  };

  private static void concurrentRun(long seed) throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    ExecutionGraph graph =
        ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(seed)).build();
    ReloadingEngine engine = new ReloadingEngine();
    Authorizer cached =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(engine)
            .decisionCache(10_000)
            .admitEveryAnswer()
            .build();
    Authorizer plain =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(engine)
            .decisionCache(0)
            .admitEveryAnswer()
            .build();
    java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    graph.spawn(
        NodeSpec.builder("root")
            .principal("user:r")
            .capabilities(FREE_CAPS)
            .ttl(Duration.ofMinutes(5))
            .build());
    ids.add("root");
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    for (int round = 0; round < 15; round++) {
      int r = round;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long threadSeed = seed * 1_000_003L + round * 31L + t;
        done.add(
            pool.submit(
                () -> {
                  SplittableRandom rnd = new SplittableRandom(threadSeed);
                  for (int i = 0; i < 150; i++) {
                    List<String> known = new ArrayList<>(ids);
                    String some = known.get(rnd.nextInt(known.size()));
                    int op = rnd.nextInt(20);
                    try {
                      if (op < 3) {
                        String id = "c" + next.incrementAndGet();
                        NodeSpec.Builder b =
                            NodeSpec.builder(id)
                                .capabilities(pick(rnd, FREE_CAPS, 1 + rnd.nextInt(3)));
                        if (rnd.nextInt(4) == 0) {
                          b.claims(rnd.nextBoolean() ? "fs:/a/x" : "fs:/b/**").holdOnConflict();
                        }
                        graph.spawn(some, b.build());
                        ids.add(id);
                      } else if (op == 3 && !some.equals("root")) {
                        graph.revoke(some, "t");
                      } else if (op == 4 && !some.equals("root")) {
                        graph.complete(some);
                      } else if (op == 5 && rnd.nextInt(10) == 0) {
                        engine.version.incrementAndGet();
                      } else {
                        cached.authorize(
                            AuthorizationRequest.of(
                                some,
                                ACTIONS[rnd.nextInt(ACTIONS.length)],
                                RESOURCES[rnd.nextInt(RESOURCES.length)]));
                      }
                    } catch (ExecutionGraphException | IllegalArgumentException expected) {
                      // refused spawns (attenuation, inactive parents, claims) are part of the mix
                    }
                  }
                }));
      }
      for (var f : done) {
        f.get();
      }
      pool.shutdown();
      if (round % 3 == 2) {
        clock.advance(Duration.ofSeconds(7));
      }
      for (String id : ids) {
        for (String action : ACTIONS) {
          for (String resource : RESOURCES) {
            for (boolean approved : new boolean[] {false, true}) {
              AuthorizationRequest q = AuthorizationRequest.of(id, action, resource);
              if (approved) {
                q = q.withApproval();
              }
              assertThat(summary(cached.authorize(q)))
                  .as("seed=%d round=%d %s", seed, r, q)
                  .isEqualTo(summary(plain.authorize(q)));
            }
          }
        }
      }
    }
    assertThat(cached.cacheStats().hits()).as("seed=%d cache hits", seed).isPositive();
  }

  @org.junit.jupiter.api.Test
  void theCachedRunsDoAnswerFromTheCache() {
    long hits = 0;
    for (long seed = FIRST; seed < FIRST + 50; seed++) {
      hits += runOnce(seed);
    }
    assertThat(hits).as("cache hits over 50 seeds from %d", FIRST).isGreaterThan(10);
  }

  private static long runOnce(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Run cached = new Run(seed, true);
    Run plain = new Run(seed, false);
    List<String> ids = new ArrayList<>();
    List<String> log = new ArrayList<>();
    for (int step = 0; step < 60; step++) {
      int op = rnd.nextInt(10);
      String what;
      if (op == 0 || ids.isEmpty()) {
        String id = "n" + step;
        List<String> caps = pick(rnd, CAPS, 1 + rnd.nextInt(3));
        String parent =
            ids.isEmpty() || rnd.nextInt(4) == 0 ? null : ids.get(rnd.nextInt(ids.size()));
        NodeSpec.Builder sb =
            NodeSpec.builder(id)
                .principal("agent:a" + rnd.nextInt(3))
                .capabilities(caps)
                .ttl(Duration.ofSeconds(5 + rnd.nextInt(120)));
        if (rnd.nextInt(3) == 0) {
          sb.claims(CLAIMS[rnd.nextInt(CLAIMS.length)]);
          if (rnd.nextBoolean()) {
            sb.holdOnConflict();
          }
        }
        NodeSpec spec = sb.build();
        String a = spawn(cached, parent, spec);
        if (a.equals("OK") && cached.graph.node(id).state() == NodeState.HELD) {
          a = "HELD";
        }
        String b = spawn(plain, parent, spec);
        if (b.equals("OK") && plain.graph.node(id).state() == NodeState.HELD) {
          b = "HELD";
        }
        assertThat(a).as("seed=%d step=%d spawn %s under %s", seed, step, id, parent).isEqualTo(b);
        if (a.equals("OK") || a.equals("HELD")) {
          ids.add(id);
        }
        what = "spawn " + id + " under " + parent + " " + caps + " -> " + a;
      } else if (op == 1) {
        String id = ids.get(rnd.nextInt(ids.size()));
        cached.graph.revoke(id, "test");
        plain.graph.revoke(id, "test");
        what = "revoke " + id;
      } else if (op == 2) {
        String id = ids.get(rnd.nextInt(ids.size()));
        boolean a = tryComplete(cached, id);
        boolean b = tryComplete(plain, id);
        assertThat(a).as("seed=%d step=%d complete %s", seed, step, id).isEqualTo(b);
        what = "complete " + id;
      } else if (op == 3) {
        cached.engine.version.incrementAndGet();
        plain.engine.version.incrementAndGet();
        what = "reload";
      } else if (op == 4) {
        Duration d = Duration.ofMillis(rnd.nextInt(4) * 700L);
        cached.clock.advance(d);
        plain.clock.advance(d);
        what = "advance " + d;
      } else {
        String id = rnd.nextInt(20) == 0 ? "ghost" : ids.get(rnd.nextInt(ids.size()));
        AuthorizationRequest req =
            AuthorizationRequest.of(
                id, ACTIONS[rnd.nextInt(ACTIONS.length)], RESOURCES[rnd.nextInt(RESOURCES.length)]);
        if (rnd.nextBoolean()) {
          req = req.withApproval();
        }
        if (rnd.nextInt(5) == 0) {
          req = req.withArgs(Map.of("deny", true));
        }
        // ask twice in a row now and then, so the cached run answers from the cache
        int times = rnd.nextInt(3) == 0 ? 2 : 1;
        for (int t = 0; t < times; t++) {
          Decision a = cached.authorizer.authorize(req);
          Decision b = plain.authorizer.authorize(req);
          assertThat(summary(a))
              .as("seed=%d step=%d %s%nops:%n%s", seed, step, req, String.join("\n", log))
              .isEqualTo(summary(b));
        }
        what = "authorize " + req.nodeId() + " " + req.action() + " " + req.resource();
      }
      log.add(step + ": " + what);
    }
    assertThat(plain.authorizer.cacheStats().hits())
        .as("seed=%d: no cache, no hits", seed)
        .isZero();
    return cached.authorizer.cacheStats().hits();
  }

  private static List<String> pick(SplittableRandom rnd, String[] from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(from[rnd.nextInt(from.length)]);
    }
    return out;
  }

  private static String spawn(Run run, String parent, NodeSpec spec) {
    try {
      if (parent == null) {
        run.graph.spawn(spec);
      } else {
        run.graph.spawn(parent, spec);
      }
      return "OK";
    } catch (ExecutionGraphException e) {
      return e.error().name();
    }
  }

  private static boolean tryComplete(Run run, String id) {
    try {
      return run.graph.complete(id);
    } catch (ExecutionGraphException e) {
      return false;
    }
  }

  private static String summary(Decision d) {
    return d instanceof Decision.Deny x
        ? "DENY " + x.reason() + " " + x.determiningPolicies() + " " + x.nodePath()
        : "PERMIT " + d.determiningPolicies() + " " + d.nodePath();
  }
}
