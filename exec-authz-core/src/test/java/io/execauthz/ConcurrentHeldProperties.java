package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.capability.ResourcePattern;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
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
 * The graph's bookkeeping under real concurrency: threads spawn (many with claims, most holding on
 * conflict), join, complete, revoke, poll held and active nodes through the authorizer, and move
 * the clock (so blockers expire and ended nodes are forgotten after a short retention), all at
 * once. Checked:
 *
 * <ul>
 *   <li>nothing throws but a refusal ({@link ExecutionGraphException}); every decision is made;
 *   <li>no authorize that began after {@code revoke(n)} returned permits on n's subtree;
 *   <li>once the threads are done and the graph swept: the live count is exactly the nodes whose
 *       state is ACTIVE or HELD; no two active nodes hold overlapping claims unless one is the
 *       other's ancestor; every node still HELD is blocked by an active conflicting claim (none was
 *       left waiting on a holder that went away); a node's {@code whenStarted} is done unless it is
 *       held; and a node the graph forgot is past its deadline plus the retention.
 * </ul>
 *
 * <p>Each round is one seed ({@value #THREADS} threads, {@value #OPS_PER_THREAD} operations each);
 * scheduling is not replayable, but the seed fixes each thread's choices. Rerun with {@code
 * -Dtest=ConcurrentHeldProperties -Dexecauthz.properties.seed=<seed>
 * -Dexecauthz.properties.cases=1}.
 */
final class ConcurrentHeldProperties {
  static final int THREADS = 6;
  static final int OPS_PER_THREAD = 500;
  private static final int ROUNDS = Integer.getInteger("execauthz.properties.cases", 30);
  private static final long FIRST_SEED = Long.getLong("execauthz.properties.seed", 11_000_000);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration RETENTION = Duration.ofMinutes(1);
  private static final List<String> CLAIMS =
      List.of("fs:/r/a/**", "fs:/r/a/x", "fs:/r/b/**", "fs:/r/**", "fs:/s/*", "fs:/s/t");
  private static final List<String> RESOURCES =
      List.of("fs:/r/a/x", "fs:/r/a/y", "fs:/r/b/z", "fs:/r/c", "fs:/s/t", "fs:/s/u");

  @TestFactory
  Stream<DynamicTest> heldNodesLiveCountsAndClaimsStayConsistent() {
    return LongStream.range(FIRST_SEED, FIRST_SEED + ROUNDS)
        .mapToObj(
            seed -> DynamicTest.dynamicTest("round seed=" + seed, () -> new Round(seed).run()));
  }

  record Permitted(String node, long began) {}

  private static final class Round {
    final long seed;
    final MutableClock clock = new MutableClock(T0);
    final ExecutionGraph graph;
    final Authorizer authorizer;
    final AtomicLong sequence = new AtomicLong();
    final ConcurrentHashMap<String, Long> revokedAt = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, List<String>> parentsOf = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Instant> deadlineOf = new ConcurrentHashMap<>();
    final AtomicReferenceArray<String> ids =
        new AtomicReferenceArray<>(THREADS * OPS_PER_THREAD + 8);
    final AtomicInteger idCount = new AtomicInteger();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    final Queue<Permitted> permits = new ConcurrentLinkedQueue<>();

    Round(long seed) {
      this.seed = seed;
      this.graph =
          ExecutionGraph.newBuilder()
              .clock(clock)
              .random(new SplittableRandom(~seed))
              .retention(RETENTION)
              .maxLineage(12)
              .build();
      this.authorizer =
          Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    }

    @Override
    public String toString() {
      return "round seed=" + seed;
    }

    void run() throws InterruptedException {
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < 3; i++) {
        spawn(null, "root-" + i, rnd);
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom r = rnd.split();
        int worker = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int op = 0; op < OPS_PER_THREAD; op++) {
                      step(worker, op, r);
                    }
                  } catch (Throwable e) {
                    failures.add(this + " worker " + worker + " threw " + e);
                  }
                });
        threads.add(th);
        th.start();
      }
      start.countDown();
      for (Thread th : threads) {
        th.join();
      }
      assertThat(failures).as("%s", this).isEmpty();
      checkRevocations();
      checkQuiescent();
    }

    /** Mostly one of the latest nodes (likely still live), sometimes any. */
    String pickId(SplittableRandom r) {
      while (true) {
        int n = idCount.get();
        int from = r.nextInt(5) == 0 ? 0 : Math.max(0, n - 40);
        String id = ids.get(from + r.nextInt(n - from));
        if (id != null) { // a slot is counted just before its id is written
          return id;
        }
        Thread.onSpinWait();
      }
    }

    void step(int worker, int op, SplittableRandom r) {
      int k = r.nextInt(100);
      if (k < 30) {
        if (r.nextInt(8) == 0) {
          spawn(null, "w" + worker + "-" + op, r);
          return;
        }
        String parent = pickId(r);
        if (r.nextInt(6) == 0) {
          String other = pickId(r);
          if (!other.equals(parent)) {
            join(List.of(parent, other), "w" + worker + "-" + op, r);
            return;
          }
        }
        spawn(parent, "w" + worker + "-" + op, r);
      } else if (k < 35) {
        end(pickId(r), false);
      } else if (k < 40) {
        end(pickId(r), true);
      } else if (k < 45 && worker == 0) {
        clock.advance(Duration.ofSeconds(5 + r.nextInt(40)));
        if (r.nextBoolean()) {
          graph.sweep();
        }
      } else {
        String id = pickId(r);
        String resource = RESOURCES.get(r.nextInt(RESOURCES.size()));
        long began = sequence.incrementAndGet();
        Decision d = authorizer.authorize(id, r.nextBoolean() ? "fs.write" : "fs.read", resource);
        if (d == null) {
          failures.add(this + " authorize returned null");
        } else if (d.isPermit()) {
          permits.add(new Permitted(id, began));
        }
      }
    }

    NodeSpec spec(String id, SplittableRandom r, boolean root) {
      NodeSpec.Builder b = NodeSpec.builder(id).capabilities("fs.* fs:/**");
      if (root) {
        b.principal("user:alice").ttl(Duration.ofMinutes(30 + r.nextInt(60)));
      } else if (r.nextInt(3) == 0) {
        b.ttl(Duration.ofSeconds(30 + r.nextInt(600)));
      }
      if (r.nextInt(10) < 6) {
        b.claims(CLAIMS.get(r.nextInt(CLAIMS.size())));
        if (r.nextInt(10) < 7) {
          b.holdOnConflict();
        }
      }
      return b.build();
    }

    void spawn(String parent, String id, SplittableRandom r) {
      try {
        ExecutionNode n;
        if (parent == null) {
          n = graph.spawn(spec(id, r, true));
          parentsOf.put(id, List.of());
        } else {
          n = graph.spawn(parent, spec(id, r, false));
          parentsOf.put(id, List.of(parent));
        }
        deadlineOf.put(id, n.deadline());
        ids.set(idCount.getAndIncrement(), id);
      } catch (ExecutionGraphException refused) {
        // a refusal is a legitimate outcome here; the checks are on what was created
      }
    }

    void join(List<String> parents, String id, SplittableRandom r) {
      try {
        ExecutionNode n = graph.join(parents, spec(id, r, false));
        parentsOf.put(id, parents);
        deadlineOf.put(id, n.deadline());
        ids.set(idCount.getAndIncrement(), id);
      } catch (ExecutionGraphException refused) {
        // as above
      }
    }

    void end(String id, boolean revoke) {
      try {
        if (revoke) {
          if (graph.revoke(id, "test")) {
            revokedAt.putIfAbsent(id, sequence.incrementAndGet());
          }
        } else {
          graph.complete(id);
        }
      } catch (ExecutionGraphException refused) {
        // held (complete) or forgotten
      }
    }

    /** Every id at or above {@code id}. */
    List<String> lineage(String id) {
      List<String> out = new ArrayList<>();
      ArrayList<String> stack = new ArrayList<>(List.of(id));
      while (!stack.isEmpty()) {
        String n = stack.remove(stack.size() - 1);
        if (!out.contains(n)) {
          out.add(n);
          stack.addAll(parentsOf.getOrDefault(n, List.of()));
        }
      }
      return out;
    }

    void checkRevocations() {
      for (Permitted p : permits) {
        for (String a : lineage(p.node())) {
          Long at = revokedAt.get(a);
          assertThat(at == null || p.began() < at)
              .as(
                  "%s: a permit on %s began at %d, after revoke(%s) returned at %d",
                  this, p.node(), p.began(), a, at)
              .isTrue();
        }
      }
    }

    void checkQuiescent() {
      graph.sweep();
      Instant now = clock.instant();
      int live = 0;
      List<ExecutionNode> active = new ArrayList<>();
      List<ExecutionNode> held = new ArrayList<>();
      for (int i = 0; i < idCount.get(); i++) {
        String id = ids.get(i);
        Optional<ExecutionNode> found = graph.find(id);
        if (found.isEmpty()) {
          assertThat(forgettable(id, now))
              .as("%s: node %s was forgotten before its deadline plus the retention", this, id)
              .isTrue();
          continue;
        }
        ExecutionNode n = found.get();
        NodeState s = n.state();
        if (s == NodeState.ACTIVE) {
          active.add(n);
        } else if (s == NodeState.HELD) {
          held.add(n);
        }
        live += s == NodeState.ACTIVE || s == NodeState.HELD ? 1 : 0;
        assertThat(graph.whenStarted(id).isDone())
            .as("%s: whenStarted(%s) done, state %s", this, id, s)
            .isEqualTo(s != NodeState.HELD);
      }
      assertThat(graph.liveNodes()).as("%s: live count", this).isEqualTo(live);
      for (ExecutionNode a : active) {
        for (ExecutionNode b : active) {
          if (a != b && conflict(a, b)) {
            throw new AssertionError(
                this + ": active nodes " + a.id() + " and " + b.id() + " hold conflicting claims");
          }
        }
      }
      for (ExecutionNode h : held) {
        boolean blocked = false;
        for (ExecutionNode a : active) {
          blocked |= conflict(h, a);
        }
        assertThat(blocked)
            .as("%s: node %s is still HELD, though no active claim conflicts with it", this, h.id())
            .isTrue();
      }
    }

    /** Whether the graph may have forgotten {@code id}: only past its deadline plus retention. */
    boolean forgettable(String id, Instant now) {
      return !now.isBefore(deadlineOf.get(id).plus(RETENTION));
    }

    /** Overlapping claims of two nodes, neither an ancestor of the other. */
    boolean conflict(ExecutionNode a, ExecutionNode b) {
      if (lineage(a.id()).contains(b.id()) || lineage(b.id()).contains(a.id())) {
        return false;
      }
      for (ResourcePattern x : a.claims()) {
        for (ResourcePattern y : b.claims()) {
          if (x.overlaps(y)) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
