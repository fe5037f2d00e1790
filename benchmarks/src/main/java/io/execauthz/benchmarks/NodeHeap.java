package io.execauthz.benchmarks;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.capability.CapabilitySet;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Locale;

/**
 * Heap bytes per live execution node: builds a graph of {@code n} live nodes (1,000,000 by default)
 * — a session, batches of one node and 999 tasks — and prints the heap used after a full GC, minus
 * the heap used before, divided by {@code n}. Not a JMH benchmark: one measurement of a steady
 * state, in a JVM of its own.
 *
 * <p>Every node is spawned as an agent framework would spawn it: its own id, kind and principal,
 * and ({@code parsed}, the default) its own capability set parsed from text (two capabilities per
 * task, three per batch); with {@code shared}, every task reuses one parsed set, as a framework
 * spawning from a template can. A node's trace context, lineage view, path and delegators are all
 * counted.
 *
 * <pre>
 * java -Xmx4g -cp benchmarks/target/benchmarks.jar io.execauthz.benchmarks.NodeHeap [n] [parsed|shared]
 * </pre>
 */
public final class NodeHeap {
  private NodeHeap() {}

  public static void main(String[] args) throws InterruptedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    if (n < 2) {
      throw new IllegalArgumentException("n must be at least 2, was " + n);
    }
    String mode = args.length > 1 ? args[1] : "parsed";
    if (!mode.equals("parsed") && !mode.equals("shared")) {
      throw new IllegalArgumentException("mode must be parsed or shared, was " + mode);
    }
    CapabilitySet shared = CapabilitySet.parse("tool.call tool:github/*", "fs.read fs:/repo/**");
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    HotSpotDiagnosticMXBean hotspot =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    long before = usedAfterGc(memory);
    long start = System.nanoTime();
    ExecutionGraph graph =
        ExecutionGraph.newBuilder().maxLiveNodes(2_000_000).defaultTtl(Duration.ofDays(1)).build();
    graph.spawn(
        NodeSpec.builder("session")
            .kind("session")
            .principal("user:alice")
            .capabilities(Fixtures.SESSION_CAPABILITIES)
            .build());
    int made = 1;
    for (int b = 0; made < n; b++) {
      String batch = "batch-" + b;
      graph.spawn(
          "session",
          NodeSpec.builder(batch)
              .kind("batch")
              .principal("agent:planner")
              .capabilities(
                  "tool.call tool:github/*", "fs.read fs:/repo/**", "fs.write fs:/repo/src/**")
              .build());
      made++;
      for (int t = 0; t < 999 && made < n; t++) {
        NodeSpec.Builder task =
            NodeSpec.builder(batch + "-task-" + t).kind("task").principal("agent:coder");
        if (mode.equals("shared")) {
          task.capabilities(shared);
        } else {
          task.capabilities("tool.call tool:github/*", "fs.read fs:/repo/**");
        }
        graph.spawn(batch, task.build());
        made++;
      }
    }
    long built = System.nanoTime() - start;
    long after = usedAfterGc(memory);
    int live = graph.liveNodes();
    Reference.reachabilityFence(graph);
    Fixtures.check(live == n, "expected " + n + " live nodes, found " + live);

    long bytes = after - before;
    System.out.printf(
        Locale.ROOT,
        "JDK %s (%s), max heap %d MiB, compressed oops %s, %s%n",
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().maxMemory() >> 20,
        hotspot.getVMOption("UseCompressedOops").getValue(),
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
    System.out.printf(
        Locale.ROOT,
        "live nodes: %,d, task capabilities %s (built in %.1f s)%nheap used: %,d bytes before, %,d bytes after%n",
        live,
        mode,
        built / 1e9,
        before,
        after);
    System.out.printf(
        Locale.ROOT,
        "bytes/node: %.0f (%.2f KiB; target <= 1024 bytes)%n",
        (double) bytes / n,
        bytes / (double) n / 1024);
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
