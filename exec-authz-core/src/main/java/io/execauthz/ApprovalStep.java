package io.execauthz;

import io.execauthz.spi.ApprovalStore;
import io.execauthz.spi.ApprovalStore.Approval;
import java.util.List;

/**
 * The approval step's look into the {@link ApprovalStore}: asked only when the gate refused a
 * request {@link Reason#APPROVAL_REQUIRED} and the request carries no approval itself. Consumes
 * when deciding, peeks when only checking. A store that fails is {@link Reason#UNAVAILABLE}, never
 * a permit. Stateless.
 */
final class ApprovalStep {
  private ApprovalStep() {}

  /**
   * @param req the request, its resource canonical
   * @param nodeId the node acting (the graph node, or the grant's)
   * @param spend whether this decision consumes (false for a side-effect-free check)
   * @return the store's outcome
   */
  static ApprovalStore.Outcome ask(
      ApprovalStore store, AuthorizationRequest req, String nodeId, boolean spend) {
    Approval a = new Approval(nodeId, req.action(), req.resource(), req.arguments().sha256());
    try {
      ApprovalStore.Outcome o = spend ? store.consume(a) : store.peek(a);
      return o == null ? ApprovalStore.Outcome.UNAVAILABLE : o;
    } catch (RuntimeException e) {
      return ApprovalStore.Outcome.UNAVAILABLE;
    }
  }

  /** The deny for a store that could not answer. */
  static Decision unavailable(String id, List<String> path) {
    return Decisions.deny(
        id,
        Reason.UNAVAILABLE,
        "the approval store could not answer; the call is refused until it can (fail closed)",
        path);
  }
}
