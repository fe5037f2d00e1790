package io.execauthz.spi;

import io.execauthz.ExecutionNode;
import io.execauthz.NodeState;

/**
 * Told when a node ends by {@code complete} or {@code revoke} (not its descendants, which end with
 * it). A grant revocation registry listens here. Called after the graph has changed, on the thread
 * that changed it, outside the graph's lock. An exception thrown here does not undo the change or
 * stop the other listeners, and never passes silently: once every listener has been called, {@code
 * revoke} or {@code complete} throws an {@link io.execauthz.GraphListenerException} carrying it, so
 * the caller learns that this listener may not know. Implementations must be thread-safe and quick.
 */
public interface GraphListener {

  /**
   * @param node the node that ended
   * @param state {@link NodeState#COMPLETED} or {@link NodeState#REVOKED}
   * @param reason the reason given to revoke, or {@code "completed"}
   */
  void onEnded(ExecutionNode node, NodeState state, String reason);
}
