package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.spi.PolicyEngine;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class FanOutTest {
  private ExecutionGraph graph;
  private Authorizer authorizer;

  @BeforeEach
  void setUp() {
    graph = ExecutionGraph.newBuilder().random(new SplittableRandom(5)).build();
    authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    graph.spawn(
        NodeSpec.builder("lead")
            .principal("agent:lead")
            .capabilities("tool.call tool:repo/*", "fs.* fs:/repo/**")
            .build());
  }

  private static NodeSpec task(String id, String... capabilities) {
    return NodeSpec.builder(id).capabilities(capabilities).build();
  }

  private boolean permits(String node, String action, String resource) {
    return authorizer.authorize(AuthorizationRequest.of(node, action, resource)).isPermit();
  }

  @Test
  void run_givesEachTaskItsOwnNode_runsThemInParallel_andReturnsOutcomesInOrder() {
    CyclicBarrier together = new CyclicBarrier(2);
    Map<String, String> ranAs = new ConcurrentHashMap<>();
    try (FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead")
            .task(
                task("docs", "tool.call tool:repo/search"),
                node -> {
                  together.await(30, TimeUnit.SECONDS); // both bodies must be running at once
                  ranAs.put(node, Thread.currentThread().getName());
                  return permits(node, "tool.call", "tool:repo/search")
                      + " "
                      + permits(node, "tool.call", "tool:repo/delete");
                })
            .task(
                task("code", "tool.call tool:repo/delete"),
                node -> {
                  together.await(30, TimeUnit.SECONDS);
                  ranAs.put(node, Thread.currentThread().getName());
                  return permits(node, "tool.call", "tool:repo/search")
                      + " "
                      + permits(node, "tool.call", "tool:repo/delete");
                })
            .run()) {
      assertThat(batch.values()).containsExactly("true false", "false true");
      assertThat(batch.allDone()).isTrue();
      assertThat(batch.outcomes()).extracting(TaskOutcome::nodeId).containsExactly("docs", "code");
      assertThat(ranAs).containsOnlyKeys("docs", "code");
      assertThat(ranAs.values()).allMatch(t -> t.startsWith("exec-authz-fanout-lead-"));
      assertThat(graph.node("docs").parents()).containsExactly("lead");
      assertThat(batch.mergeParents()).containsExactly("docs", "code");
    }
    assertThat(graph.node("docs").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(graph.node("code").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(permits("docs", "tool.call", "tool:repo/search")).isFalse();
    assertThat(graph.node("lead").state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void failingTask_isRevokedAtOnce_andItsSiblingStillReturns() {
    FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead")
            .task(
                task("bad", "tool.call tool:repo/search"),
                node -> {
                  throw new IllegalStateException("model down");
                })
            .task(task("good", "tool.call tool:repo/search"), node -> "fine")
            .run();
    try (batch) {
      assertThat(batch.outcomes().get(0)).isInstanceOf(TaskOutcome.Failed.class);
      assertThat(((TaskOutcome.Failed<String>) batch.outcomes().get(0)).error())
          .hasMessage("model down");
      assertThat(graph.node("bad").state()).isEqualTo(NodeState.REVOKED);
      assertThat(permits("bad", "tool.call", "tool:repo/search")).isFalse();
      assertThat(batch.values()).containsExactly("fine");
      assertThat(batch.allDone()).isFalse();
      assertThat(batch.mergeParents()).containsExactly("good");
    }
  }

  @Test
  void taskWiderThanTheParent_isRefused_andItsBodyNeverRuns() {
    AtomicInteger ran = new AtomicInteger();
    try (FanOutBatch<Integer> batch =
        FanOut.<Integer>under(graph, "lead")
            .task(task("rogue", "fs.write fs:/etc/**"), node -> ran.incrementAndGet())
            .run()) {
      TaskOutcome.Refused<Integer> r = (TaskOutcome.Refused<Integer>) batch.outcomes().get(0);
      assertThat(r.error()).isEqualTo(GraphError.ATTENUATION);
      assertThat(r.message()).contains("fs.write fs:/etc/**");
      assertThat(ran).hasValue(0);
      assertThat(graph.find("rogue")).isEmpty();
    }
  }

  @Test
  void overlappingSiblingClaim_isRefusedWithoutHold() {
    try (FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead")
            .task(
                NodeSpec.builder("docs")
                    .capabilities("fs.write fs:/repo/docs/**")
                    .claims("fs:/repo/docs/**")
                    .build(),
                node -> "docs")
            .task(
                NodeSpec.builder("api")
                    .capabilities("fs.write fs:/repo/docs/api/**")
                    .claims("fs:/repo/docs/api/**")
                    .build(),
                node -> "api")
            .run()) {
      TaskOutcome.Refused<String> r = (TaskOutcome.Refused<String>) batch.outcomes().get(1);
      assertThat(r.error()).isEqualTo(GraphError.CLAIM_CONFLICT);
      assertThat(r.message()).contains("'docs'");
      assertThat(batch.values()).containsExactly("docs");
    }
  }

  @Test
  void overlappingSiblingClaim_withHold_runsAfterItsBlockerHandsItOn() {
    try (FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead")
            .parallelism(1) // even on one thread: the held task waits on no thread
            .task(
                NodeSpec.builder("docs")
                    .capabilities("fs.write fs:/repo/docs/**")
                    .claims("fs:/repo/docs/**")
                    .build(),
                node -> {
                  assertThat(graph.node("api").state()).isEqualTo(NodeState.HELD);
                  return permits(node, "fs.write", "fs:/repo/docs/api/x") ? "docs wrote" : "no";
                })
            .task(
                NodeSpec.builder("api")
                    .capabilities("fs.write fs:/repo/docs/api/**")
                    .claims("fs:/repo/docs/api/**")
                    .holdOnConflict()
                    .build(),
                node -> {
                  assertThat(graph.node("docs").state()).isEqualTo(NodeState.COMPLETED);
                  return permits(node, "fs.write", "fs:/repo/docs/api/x") ? "api wrote" : "no";
                })
            .task(task("other", "tool.call tool:repo/search"), node -> "other")
            .run()) {
      assertThat(batch.values()).containsExactly("docs wrote", "api wrote", "other");
      // docs handed its claim on, so it is no merge parent; api and other are
      assertThat(batch.mergeParents()).containsExactly("api", "other");
    }
    assertThat(graph.node("api").state()).isEqualTo(NodeState.COMPLETED);
  }

  @Test
  void heldTaskCancelledBeforeItStarts_neverRuns() {
    graph.spawn(
        "lead",
        NodeSpec.builder("outsider")
            .capabilities("fs.write fs:/repo/**")
            .claims("fs:/repo/**")
            .build());
    AtomicInteger ran = new AtomicInteger();
    FanOut<Integer> fan =
        FanOut.<Integer>under(graph, "lead")
            .task(
                NodeSpec.builder("waiter")
                    .capabilities("fs.write fs:/repo/a/**")
                    .claims("fs:/repo/a/**")
                    .holdOnConflict()
                    .build(),
                node -> ran.incrementAndGet())
            .task(
                task("stopper", "tool.call tool:repo/search"),
                node -> {
                  graph.revoke("lead", "operator stopped the run"); // the waiter's parent ends
                  return 0;
                });
    try (FanOutBatch<Integer> batch = fan.run()) {
      assertThat(batch.outcomes().get(0))
          .isIn(
              new TaskOutcome.NeverStarted<Integer>("waiter", NodeState.REVOKED),
              new TaskOutcome.NeverStarted<Integer>("waiter", NodeState.CANCELLED));
      assertThat(ran).hasValue(0);
      assertThatThrownBy(() -> batch.merge(task("m", "tool.call tool:repo/search")))
          .isInstanceOf(ExecutionGraphException.class)
          .extracting(e -> ((ExecutionGraphException) e).error())
          .isEqualTo(GraphError.PARENT_INACTIVE);
    }
  }

  @Test
  void merge_getsNoMoreThanEveryTask_andEndsWithTheBatch() {
    FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead")
            .task(task("a", "tool.call tool:repo/search", "tool.call tool:repo/read"), n -> "a")
            .task(task("b", "tool.call tool:repo/search", "fs.read fs:/repo/**"), n -> "b")
            .run();
    assertThatThrownBy(() -> batch.merge(task("wide", "tool.call tool:repo/read")))
        .isInstanceOf(ExecutionGraphException.class)
        .hasMessageContaining("tool.call tool:repo/read")
        .hasMessageContaining("'b'");
    NodeScope merge =
        batch.merge(
            NodeSpec.builder("m").kind("merge").capabilities("tool.call tool:repo/search").build());
    assertThat(merge.node().parents()).containsExactly("a", "b");
    assertThat(permits("m", "tool.call", "tool:repo/search")).isTrue();
    assertThat(permits("m", "tool.call", "tool:repo/read")).isFalse();
    batch.close();
    assertThat(graph.node("m").state()).isEqualTo(NodeState.COMPLETED);
    assertThat(permits("m", "tool.call", "tool:repo/search")).isFalse();
    assertThatThrownBy(() -> batch.merge(task("late", "tool.call tool:repo/search")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void interruptedWhileWaiting_revokesEveryNodeOfTheBatch() throws Exception {
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                FanOut.<String>under(graph, "lead")
                    .task(
                        task("slow", "tool.call tool:repo/search"),
                        node -> {
                          running.countDown();
                          release.await();
                          return "late";
                        })
                    .run();
              } catch (RuntimeException e) {
                thrown.set(e);
              }
            });
    runner.start();
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    runner.interrupt();
    runner.join(30_000);
    release.countDown();

    assertThat(thrown.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("interrupted");
    assertThat(graph.node("slow").state()).isEqualTo(NodeState.REVOKED);
    assertThat(permits("slow", "tool.call", "tool:repo/search")).isFalse();
  }

  @Test
  void suppliedExecutor_runsTheBodies() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "caller-pool"));
    try (FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead")
            .executor(pool)
            .task(task("x", "tool.call tool:repo/search"), n -> Thread.currentThread().getName())
            .run()) {
      assertThat(batch.values()).containsExactly("caller-pool");
    } finally {
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void builder_refusesConflictsAndMisuse() {
    assertThatThrownBy(() -> FanOut.<String>under(graph, "lead").run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one task");
    assertThatThrownBy(
            () ->
                FanOut.<String>under(graph, "lead")
                    .task(task("x"), n -> "")
                    .task(task("x"), n -> ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x'");
    assertThatThrownBy(
            () -> FanOut.<String>under(graph, "lead").parallelism(2).executor(Runnable::run))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("parallelism");
    assertThatThrownBy(() -> FanOut.<String>under(graph, "lead").parallelism(0))
        .isInstanceOf(IllegalArgumentException.class);
    FanOut<String> once = FanOut.<String>under(graph, "lead").task(task("y"), n -> "");
    once.run().close();
    assertThatThrownBy(once::run).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void unknownParent_refusesEveryTask() {
    try (FanOutBatch<String> batch =
        FanOut.<String>under(graph, "nobody").task(task("t"), n -> "ran").run()) {
      assertThat(batch.outcomes().get(0)).isInstanceOf(TaskOutcome.Refused.class);
      assertThat(batch.values()).isEmpty();
      assertThatThrownBy(() -> batch.merge(task("m")))
          .isInstanceOf(ExecutionGraphException.class)
          .hasMessageContaining("no task of the batch is left to merge");
    }
  }

  @Test
  void denialText_isTheContractsForm() {
    Decision d =
        authorizer.authorize(AuthorizationRequest.of("lead", "net.connect", "net:x.example:443"));
    assertThat(DenialText.of((Decision.Deny) d)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(DenialText.of(Reason.REVOKED, "gone")).isEqualTo("DENY REVOKED: gone");
  }

  @Test
  void taskList_isCopied() {
    List<TaskOutcome<String>> outcomes;
    try (FanOutBatch<String> batch =
        FanOut.<String>under(graph, "lead").task(task("t"), n -> "v").run()) {
      outcomes = batch.outcomes();
    }
    assertThatThrownBy(() -> outcomes.add(new TaskOutcome.Done<>("z", "z")))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
