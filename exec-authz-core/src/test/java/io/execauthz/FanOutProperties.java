package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.PolicyEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link FanOut} over random batches: each case draws a parent's capabilities, one to five tasks
 * (some asking for more than the parent holds, many claiming overlapping parts of {@code fs:/r},
 * some holding on conflict, some whose body throws) and a merge spec, runs the batch — on a shared
 * pool of three threads, or a pool owned by the call — and checks:
 *
 * <ul>
 *   <li>every task ends in exactly one outcome: {@code Refused} iff the graph refused its spawn,
 *       {@code Failed} iff its body threw (and its node is then revoked), else {@code Done} (held
 *       tasks always start, since a blocker in the batch hands its claims on);
 *   <li>a merge is opened iff every merge parent covers what it asks for, and then its capabilities
 *       are covered by each of its parents' and its parents are exactly the batch's merge parents;
 *   <li>after the batch closes every node it opened has ended and only the parent is live.
 * </ul>
 *
 * <p>Every failure message names its seed; rerun one with {@code -Dtest=FanOutProperties
 * -Dexecauthz.properties.seed=<seed> -Dexecauthz.properties.cases=1}.
 */
final class FanOutProperties {
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", 1_000);
  private static final long FIRST_SEED = Long.getLong("execauthz.properties.seed", 13_000_000);
  private static final List<String> CAPABILITIES =
      List.of(
          "tool.call tool:t/a",
          "tool.call tool:t/b",
          "tool.call tool:t/*",
          "fs.read fs:/r/**",
          "fs.write fs:/r/x/**",
          "fs.write fs:/r/y/**",
          "fs.write fs:/r/x/deep/**");
  private static final String READ_ALL = "fs.read fs:/r/**";
  private static final List<String> CLAIMS =
      List.of("fs:/r/x/**", "fs:/r/y/**", "fs:/r/x/deep/**", "fs:/r/x/deep/f");

  private static ExecutorService shared;
  // what the cases covered, so a generator that drifts into trivial cases fails the suite
  private static final AtomicInteger HELD = new AtomicInteger();
  private static final AtomicInteger REFUSED = new AtomicInteger();
  private static final AtomicInteger FAILED = new AtomicInteger();
  private static final AtomicInteger MERGED = new AtomicInteger();
  private static final AtomicInteger MERGE_REFUSED = new AtomicInteger();

  @BeforeAll
  static void startPool() {
    shared = Executors.newFixedThreadPool(3);
  }

  @AfterAll
  static void stopPool() {
    shared.shutdown();
    if (CASES >= 1_000) {
      assertThat(List.of(HELD, REFUSED, FAILED, MERGED, MERGE_REFUSED))
          .as("held, refused, failed, merged, merge refused: each seen")
          .allMatch(n -> n.get() > 20);
    }
  }

  @TestFactory
  Stream<DynamicTest> batchesEndEverything_andMergesNeverWiden() {
    return LongStream.range(FIRST_SEED, FIRST_SEED + CASES)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed=" + seed, () -> new Case(seed).run()));
  }

  private static List<String> subset(SplittableRandom r, List<String> from, int max) {
    List<String> out = new ArrayList<>();
    int n = r.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      String c = from.get(r.nextInt(from.size()));
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  private static final class Case {
    final long seed;
    final SplittableRandom r;
    final ExecutionGraph graph;

    Case(long seed) {
      this.seed = seed;
      this.r = new SplittableRandom(seed);
      this.graph = ExecutionGraph.newBuilder().random(new SplittableRandom(seed)).build();
    }

    String at(String what) {
      return "seed=" + seed + ": " + what;
    }

    void run() {
      List<String> parentCaps = subset(r, CAPABILITIES, 6);
      if (r.nextInt(5) > 0 && !parentCaps.contains(READ_ALL)) {
        parentCaps.add(READ_ALL); // most parents may read the tree their tasks claim parts of
      }
      graph.spawn(NodeSpec.builder("p").principal("agent:p").capabilities(parentCaps).build());
      Authorizer authorizer =
          Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
      int tasks = 1 + r.nextInt(5);
      FanOut<String> fan = FanOut.under(graph, "p");
      if (r.nextInt(10) == 0) {
        fan.parallelism(1 + r.nextInt(3));
      } else {
        fan.executor(shared);
      }
      List<NodeSpec> specs = new ArrayList<>();
      List<Boolean> throwing = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        List<String> caps = subset(r, CAPABILITIES, 3);
        NodeSpec.Builder b = NodeSpec.builder("t" + i);
        if (r.nextBoolean()) {
          if (!caps.contains(READ_ALL)) {
            caps.add(READ_ALL); // a claim must lie inside what the task may act on
          }
          b.claims(subset(r, CLAIMS, 2));
          if (r.nextBoolean()) {
            b.holdOnConflict();
          }
        }
        NodeSpec spec = b.capabilities(caps).build();
        boolean fails = r.nextInt(5) == 0;
        specs.add(spec);
        throwing.add(fails);
        fan.task(
            spec,
            node -> {
              if (!graph.node(node).capabilities().equals(spec.capabilities())
                  || !authorizer
                          .check(AuthorizationRequest.of(node, "fs.read", "fs:/r/z"))
                          .isPermit()
                      == spec.capabilities().allows("fs.read", "fs:/r/z")) {
                return "wrong authority in " + node;
              }
              if (fails) {
                throw new IllegalStateException("sub-agent " + node + " failed");
              }
              return node;
            });
      }
      List<String> mergeCaps = subset(r, CAPABILITIES, 2);
      NodeSpec mergeSpec = NodeSpec.builder("m").kind("merge").capabilities(mergeCaps).build();

      FanOutBatch<String> batch = fan.run();
      for (TaskOutcome<String> o : batch.outcomes()) {
        if (o.isDone() && !batch.mergeParents().contains(o.nodeId())) {
          HELD.incrementAndGet(); // it handed its claims on to a held sibling, which then ran
          assertThat(graph.node(o.nodeId()).state())
              .as(at(o.nodeId() + " handed on"))
              .isEqualTo(NodeState.COMPLETED);
        }
      }
      List<String> parents;
      Optional<NodeScope> merge = Optional.empty();
      try (batch) {
        assertThat(batch.outcomes()).as(at("one outcome per task")).hasSize(tasks);
        for (int i = 0; i < tasks; i++) {
          TaskOutcome<String> o = batch.outcomes().get(i);
          String id = "t" + i;
          assertThat(o.nodeId()).as(at("outcome order")).isEqualTo(id);
          if (o instanceof TaskOutcome.Refused<String> refused) {
            REFUSED.incrementAndGet();
            assertThat(graph.find(id)).as(at(id + " refused: " + refused.message())).isEmpty();
          } else if (throwing.get(i)) {
            FAILED.incrementAndGet();
            assertThat(o).as(at(id + " threw")).isInstanceOf(TaskOutcome.Failed.class);
            assertThat(graph.node(id).state()).as(at(id + " failed")).isEqualTo(NodeState.REVOKED);
          } else {
            assertThat(o).as(at(id + " returned")).isEqualTo(new TaskOutcome.Done<>(id, id));
          }
        }
        parents = batch.mergeParents();
        for (String p : parents) {
          assertThat(batch.outcomes().get(Integer.parseInt(p.substring(1))).isDone())
              .as(at("merge parent " + p + " returned"))
              .isTrue();
        }
        boolean coveredByAll =
            !parents.isEmpty()
                && parents.stream()
                    .allMatch(p -> graph.node(p).capabilities().covers(mergeSpec.capabilities()));
        try {
          merge = Optional.of(batch.merge(mergeSpec));
        } catch (ExecutionGraphException e) {
          MERGE_REFUSED.incrementAndGet();
          assertThat(coveredByAll).as(at("merge refused: " + e.getMessage())).isFalse();
        }
        if (merge.isPresent()) {
          MERGED.incrementAndGet();
          assertThat(coveredByAll).as(at("merge opened")).isTrue();
          ExecutionNode m = merge.get().node();
          assertThat(m.parents()).as(at("merge parents")).isEqualTo(parents);
          for (String p : m.parents()) {
            assertThat(graph.node(p).capabilities().covers(m.capabilities()))
                .as(at("merge " + m.capabilities() + " within " + p))
                .isTrue();
          }
          assertThat(
                  authorizer.check(AuthorizationRequest.of("m", "fs.read", "fs:/r/z")).isPermit())
              .as(at("merge may read only if every parent may"))
              .isEqualTo(
                  parents.stream()
                          .allMatch(p -> graph.node(p).capabilities().allows("fs.read", "fs:/r/z"))
                      && m.capabilities().allows("fs.read", "fs:/r/z"));
        }
      }
      for (NodeSpec s : specs) {
        graph
            .find(s.id())
            .ifPresent(
                n ->
                    assertThat(n.state())
                        .as(at(s.id() + " ended after the batch"))
                        .isIn(NodeState.COMPLETED, NodeState.REVOKED, NodeState.CANCELLED));
      }
      merge.ifPresent(
          m -> assertThat(m.node().state()).as(at("merge ended")).isEqualTo(NodeState.COMPLETED));
      assertThat(graph.liveNodes()).as(at("only the parent is live")).isEqualTo(1);
      assertThat(graph.node("p").state()).as(at("parent untouched")).isEqualTo(NodeState.ACTIVE);
    }
  }
}
