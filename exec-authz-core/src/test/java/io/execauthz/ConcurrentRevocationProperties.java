package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Invariants 2 and 3 under real concurrency (ARCHITECTURE §6): once {@code revoke(n)} or {@code
 * complete(n)} has returned, no {@code authorize} on n's subtree that begins afterwards, on any
 * thread, permits. Also: a {@code maxCalls} budget shared by a subtree is never overspent by
 * threads racing for it, and no operation throws anything but a refusal.
 *
 * <p>Each round is one seed: {@value #THREADS} threads spawn, join, revoke, complete and authorize
 * at once on one graph, {@value #OPS_PER_THREAD} operations each. One global sequence orders
 * events: a revoke or complete takes a number right after it returns, an authorize right before it
 * begins, so "began after it returned" is exact. Thread scheduling is not replayable, but the seed
 * fixes every choice each thread makes; rerun one round with {@code
 * -Dtest=ConcurrentRevocationProperties -Dexecauthz.properties.seed=<seed>
 * -Dexecauthz.properties.cases=1}, or change the number of rounds with {@code
 * -Dexecauthz.properties.cases=N}.
 */
final class ConcurrentRevocationProperties {
  static final int THREADS = 8;
  static final int OPS_PER_THREAD = 1_000;
  private static final int ROUNDS = Integer.getInteger("execauthz.properties.cases", 40);
  private static final long FIRST_SEED = Long.getLong("execauthz.properties.seed", 9_000_000);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final int BUDGET = 25;
  private static final String BUDGETED = "net.connect net:** maxCalls=" + BUDGET;

  /** The capabilities of every root, in order. */
  private static final List<String> ROOT_CAPS =
      List.of("fs.* fs:/**", "fs.read fs:/repo/**", "tool.call tool:**", BUDGETED);

  /** A request each root capability allows. */
  private static final Map<String, String[]> REQUESTS =
      Map.of(
          "fs.* fs:/**",
          new String[] {"fs.write", "fs:/repo/a"},
          "fs.read fs:/repo/**",
          new String[] {"fs.read", "fs:/repo/b"},
          "tool.call tool:**",
          new String[] {"tool.call", "tool:github/create_issue"},
          BUDGETED,
          new String[] {"net.connect", "net:api.example.com"});

  @TestFactory
  Stream<DynamicTest> noPermitBeginsAfterRevokeOrCompleteReturned() {
    LongStream seeds = LongStream.range(FIRST_SEED, FIRST_SEED + ROUNDS);
    return seeds.mapToObj(
        seed -> DynamicTest.dynamicTest("round seed=" + seed, () -> new Round(seed).run()));
  }

  /** A permit as the worker that received it saw it. */
  record Permitted(String node, String action, String resource, long began, String decisionId) {}

  private static final class Round {
    final long seed;
    final ExecutionGraph graph;
    final Authorizer authorizer;
    final AtomicLong sequence = new AtomicLong();
    // the sequence number taken right after the first revoke / complete of a node returned
    final ConcurrentHashMap<String, Long> revokedAt = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Long> completedAt = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, List<String>> parentsOf = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, List<String>> capsOf = new ConcurrentHashMap<>();
    final AtomicReferenceArray<String> ids =
        new AtomicReferenceArray<>(THREADS * OPS_PER_THREAD + 8);
    final AtomicInteger idCount = new AtomicInteger();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    final List<List<Permitted>> permits = new ArrayList<>();

    Round(long seed) {
      this.seed = seed;
      this.graph =
          ExecutionGraph.newBuilder()
              .clock(new MutableClock(T0)) // time stands still: only revoke and complete end
              .random(new SplittableRandom(~seed))
              .build();
      this.authorizer =
          Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    }

    void run() throws InterruptedException {
      SplittableRandom rnd = new SplittableRandom(seed);
      spawnRoot("root-a");
      spawnRoot("root-b");
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom r = rnd.split();
        List<Permitted> mine = new ArrayList<>();
        permits.add(mine);
        int worker = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    start.await();
                    work(worker, r, mine);
                  } catch (Throwable e) {
                    failures.add("worker " + worker + " threw " + e);
                  }
                },
                "revocation-round-" + seed + "-worker-" + t);
        threads.add(th);
        th.start();
      }
      start.countDown();
      for (Thread th : threads) {
        th.join(60_000);
        assertThat(th.isAlive())
            .as("round seed=%d: %s still running", seed, th.getName())
            .isFalse();
      }
      assertThat(failures).as("round seed=%d: unexpected failures", seed).isEmpty();
      checkRevocationAndCompletion();
      checkBudgets();
      checkAgainAfterwards();
    }

    void spawnRoot(String id) {
      List<String> caps = ROOT_CAPS;
      graph.spawn(
          NodeSpec.builder(id)
              .principal("user:alice")
              .capabilities(caps)
              .ttl(Duration.ofHours(1))
              .build());
      publish(id, List.of(), caps);
    }

    void publish(String id, List<String> parents, List<String> caps) {
      parentsOf.put(id, parents);
      capsOf.put(id, caps);
      ids.set(idCount.getAndIncrement(), id);
    }

    /** A node, half the time among the most recent ones, where the action is. */
    String pickId(SplittableRandom r) {
      int n = idCount.get();
      for (int attempt = 0; attempt < 4; attempt++) {
        int i = r.nextBoolean() ? r.nextInt(n) : Math.max(0, n - 1 - r.nextInt(16));
        String id = ids.get(i);
        if (id != null) {
          return id;
        }
      }
      return "root-a";
    }

    /** A recent node, mostly: ending one ends a small subtree, racing with work on it. */
    String pickRecent(SplittableRandom r) {
      int n = idCount.get();
      String id = ids.get(Math.max(0, n - 1 - r.nextInt(r.nextInt(10) == 0 ? n : Math.min(n, 48))));
      return id == null ? pickId(r) : id;
    }

    List<String> someOf(SplittableRandom r, List<String> caps) {
      List<String> out = new ArrayList<>();
      for (String c : caps) {
        if (r.nextInt(10) < 7) {
          out.add(c);
        }
      }
      return out;
    }

    void work(int worker, SplittableRandom r, List<Permitted> mine) {
      for (int op = 0; op < OPS_PER_THREAD; op++) {
        int x = r.nextInt(1000);
        String fresh = "w" + worker + "-" + op;
        try {
          if (x < 10) {
            spawnRoot(fresh);
          } else if (x < 230) {
            String parent = pickId(r);
            List<String> caps = someOf(r, capsOf.get(parent));
            graph.spawn(parent, NodeSpec.builder(fresh).capabilities(caps).build());
            publish(fresh, List.of(parent), caps);
          } else if (x < 270) {
            String p1 = pickId(r);
            String p2 = pickId(r);
            if (p1.equals(p2)) {
              continue;
            }
            List<String> common = new ArrayList<>(capsOf.get(p1));
            common.retainAll(capsOf.get(p2));
            List<String> caps = someOf(r, common);
            graph.join(List.of(p1, p2), NodeSpec.builder(fresh).capabilities(caps).build());
            publish(fresh, List.of(p1, p2), caps);
          } else if (x < 310) {
            String id = pickRecent(r);
            graph.revoke(id, "round " + seed);
            revokedAt.merge(id, sequence.incrementAndGet(), Math::min);
          } else if (x < 335) {
            String id = pickRecent(r);
            graph.complete(id);
            completedAt.merge(id, sequence.incrementAndGet(), Math::min);
          } else {
            String id = pickId(r);
            List<String> caps = capsOf.get(id);
            String[] req =
                caps.isEmpty()
                    ? new String[] {"fs.read", "fs:/repo/c"}
                    : REQUESTS.get(caps.get(r.nextInt(caps.size())));
            long began = sequence.incrementAndGet();
            Decision d = authorizer.authorize(id, req[0], req[1]);
            if (d == null) {
              failures.add("authorize(" + id + ") returned null");
            } else if (d.isPermit()) {
              mine.add(new Permitted(id, req[0], req[1], began, d.decisionId()));
            }
          }
        } catch (ExecutionGraphException e) {
          if (e.error() != GraphError.PARENT_INACTIVE && e.error() != GraphError.LIMIT) {
            failures.add("unexpected refusal " + e.getMessage());
          }
        }
      }
    }

    /** This node and every ancestor, each once. */
    Set<String> lineage(String id, Map<String, Set<String>> memo) {
      Set<String> known = memo.get(id);
      if (known != null) {
        return known;
      }
      Set<String> out = new LinkedHashSet<>();
      out.add(id);
      for (String p : parentsOf.get(id)) {
        out.addAll(lineage(p, memo));
      }
      memo.put(id, out);
      return out;
    }

    void checkRevocationAndCompletion() {
      Map<String, Set<String>> memo = new HashMap<>();
      List<String> violations = new ArrayList<>();
      int total = 0;
      for (List<Permitted> list : permits) {
        for (Permitted p : list) {
          total++;
          for (String a : lineage(p.node(), memo)) {
            Long revoked = revokedAt.get(a);
            Long completed = completedAt.get(a);
            if (revoked != null && revoked < p.began()) {
              violations.add(
                  p
                      + " began at #"
                      + p.began()
                      + " after revoke("
                      + a
                      + ") returned at #"
                      + revoked);
            }
            if (completed != null && completed < p.began()) {
              violations.add(
                  p
                      + " began at #"
                      + p.began()
                      + " after complete("
                      + a
                      + ") returned at #"
                      + completed);
            }
          }
        }
      }
      assertThat(violations)
          .as(
              "round seed=%d: invariants 2/3, permits (of %d) to an authorize that began after"
                  + " revoke or complete of its node or an ancestor had returned",
              seed, total)
          .isEmpty();
      assertThat(total).as("round seed=%d: the round permitted nothing at all", seed).isPositive();
    }

    /** Each budgeted node's subtree got at most {@value #BUDGET} permits for its budget. */
    void checkBudgets() {
      Map<String, Set<String>> memo = new HashMap<>();
      Map<String, Integer> spent = new HashMap<>();
      for (List<Permitted> list : permits) {
        for (Permitted p : list) {
          if (p.action().equals("net.connect")) {
            for (String a : lineage(p.node(), memo)) {
              spent.merge(a, 1, Integer::sum);
            }
          }
        }
      }
      for (Map.Entry<String, Integer> e : spent.entrySet()) {
        assertThat(e.getValue())
            .as(
                "round seed=%d: permits under '%s' of node %s and its subtree",
                seed, BUDGETED, e.getKey())
            .isLessThanOrEqualTo(BUDGET);
      }
    }

    /** Later, from this thread: every node under a revoked or completed one is denied. */
    void checkAgainAfterwards() {
      Map<String, Set<String>> memo = new HashMap<>();
      for (int i = 0; i < idCount.get(); i++) {
        String id = ids.get(i);
        List<String> caps = capsOf.get(id);
        if (caps.isEmpty()) {
          continue;
        }
        String ended = null;
        for (String a : lineage(id, memo)) {
          if (revokedAt.containsKey(a) || completedAt.containsKey(a)) {
            ended = a;
          }
        }
        if (ended != null) {
          String[] req = REQUESTS.get(caps.get(0));
          assertThat(authorizer.authorize(id, req[0], req[1]).isPermit())
              .as("round seed=%d: %s permitted after the round, though %s ended", seed, id, ended)
              .isFalse();
        }
      }
    }
  }
}
