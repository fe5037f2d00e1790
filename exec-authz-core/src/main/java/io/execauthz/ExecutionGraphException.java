package io.execauthz;

import java.util.Objects;

/**
 * A graph operation was refused. {@link #error()} is the typed reason to switch on; the message
 * names what was presented and what was required. The graph is unchanged by a refused operation.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public final class ExecutionGraphException extends RuntimeException {
  private final GraphError error;

  public ExecutionGraphException(GraphError error, String message) {
    super(error + ": " + message);
    this.error = Objects.requireNonNull(error, "error");
  }

  /** The typed reason. */
  public GraphError error() {
    return error;
  }
}
