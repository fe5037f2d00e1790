package io.execauthz.jwt;

import io.execauthz.ExecutionView;
import io.execauthz.NodeState;
import io.execauthz.jwt.internal.GrantContent;
import java.util.Optional;

/** What a {@link RevocationRegistry} says about one grant; shared by verifier and issuer. */
final class Revocations {
  private Revocations() {}

  /**
   * The first reason the registry refuses a grant.
   *
   * @param check {@link GrantCheck#REVOKED}, {@link GrantCheck#COMPLETED} or {@link
   *     GrantCheck#UNAVAILABLE}
   * @param nodeId the node that ended, or null (a revoked grant, a registry not current)
   */
  record Finding(GrantCheck check, String message, String nodeId) {}

  /**
   * Revoked grant or ancestor grant, then a revoked node of the lineage, then a completed one (a
   * revocation wins, as in the graph), then a registry that is not current; null when none.
   */
  static Finding find(RevocationRegistry r, GrantContent c) {
    if (r.isGrantRevoked(c.id())) {
      return new Finding(GrantCheck.REVOKED, "grant '" + c.id() + "' was revoked", null);
    }
    for (String ancestor : c.grantChain()) {
      if (r.isGrantRevoked(ancestor)) {
        return new Finding(
            GrantCheck.REVOKED,
            "ancestor grant '" + ancestor + "' of grant '" + c.id() + "' was revoked",
            null);
      }
    }
    String scope = c.scope();
    String completed = null;
    for (ExecutionView.Lineage l : c.lineage()) {
      Optional<NodeState> s = r.nodeState(c.issuer(), scope, l.id());
      if (s.isPresent() && s.get() == NodeState.REVOKED) {
        return new Finding(GrantCheck.REVOKED, ended(c, l.id(), NodeState.REVOKED), l.id());
      }
      if (completed == null && s.isPresent() && s.get() == NodeState.COMPLETED) {
        completed = l.id();
      }
    }
    if (completed != null) {
      return new Finding(GrantCheck.COMPLETED, ended(c, completed, NodeState.COMPLETED), completed);
    }
    if (!r.isCurrent()) {
      return new Finding(
          GrantCheck.UNAVAILABLE,
          "the revocation registry is not current ("
              + detail(r)
              + "); grants are refused until it has caught up",
          null);
    }
    return null;
  }

  /** The registry's own account of why, never failing the verification that asks. */
  private static String detail(RevocationRegistry r) {
    try {
      String d = r.notCurrentDetail();
      return d == null || d.isBlank() ? "no reason given" : d;
    } catch (RuntimeException e) {
      return "no reason given: " + e.getClass().getSimpleName();
    }
  }

  private static String ended(GrantContent c, String id, NodeState state) {
    return (id.equals(c.nodeId())
            ? "node '" + id + "'"
            : "ancestor '" + id + "' of node '" + c.nodeId() + "'")
        + " of graph '"
        + c.scope()
        + "' is "
        + state;
  }
}
