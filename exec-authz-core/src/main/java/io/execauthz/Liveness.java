package io.execauthz;

import java.time.Instant;

/**
 * Step 2 of the pipeline: the node and every ancestor active, the deadline not passed. Reads only
 * volatile node state: takes no lock.
 */
final class Liveness {
  private Liveness() {}

  /** The deny for a node that is not active at {@code now}, or null when it is. */
  static Decision check(String id, Node node, Instant now) {
    return switch (node.stateAt(now)) {
      case ACTIVE -> null;
      case HELD ->
          deny(id, Reason.HELD, "node '" + node.id + "' waits for a conflicting claim", node);
      case CANCELLED ->
          deny(id, Reason.CANCELLED, "node '" + node.id + "' was cancelled while held", node);
      case REVOKED ->
          deny(id, Reason.REVOKED, endedBy(node, NodeState.REVOKED) + " was revoked", node);
      case COMPLETED ->
          deny(id, Reason.COMPLETED, endedBy(node, NodeState.COMPLETED) + " completed", node);
      case EXPIRED ->
          deny(
              id,
              Reason.EXPIRED,
              "node '" + node.id + "' expired at " + node.deadline + " (now " + now + ")",
              node);
    };
  }

  /** The deny for a grant's view past its deadline, or null. */
  static Decision check(String id, ExecutionView view, Instant now) {
    if (now.isBefore(view.deadline())) {
      return null;
    }
    return Decisions.deny(
        id,
        Reason.EXPIRED,
        "node '" + view.nodeId() + "' expired at " + view.deadline() + " (now " + now + ")",
        view.path());
  }

  private static Decision deny(String id, Reason reason, String detail, Node node) {
    return Decisions.deny(id, reason, detail, node.path());
  }

  private static String endedBy(Node node, NodeState state) {
    for (Node n : node.lineage()) {
      if (n.own == state) {
        String why =
            state == NodeState.REVOKED && n.endReason != null ? " (" + n.endReason + ")" : "";
        return (n == node ? "node '" : "ancestor '") + n.id + "'" + why;
      }
    }
    return "node '" + node.id + "'";
  }
}
