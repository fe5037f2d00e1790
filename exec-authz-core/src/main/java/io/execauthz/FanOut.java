package io.execauthz;

import io.execauthz.capability.ResourcePattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a batch of parallel sub-agents, each in its own child node with its own capabilities and
 * claims, waits for all of them, and lets a merge node join them with no more authority than every
 * one of them — the batch/merge pattern in three lines.
 *
 * <pre>{@code
 * try (FanOutBatch<String> batch = FanOut.<String>under(graph, "lead")
 *     .task(docsSpec, node -> docsAgent.chat(question, node))    // runs as node "docs"
 *     .task(codeSpec, node -> codeAgent.chat(question, node))    // runs as node "code", in parallel
 *     .run()) {                                                   // waits for both
 *   try (NodeScope merge = batch.merge(mergeSpec)) {              // joins docs + code
 *     return summarizer.chat(batch.values(), merge.nodeId());
 *   }
 * }                                                               // every node of the batch ended
 * }</pre>
 *
 * <p><b>What {@link #run()} does.</b> It spawns every task's node under the parent, in the order
 * the tasks were added, on the calling thread — so claims are taken in a fixed order: a later task
 * whose claim overlaps an earlier sibling's is refused ({@link GraphError#CLAIM_CONFLICT}) or, when
 * its spec says {@link NodeSpec.Builder#holdOnConflict() hold}, created {@link NodeState#HELD} and
 * run once it starts. A task the graph refuses never runs ({@link TaskOutcome.Refused}). Then every
 * body runs on the executor, given its own node's id and nothing else, and {@code run()} returns
 * when all have ended, with one {@link TaskOutcome} per task in the order added.
 *
 * <p><b>Authority.</b> A body that throws has its node revoked at once ({@link
 * TaskOutcome.Failed}): a failing sub-agent leaks nothing to its siblings or the merge. A body that
 * returns leaves its node active, holding no more than its spec, until the batch closes — so that
 * {@link FanOutBatch#merge} can {@linkplain ExecutionGraph#join join} under it — with one
 * exception: a task whose claims overlap a held sibling's <em>hands them on</em>, completing its
 * node as soon as its body returns so the sibling can start (it is then no parent of the merge).
 * Closing the batch ends the merge nodes and every task node: nothing the batch opened outlives it.
 *
 * <p><b>Threads.</b> Give an {@link #executor(Executor)} that runs tasks on other threads (a held
 * task is started from the thread that released its blocker, and handed to the executor there); or
 * let the call own a fixed pool of at most {@link #parallelism(int)} (default 8) threads, shut down
 * before {@code run()} returns. Nothing waits on a held task: a held task whose blocker outside the
 * batch never ends keeps {@code run()} waiting until the graph cancels it (its parent ending) or
 * its deadline passes and the graph is {@linkplain ExecutionGraph#sweep() swept}.
 *
 * <p>Not thread-safe: build and run it on one thread. The {@link FanOutBatch} it returns is
 * thread-safe.
 *
 * @param <T> the type the tasks' bodies return
 */
public final class FanOut<T> {
  /** The most threads a pool owned by the call gets unless {@link #parallelism} says otherwise. */
  public static final int DEFAULT_PARALLELISM = 8;

  private final ExecutionGraph graph;
  private final String parentId;
  private final List<NodeSpec> specs = new ArrayList<>();
  private final List<NodeScope.Body<? extends T>> bodies = new ArrayList<>();
  private Executor executor;
  private int parallelism;
  private boolean ran;

  private FanOut(ExecutionGraph graph, String parentId) {
    this.graph = graph;
    this.parentId = parentId;
  }

  /** Starts a batch whose tasks are children of {@code parentId}. */
  public static <T> FanOut<T> under(ExecutionGraph graph, String parentId) {
    return new FanOut<>(
        Objects.requireNonNull(graph, "graph"), Objects.requireNonNull(parentId, "parentId"));
  }

  /**
   * Adds a task: {@code body} runs as a new child node asking for {@code spec}.
   *
   * @throws IllegalArgumentException if another task already asks for the same node id
   */
  public FanOut<T> task(NodeSpec spec, NodeScope.Body<? extends T> body) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(body, "body");
    for (NodeSpec s : specs) {
      if (s.id().equals(spec.id())) {
        throw new IllegalArgumentException(
            "two tasks of the batch ask for node id '" + s.id() + "'");
      }
    }
    specs.add(spec);
    bodies.add(body);
    return this;
  }

  /** Runs the bodies on this executor (set once; not with {@link #parallelism}). */
  public FanOut<T> executor(Executor executor) {
    if (this.executor != null) {
      throw new IllegalStateException("executor was already set");
    }
    if (parallelism != 0) {
      throw new IllegalStateException(
          "executor conflicts with parallelism, which sizes a pool owned by the call");
    }
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * The most threads of the pool the call owns (set once; not with {@link #executor}); {@value
   * #DEFAULT_PARALLELISM} unless set.
   */
  public FanOut<T> parallelism(int threads) {
    if (parallelism != 0) {
      throw new IllegalStateException("parallelism was already set");
    }
    if (executor != null) {
      throw new IllegalStateException(
          "parallelism conflicts with executor: the bodies run on the executor given");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + threads);
    }
    this.parallelism = threads;
    return this;
  }

  /**
   * Spawns every task's node, runs every body that may start, and waits for all of them.
   *
   * @return the batch: its outcomes, its merge, and (on close) the end of every node it opened
   * @throws IllegalStateException if there is no task, if it already ran, or if the calling thread
   *     is interrupted while waiting (then every node of the batch is revoked first, and the
   *     thread's interrupt flag is set again)
   */
  public FanOutBatch<T> run() {
    if (specs.isEmpty()) {
      throw new IllegalStateException("a batch needs at least one task");
    }
    if (ran) {
      throw new IllegalStateException("this batch already ran");
    }
    ran = true;
    List<Slot<T>> slots = spawnAll();
    ExecutorService owned = null;
    try {
      Executor runOn = executor;
      if (runOn == null) {
        int threads = Math.min(parallelism == 0 ? DEFAULT_PARALLELISM : parallelism, specs.size());
        owned = Executors.newFixedThreadPool(threads, new Daemons(parentId));
        runOn = owned;
      }
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (Slot<T> s : slots) {
        if (s.scope != null) {
          running.add(s.start(graph, runOn));
        }
      }
      await(running, slots);
    } catch (RuntimeException | Error e) {
      // fail closed: nothing the batch opened outlives a batch that could not run
      for (Slot<T> s : slots) {
        if (s.scope != null) {
          s.scope.fail(e);
        }
      }
      throw e;
    } finally {
      if (owned != null) {
        owned.shutdown();
      }
    }
    List<TaskOutcome<T>> outcomes = new ArrayList<>();
    List<NodeScope> kept = new ArrayList<>();
    for (Slot<T> s : slots) {
      outcomes.add(s.outcome);
      if (s.scope != null && s.outcome.isDone() && !s.handsOn) {
        kept.add(s.scope);
      }
    }
    return new FanOutBatch<>(graph, outcomes, kept);
  }

  private List<Slot<T>> spawnAll() {
    List<Slot<T>> slots = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Slot<T> s = new Slot<>(specs.get(i), bodies.get(i));
      try {
        s.scope = NodeScope.open(graph, parentId, s.spec);
        s.held = graph.node(s.scope.nodeId()).state() == NodeState.HELD;
      } catch (ExecutionGraphException e) {
        s.outcome = new TaskOutcome.Refused<>(s.spec.id(), e.error(), e.getMessage());
      }
      slots.add(s);
    }
    for (Slot<T> s : slots) {
      for (Slot<T> h : slots) {
        if (h != s && h.held && s.scope != null && overlap(s.spec, h.spec)) {
          s.handsOn = true;
        }
      }
    }
    return slots;
  }

  private static boolean overlap(NodeSpec a, NodeSpec b) {
    for (ResourcePattern x : a.claims()) {
      for (ResourcePattern y : b.claims()) {
        if (x.overlaps(y)) {
          return true;
        }
      }
    }
    return false;
  }

  private static <T> void await(List<CompletableFuture<Void>> running, List<Slot<T>> slots) {
    try {
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
    } catch (InterruptedException e) {
      for (Slot<T> s : slots) {
        if (s.scope != null) {
          s.scope.fail(e);
        }
      }
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for the batch; every node of the batch was revoked", e);
    } catch (ExecutionException e) {
      // each task's future records its own failure and never completes exceptionally
      throw new IllegalStateException("a task of the batch escaped its outcome", e.getCause());
    }
  }

  /** One task: its spec and body, then its node and outcome. Written by one thread at a time. */
  private static final class Slot<T> {
    final NodeSpec spec;
    final NodeScope.Body<? extends T> body;
    NodeScope scope;
    boolean held;
    boolean handsOn;
    volatile TaskOutcome<T> outcome;

    Slot(NodeSpec spec, NodeScope.Body<? extends T> body) {
      this.spec = spec;
      this.body = body;
    }

    /** Runs the body on {@code executor} once the node starts (at once unless it is held). */
    CompletableFuture<Void> start(ExecutionGraph graph, Executor executor) {
      CompletableFuture<NodeState> started;
      try {
        started = graph.whenStarted(scope.nodeId());
      } catch (ExecutionGraphException forgotten) {
        started = CompletableFuture.failedFuture(forgotten);
      }
      return started
          .thenAcceptAsync(this::runIn, executor)
          .exceptionally(
              e -> {
                // the executor refused it, or the node was forgotten: the body did not run
                scope.fail(e);
                outcome = new TaskOutcome.Failed<>(spec.id(), e);
                return null;
              });
    }

    private void runIn(NodeState state) {
      if (state != NodeState.ACTIVE) {
        scope.close();
        outcome = new TaskOutcome.NeverStarted<>(spec.id(), state);
        return;
      }
      try {
        T value = body.run(scope.nodeId());
        outcome = new TaskOutcome.Done<>(spec.id(), value);
        if (handsOn) {
          scope.close();
        }
      } catch (Exception | Error e) {
        scope.fail(e);
        outcome = new TaskOutcome.Failed<>(spec.id(), e);
      }
    }
  }

  /** Daemon threads named after the batch, so a stuck body is easy to find in a thread dump. */
  private static final class Daemons implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();

    Daemons(String parentId) {
      this.prefix = "exec-authz-fanout-" + parentId + "-";
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
