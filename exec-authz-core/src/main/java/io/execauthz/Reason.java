package io.execauthz;

/**
 * Why a request was denied: exactly one per {@link Decision.Deny}, in the order of CONTRACT §2.
 * Callers switch on it; the accompanying detail text is for people.
 *
 * <p>Immutable and thread-safe.
 */
public enum Reason {
  /** The request is not covered by the node's (or grant's) capability set. */
  OUT_OF_SCOPE,
  /** The policy engine did not permit (no permit matched, or a forbid did). */
  POLICY,
  /** The node or an ancestor was revoked (or the grant or an ancestor grant is revoked). */
  REVOKED,
  /** The node or an ancestor completed. */
  COMPLETED,
  /** The node's or an ancestor's deadline (or the grant's {@code exp}) has passed. */
  EXPIRED,
  /** A {@code maxCalls} budget on the covering capability, at some level, is used up. */
  BUDGET_EXHAUSTED,
  /** The covering capability needs approval and none was given with this request. */
  APPROVAL_REQUIRED,
  /** The grant failed verification; the detail names the check. */
  INVALID_GRANT,
  /** The resource lies in a claim held by a node that is neither this node nor an ancestor. */
  CLAIMED,
  /** The node waits for a conflicting claim to be released and has not started. */
  HELD,
  /** The node was held and then cancelled because its parent ended first. */
  CANCELLED,
  /** No such execution node (never spawned, or ended and forgotten after its retention). */
  UNKNOWN_NODE,
  /**
   * A shared source the decision depends on (revocation state, budget ledger, approval store)
   * cannot be confirmed current within its bound; the request is denied (fail closed).
   */
  UNAVAILABLE,
  /** Something failed during evaluation; the request is denied (fail closed). */
  ERROR
}
