package io.execauthz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A batch that {@link FanOut#run()} ran: one {@link TaskOutcome} per task, the task nodes that a
 * merge may join, and — on {@link #close()} — the end of every node the batch opened.
 *
 * <pre>{@code
 * try (FanOutBatch<String> batch = fanOut.run()) {
 *   NodeScope merge = batch.merge(NodeSpec.builder("merge").kind("merge")
 *       .capabilities("tool.call tool:repo/search").build());  // covered by every task's set
 *   return summarizer.chat(batch.values(), merge.nodeId());
 * }                                                              // merge and tasks end here
 * }</pre>
 *
 * <p>Thread-safe: {@link #merge} and {@link #close} are serialized; closing twice is a no-op.
 *
 * @param <T> the type the tasks' bodies return
 */
public final class FanOutBatch<T> implements AutoCloseable {
  private final ExecutionGraph graph;
  private final List<TaskOutcome<T>> outcomes;
  private final List<NodeScope> tasks;
  private final List<NodeScope> merges = new ArrayList<>();
  private boolean closed;

  FanOutBatch(ExecutionGraph graph, List<TaskOutcome<T>> outcomes, List<NodeScope> tasks) {
    this.graph = graph;
    this.outcomes = List.copyOf(outcomes);
    this.tasks = List.copyOf(tasks);
  }

  /** Every task's outcome, in the order the tasks were added. */
  public List<TaskOutcome<T>> outcomes() {
    return outcomes;
  }

  /** What the bodies that returned returned, in task order (tasks that did not are left out). */
  public List<T> values() {
    List<T> out = new ArrayList<>();
    for (TaskOutcome<T> o : outcomes) {
      if (o instanceof TaskOutcome.Done<T> d) {
        out.add(d.value());
      }
    }
    return out;
  }

  /** Whether every task's body returned. */
  public boolean allDone() {
    return outcomes.stream().allMatch(TaskOutcome::isDone);
  }

  /**
   * The nodes a {@link #merge} joins: every task whose body returned, in task order, except those
   * that handed their claims on to a held sibling (their nodes have completed).
   */
  public List<String> mergeParents() {
    List<String> out = new ArrayList<>();
    for (NodeScope s : tasks) {
      out.add(s.nodeId());
    }
    return out;
  }

  /**
   * Opens a merge node joined under every {@linkplain #mergeParents() merge parent}: each
   * capability it asks for must be covered by every one of them, and its deadline is the earliest
   * of theirs. It ends when its scope closes, or at the latest when the batch closes.
   *
   * @throws ExecutionGraphException {@link GraphError#ATTENUATION} naming the capability and the
   *     task that lacks it, {@link GraphError#INVALID} when no task is left to merge, {@link
   *     GraphError#PARENT_INACTIVE} when a task node was revoked meanwhile, …
   * @throws IllegalStateException if the batch is closed
   */
  public synchronized NodeScope merge(NodeSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (closed) {
      throw new IllegalStateException("the batch is closed; its task nodes have ended");
    }
    List<String> parents = mergeParents();
    if (parents.isEmpty()) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "merge node '" + spec.id() + "' has no parent: no task of the batch is left to merge");
    }
    NodeScope merge = NodeScope.join(graph, parents, spec);
    merges.add(merge);
    return merge;
  }

  /**
   * Ends every node the batch opened that is still live: the merge nodes first, then the task nodes
   * (completed; a task node held and never started is revoked). Never throws.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NodeScope m : merges) {
      m.close();
    }
    for (NodeScope t : tasks) {
      t.close();
    }
  }

  @Override
  public String toString() {
    return "FanOutBatch" + mergeParents();
  }
}
