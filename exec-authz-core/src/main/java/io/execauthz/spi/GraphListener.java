package io.execauthz.spi;

import io.execauthz.ExecutionNode;
import io.execauthz.NodeState;

/**
 * Told when a node ends by {@code complete} or {@code revoke} (not its descendants, which end with
 * it). A grant revocation registry listens here. Called after the graph has changed, on the thread
 * that changed it; an exception thrown here is logged and does not undo the change. Implementations
 * must be thread-safe and quick.
 */
public interface GraphListener {

  /**
   * @param node the node that ended
   * @param state {@link NodeState#COMPLETED} or {@link NodeState#REVOKED}
   * @param reason the reason given to revoke, or {@code "completed"}
   */
  void onEnded(ExecutionNode node, NodeState state, String reason);
}
