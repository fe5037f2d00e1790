package io.execauthz;

import java.util.List;
import java.util.Objects;

/**
 * One or more {@link io.execauthz.spi.GraphListener}s failed while being told that a node ended.
 * Thrown by {@link ExecutionGraph#revoke} and {@link ExecutionGraph#complete} <em>after</em> the
 * change was made and every listener was called: the graph change stands (the subtree is ended for
 * every in-process decision), but a listener that failed — typically a grant revocation registry —
 * may not know, so grants of the subtree could still be honoured elsewhere until they expire. A
 * revocation is never silently half done: callers see this, and can tell the listener again.
 *
 * <p>{@link #getCause()} is the first failure; the others are {@linkplain #getSuppressed()
 * suppressed} on it and all are in {@link #failures()}.
 *
 * <p>Its failures are fixed when it is made; safe to share between threads once thrown (the
 * listeners' own exceptions are as thread-safe as they are).
 */
public final class GraphListenerException extends RuntimeException {
  private final String nodeId;
  private final NodeState state;
  private final transient List<Throwable> failures;

  GraphListenerException(String nodeId, NodeState state, int listeners, List<Throwable> failures) {
    super(message(nodeId, state, listeners, failures), failures.isEmpty() ? null : failures.get(0));
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.state = Objects.requireNonNull(state, "state");
    this.failures = List.copyOf(failures);
    for (int i = 1; i < failures.size(); i++) {
      addSuppressed(failures.get(i));
    }
  }

  private static String message(
      String nodeId, NodeState state, int listeners, List<Throwable> failures) {
    Throwable first = failures.get(0);
    return "node '"
        + nodeId
        + "' is "
        + state
        + " in the graph, but "
        + failures.size()
        + " of "
        + listeners
        + " graph listeners failed to hear it (first: "
        + first.getClass().getName()
        + (first.getMessage() == null ? "" : ": " + first.getMessage())
        + ")";
  }

  /** The node that ended. */
  public String nodeId() {
    return nodeId;
  }

  /** How it ended: {@link NodeState#REVOKED} or {@link NodeState#COMPLETED}. */
  public NodeState state() {
    return state;
  }

  /** Every listener failure, in the order the listeners were added. */
  public List<Throwable> failures() {
    return failures;
  }
}
