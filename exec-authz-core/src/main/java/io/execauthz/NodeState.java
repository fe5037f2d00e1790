package io.execauthz;

/**
 * The lifecycle of an execution node. Only {@link #ACTIVE} nodes can be permitted anything.
 *
 * <p>Immutable and thread-safe.
 */
public enum NodeState {
  /** Running: may be authorized, spawn children and hold claims. */
  ACTIVE,
  /** Waiting for a conflicting claim to be released; starts by itself once none remains. */
  HELD,
  /** Finished its work: its authority and its whole subtree's have collapsed. */
  COMPLETED,
  /** Revoked, with its whole subtree. */
  REVOKED,
  /** Its deadline (or an ancestor's) has passed. */
  EXPIRED,
  /** Was held, and its parent ended before it could start. */
  CANCELLED;

  /** Whether the node can never become active again. */
  public boolean isEnded() {
    return this != ACTIVE && this != HELD;
  }
}
