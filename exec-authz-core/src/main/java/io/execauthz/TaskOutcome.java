package io.execauthz;

import java.util.Objects;

/**
 * How one task of a {@link FanOut} batch ended: its body returned ({@link Done}), threw ({@link
 * Failed}), the graph refused its node ({@link Refused}), or its node was held behind a claim and
 * ended before it could start ({@link NeverStarted}). Never null; switch on it.
 *
 * <p>Immutable and thread-safe (a {@link Done} is as safe as the value it carries).
 *
 * @param <T> the type the tasks' bodies return
 */
public sealed interface TaskOutcome<T>
    permits TaskOutcome.Done, TaskOutcome.Failed, TaskOutcome.Refused, TaskOutcome.NeverStarted {

  /** The id of the task's node (the id its spec asked for, even if the graph refused it). */
  String nodeId();

  /** Whether the body returned. */
  default boolean isDone() {
    return this instanceof Done;
  }

  /**
   * The body returned {@code value} (which may be null).
   *
   * @param nodeId the task's node
   * @param value what the body returned
   */
  record Done<T>(String nodeId, T value) implements TaskOutcome<T> {
    public Done {
      Objects.requireNonNull(nodeId, "nodeId");
    }
  }

  /**
   * The body threw {@code error}; the task's node was revoked at once, so nothing it held outlived
   * the failure.
   *
   * @param nodeId the task's node
   * @param error what the body threw
   */
  record Failed<T>(String nodeId, Throwable error) implements TaskOutcome<T> {
    public Failed {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * The graph refused the task's node (a capability its parent lacks, a conflicting claim without
   * hold, a limit, an ended parent); its body never ran.
   *
   * @param nodeId the id the task's spec asked for
   * @param error the graph's typed reason
   * @param message the graph's message, naming what was presented and what was required
   */
  record Refused<T>(String nodeId, GraphError error, String message) implements TaskOutcome<T> {
    public Refused {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The task's node was held behind a conflicting claim and ended ({@link NodeState#CANCELLED},
   * {@link NodeState#REVOKED}, …) before it could start; its body never ran.
   *
   * @param nodeId the task's node
   * @param state the state that ended it
   */
  record NeverStarted<T>(String nodeId, NodeState state) implements TaskOutcome<T> {
    public NeverStarted {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(state, "state");
    }
  }
}
