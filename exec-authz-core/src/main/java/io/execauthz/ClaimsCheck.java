package io.execauthz;

import io.execauthz.capability.ResourcePattern;
import java.time.Instant;

/**
 * Step 4b of the pipeline: a resource inside a claim held by a node that is neither this node nor
 * one of its ancestors is refused ({@link Reason#CLAIMED}), except for reads. Graph mode only: a
 * grant's view has no claims table.
 */
final class ClaimsCheck {
  private ClaimsCheck() {}

  /** The active claim that refuses the request, or null. */
  static ExecutionGraph.Claim blocking(
      ExecutionGraph.Claim[] claims,
      Node node,
      String action,
      ResourcePattern resource,
      Instant now) {
    if (CapabilityGate.isRead(action)) {
      return null;
    }
    for (ExecutionGraph.Claim c : claims) {
      Node h = c.holder();
      if (c.pattern().covers(resource)
          && !node.hasInLineage(h)
          && h.stateAt(now) == NodeState.ACTIVE) {
        return c;
      }
    }
    return null;
  }
}
