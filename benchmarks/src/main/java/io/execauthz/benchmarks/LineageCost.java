package io.execauthz.benchmarks;

import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeSpec;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one uncached Cedar decision costs as the lineage a request sends grows: the curve the
 * graph's default {@code maxLineage} is chosen from. For each size it builds a ladder of joins two
 * wide (every node of a rung joins both nodes of the rung above, the shape that packs the most
 * ancestors into the fewest levels), asks our Cedar engine about the bottom node directly (no
 * decision cache) with the ten {@link Fixtures#POLICIES}, and prints the median and the fastest of
 * several evaluations. Not a JMH benchmark: the large sizes take seconds per call.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.execauthz.benchmarks.LineageCost [maxSize]
 * </pre>
 */
public final class LineageCost {
  private LineageCost() {}

  public static void main(String[] args) {
    int maxSize = args.length > 0 ? Integer.parseInt(args[0]) : 1_024;
    CedarPolicyEngine engine = CedarPolicyEngine.of(Fixtures.store("default"));
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cores; one uncached Cedar decision on the bottom of a ladder of joins%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT, "%8s %6s %12s %12s %6s%n", "lineage", "depth", "median", "min", "runs");
    for (int size = 4; size <= maxSize; size *= 2) {
      measure(engine, size);
    }
  }

  private static void measure(CedarPolicyEngine engine, int size) {
    // a rung adds two ancestors: the root, then (size - 2) / 2 rungs, then the leaf
    int rungs = Math.max(0, (size - 2) / 2);
    ExecutionGraph g =
        ExecutionGraph.newBuilder()
            .maxDepth(rungs + 2)
            .maxLineage(size)
            .defaultTtl(Duration.ofDays(1))
            .build();
    g.spawn(
        NodeSpec.builder("s")
            .kind("session")
            .principal("user:alice")
            .capabilities(Fixtures.TASK_CAPABILITIES)
            .build());
    List<String> above = List.of("s");
    for (int r = 0; r < rungs; r++) {
      String a = "a" + r;
      String b = "b" + r;
      g.join(
          above, NodeSpec.builder(a).kind("task").capabilities(Fixtures.TASK_CAPABILITIES).build());
      g.join(
          above, NodeSpec.builder(b).kind("task").capabilities(Fixtures.TASK_CAPABILITIES).build());
      above = List.of(a, b);
    }
    ExecutionNode leaf =
        g.join(
            above,
            NodeSpec.builder("leaf").kind("task").capabilities(Fixtures.TASK_CAPABILITIES).build());
    int lineage = leaf.view().lineage().size();
    PolicyRequest req =
        new PolicyRequest(
            leaf.view(),
            Fixtures.ACTION,
            Fixtures.RESOURCE,
            java.util.Map.of(),
            false,
            Instant.parse("2026-01-01T00:00:00Z"));
    PolicyDecision first = engine.evaluate(req); // warm-up, and a check the answer is sane
    Fixtures.check(first.errors().isEmpty(), "evaluation failed: " + first.errors());
    long budget = 3_000_000_000L;
    long[] times = new long[200];
    int runs = 0;
    long spent = 0;
    while (runs < times.length && (runs < 3 || spent < budget)) {
      long t0 = System.nanoTime();
      PolicyDecision d = engine.evaluate(req);
      long t = System.nanoTime() - t0;
      Fixtures.check(d.permitted() == first.permitted(), "the decision changed");
      times[runs++] = t;
      spent += t;
    }
    long[] sorted = Arrays.copyOf(times, runs);
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "%8d %6d %12s %12s %6d%n",
        lineage,
        leaf.depth(),
        human(sorted[runs / 2]),
        human(sorted[0]),
        runs);
  }

  static String human(long nanos) {
    if (nanos < 10_000) {
      return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
    }
    if (nanos < 10_000_000) {
      return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
