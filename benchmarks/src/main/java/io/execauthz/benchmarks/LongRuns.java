package io.execauthz.benchmarks;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.spi.PolicyEngine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What stays flat over a long run: the measurements of docs/benchmarks.md, "Long runs". Not JMH:
 * each is one steady state or one curve, in a JVM of its own, with a clock the benchmark moves (so
 * an hour of deadlines and retention passes in a second).
 *
 * <ul>
 *   <li>{@code churn}: heap after 1,000,000 spawn+complete cycles under 1,000 live nodes, once the
 *       retention has passed, against the heap of the 1,000 live nodes alone (target: within 2×).
 *   <li>{@code fanout}: the time of one spawn as one node's children grow to 100,000 (fan-out limit
 *       raised), per block of 1,000 spawns (target: the 100,000th within 2× the 1,000th).
 *   <li>{@code depth}: the same along a chain 10,000 deep (depth and lineage limits raised), and
 *       the heap per node at 1,000 and at 10,000 deep.
 *   <li>{@code held}: {@code authorize} on a HELD node as ended nodes pile up (target: flat).
 *   <li>{@code stress}: four threads polling HELD nodes while one spawns and revokes; revoke
 *       latency percentiles (target: p99 under 1 ms).
 * </ul>
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.execauthz.benchmarks.LongRuns churn|fanout|depth|held|stress
 * </pre>
 */
public final class LongRuns {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private LongRuns() {}

  /** A clock that moves only when told to. Thread-safe. */
  static final class ManualClock implements InstantSource {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public Instant instant() {
      return T0.plusNanos(nanos.get());
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cores, max heap %d MiB%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    switch (what) {
      case "churn" -> churn(1_000_000);
      case "fanout" -> fanOut(100_000);
      case "depth" -> depth(10_000);
      case "held" -> held();
      case "stress" -> stress(Duration.ofSeconds(10));
      case "all" -> {
        churn(1_000_000);
        fanOut(100_000);
        depth(10_000);
        held();
        stress(Duration.ofSeconds(10));
      }
      default ->
          throw new IllegalArgumentException(
              "expected churn, fanout, depth, held, stress or all, got " + what);
    }
  }

  private static NodeSpec.Builder task(String id) {
    return NodeSpec.builder(id).kind("task");
  }

  private static ExecutionGraph.Builder graph(ManualClock clock) {
    return ExecutionGraph.newBuilder().clock(clock).defaultTtl(Duration.ofDays(30));
  }

  // ------------------------------------------------------------------------------------ churn

  static void churn(int cycles) throws InterruptedException {
    ManualClock clock = new ManualClock();
    CapabilitySet taskCaps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
    long base = usedAfterGc();
    ExecutionGraph g = graph(clock).build();
    g.spawn(
        NodeSpec.builder("session")
            .kind("session")
            .principal("user:alice")
            .capabilities(Fixtures.SESSION_CAPABILITIES)
            .build());
    for (int i = 0; i < 999; i++) {
      g.spawn("session", task("w-" + i).capabilities(Fixtures.TASK_CAPABILITIES).build());
    }
    long liveOnly = usedAfterGc() - base;

    long t0 = System.nanoTime();
    long peak = 0;
    for (int c = 0; c < cycles; c++) {
      String id = "t-" + c;
      g.spawn("w-" + (c % 999), task(id).capabilities(taskCaps).ttl(Duration.ofMinutes(1)).build());
      g.complete(id);
      clock.advance(Duration.ofMillis(1)); // 1,000,000 cycles: about 17 minutes of graph time
      if (c == cycles - 1) {
        peak = usedAfterGc() - base;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Fixtures.check(g.liveNodes() == 1_000, "expected 1,000 live nodes, found " + g.liveNodes());
    // the last ended node's deadline is a minute ahead; then the default retention of 5 minutes
    clock.advance(Duration.ofMinutes(7));
    g.sweep();
    long after = usedAfterGc() - base;
    Fixtures.check(g.find("t-0").isEmpty(), "the first ended node is still known");
    Fixtures.check(g.find("w-0").isPresent(), "a live node was forgotten");
    Fixtures.check(g.liveNodes() == 1_000, "expected 1,000 live nodes, found " + g.liveNodes());
    Reference.reachabilityFence(g);
    System.out.printf(
        Locale.ROOT,
        "churn: %,d spawn+complete cycles under 1,000 live nodes in %.1f s (%.2f µs/cycle)%n",
        cycles,
        seconds,
        seconds * 1e6 / cycles);
    System.out.printf(
        Locale.ROOT,
        "  heap of the 1,000 live nodes alone:        %,12d bytes%n"
            + "  after the cycles, within retention:        %,12d bytes (ended nodes still"
            + " answerable)%n"
            + "  after the cycles, once retention passed:   %,12d bytes = %.2f× the live nodes"
            + " alone (target <= 2×)%n",
        liveOnly,
        peak,
        after,
        after / (double) liveOnly);
  }

  // ------------------------------------------------------------------------------ fan-out

  static void fanOut(int children) {
    int block = 1_000;
    int rounds = 5;
    double[][] perSpawn = new double[rounds][children / block];
    CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
    for (int r = 0; r < rounds; r++) {
      ExecutionGraph g =
          graph(new ManualClock()).maxFanOut(children).maxLiveNodes(children + 1).build();
      g.spawn(
          NodeSpec.builder("s")
              .kind("session")
              .principal("user:alice")
              .capabilities(Fixtures.SESSION_CAPABILITIES)
              .build());
      for (int b = 0; b < children / block; b++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < block; i++) {
          g.spawn("s", task("c" + (b * block + i)).capabilities(caps).build());
        }
        perSpawn[r][b] = (System.nanoTime() - t0) / (double) block;
      }
      Fixtures.check(g.liveNodes() == children + 1, "unexpected live count");
    }
    System.out.printf(
        Locale.ROOT,
        "fan-out: one node's children grow to %,d; µs per spawn, median of %d rounds, per block"
            + " of %,d spawns%n",
        children,
        rounds,
        block);
    int[] marks = {1_000, 10_000, 25_000, 50_000, 75_000, 100_000};
    double first = Double.NaN;
    for (int m : marks) {
      if (m > children) {
        continue;
      }
      double med = median(column(perSpawn, m / block - 1));
      if (Double.isNaN(first)) {
        first = med;
      }
      System.out.printf(
          Locale.ROOT,
          "  children %,7d: %6.2f µs per spawn (%.2f× the first block)%n",
          m,
          med / 1e3,
          med / first);
    }
  }

  // -------------------------------------------------------------------------------- depth

  static void depth(int deepest) throws InterruptedException {
    int block = 1_000;
    int rounds = 3;
    double[][] perSpawn = new double[rounds][deepest / block];
    CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
    long[] revokeNanos = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      ExecutionGraph g = deepGraph(deepest);
      String parent = "d0";
      for (int b = 0; b < deepest / block; b++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < block; i++) {
          String id = "d" + (b * block + i + 1);
          g.spawn(parent, task(id).capabilities(caps).build());
          parent = id;
        }
        perSpawn[r][b] = (System.nanoTime() - t0) / (double) block;
      }
      long t0 = System.nanoTime();
      g.revoke("d1", "x");
      revokeNanos[r] = System.nanoTime() - t0;
      Fixtures.check(g.liveNodes() == 1, "the chain was not revoked");
    }
    System.out.printf(
        Locale.ROOT,
        "depth: a chain grows to %,d deep; µs per spawn, median of %d rounds, per block of %,d%n",
        deepest,
        rounds,
        block);
    double first = median(column(perSpawn, 0));
    for (int m : new int[] {1_000, 2_500, 5_000, 10_000}) {
      if (m > deepest) {
        continue;
      }
      double med = median(column(perSpawn, m / block - 1));
      System.out.printf(
          Locale.ROOT,
          "  depth %,7d: %6.2f µs per spawn (%.2f× the first block)%n",
          m,
          med / 1e3,
          med / first);
    }
    Arrays.sort(revokeNanos);
    System.out.printf(
        Locale.ROOT,
        "  revoking the whole chain: %.2f ms (median of %d)%n",
        revokeNanos[rounds / 2] / 1e6,
        rounds);
    for (int n : new int[] {1_000, deepest}) {
      long base = usedAfterGc();
      ExecutionGraph g = deepGraph(n);
      String parent = "d0";
      for (int i = 1; i <= n; i++) {
        String id = "d" + i;
        g.spawn(parent, task(id).capabilities(caps).build());
        parent = id;
      }
      long used = usedAfterGc() - base;
      Reference.reachabilityFence(g);
      System.out.printf(
          Locale.ROOT,
          "  heap of a chain %,6d deep: %,12d bytes, %,6d bytes per node%n",
          n,
          used,
          used / (n + 1));
    }
  }

  private static ExecutionGraph deepGraph(int depth) {
    ExecutionGraph g =
        graph(new ManualClock())
            .maxDepth(depth)
            .maxLineage(depth + 1)
            .maxLiveNodes(depth + 1)
            .build();
    g.spawn(
        NodeSpec.builder("d0")
            .kind("session")
            .principal("user:alice")
            .capabilities(Fixtures.SESSION_CAPABILITIES)
            .build());
    return g;
  }

  // --------------------------------------------------------------------------------- held

  static void held() {
    ManualClock clock = new ManualClock();
    ExecutionGraph g = graph(clock).maxLiveNodes(1_000_000).build();
    heldSetUp(g, 1);
    Authorizer authz =
        Authorizer.newBuilder().graph(g).policyEngine(PolicyEngine.permitAll()).build();
    CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
    System.out.println(
        "held: authorize on a HELD node as ended (still retained) nodes pile up; ns per call,"
            + " median of 5 runs of 200,000");
    for (int i = 0; i < 400_000; i++) { // warm-up
      authz.authorize("h0", "fs.read", "fs:/repo/docs/a");
    }
    int ended = 0;
    for (int target : new int[] {0, 10_000, 100_000, 300_000, 1_000_000}) {
      for (; ended < target; ended++) {
        String id = "e" + ended;
        g.spawn("s", task(id).capabilities(caps).build());
        g.complete(id);
      }
      double[] runs = new double[5];
      for (int r = 0; r < runs.length; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 200_000; i++) {
          Decision d = authz.authorize("h0", "fs.read", "fs:/repo/docs/a");
          if (!(d instanceof Decision.Deny deny) || deny.reason() != Reason.HELD) {
            throw new IllegalStateException("expected HELD, got " + d);
          }
        }
        runs[r] = (System.nanoTime() - t0) / 200_000.0;
      }
      System.out.printf(
          Locale.ROOT, "  ended nodes %,9d: %7.0f ns per authorize%n", ended, median(runs));
    }
  }

  /** A session, a blocker claiming fs:/repo/docs/**, and {@code n} nodes held behind it. */
  private static void heldSetUp(ExecutionGraph g, int n) {
    g.spawn(
        NodeSpec.builder("s")
            .kind("session")
            .principal("user:alice")
            .capabilities(Fixtures.SESSION_CAPABILITIES)
            .build());
    g.spawn(
        "s",
        task("blocker")
            .capabilities("fs.write fs:/repo/src/**", "fs.read fs:/repo/**")
            .claims("fs:/repo/src/**")
            .build());
    for (int i = 0; i < n; i++) {
      g.spawn(
          "s",
          task("h" + i)
              .capabilities("fs.write fs:/repo/src/**", "fs.read fs:/repo/**")
              .claims("fs:/repo/src/**")
              .holdOnConflict()
              .build());
    }
  }

  // ------------------------------------------------------------------------------- stress

  static void stress(Duration length) throws InterruptedException {
    ManualClock clock = new ManualClock();
    ExecutionGraph g = graph(clock).maxLiveNodes(2_000_000).build();
    heldSetUp(g, 4);
    Authorizer authz =
        Authorizer.newBuilder().graph(g).policyEngine(PolicyEngine.permitAll()).build();
    CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
    // 300,000 ended nodes within their retention first: what made every held poll a full scan
    for (int i = 0; i < 300_000; i++) {
      String id = "e" + i;
      g.spawn("s", task(id).capabilities(caps).build());
      g.complete(id);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong polls = new AtomicLong();
    CountDownLatch started = new CountDownLatch(4);
    List<Thread> pollers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String node = "h" + t;
      Thread th =
          new Thread(
              () -> {
                started.countDown();
                long n = 0;
                while (!stop.get()) {
                  Decision d = authz.authorize(node, "fs.read", "fs:/repo/docs/a");
                  if (!(d instanceof Decision.Deny deny) || deny.reason() != Reason.HELD) {
                    throw new IllegalStateException("expected HELD, got " + d);
                  }
                  n++;
                }
                polls.addAndGet(n);
              },
              "poller-" + t);
      pollers.add(th);
      th.start();
    }
    started.await();
    long[] latencies = new long[4_000_000];
    int revokes = 0;
    long end = System.nanoTime() + length.toNanos();
    long t0 = System.nanoTime();
    while (System.nanoTime() < end && revokes < latencies.length) {
      String id = "x" + revokes;
      g.spawn("s", task(id).capabilities(caps).build());
      g.spawn(id, task(id + "-c").capabilities(caps).build());
      long r0 = System.nanoTime();
      g.revoke(id, "stress");
      latencies[revokes++] = System.nanoTime() - r0;
      if ((revokes & 1023) == 0) {
        clock.advance(Duration.ofMillis(10)); // deadlines are a month away: every node is kept
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    stop.set(true);
    for (Thread th : pollers) {
      th.join();
    }
    long[] sorted = Arrays.copyOf(latencies, revokes);
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "stress: 4 threads polling HELD nodes (%,d polls, %,.0f/s) while one thread spawned"
            + " %,d subtrees of 2 and revoked them in %.1f s (%,d ended nodes retained at the end)%n",
        polls.get(),
        polls.get() / seconds,
        revokes,
        seconds,
        300_000L + 2L * revokes);
    System.out.printf(
        Locale.ROOT,
        "  revoke latency: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs (target p99 <"
            + " 1 ms)%n",
        sorted[revokes / 2] / 1e3,
        sorted[(int) (revokes * 0.99)] / 1e3,
        sorted[(int) (revokes * 0.999)] / 1e3,
        sorted[revokes - 1] / 1e3);
  }

  // ------------------------------------------------------------------------------ helpers

  private static double[] column(double[][] rows, int col) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i][col];
    }
    return out;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
