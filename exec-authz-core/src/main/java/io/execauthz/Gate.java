package io.execauthz;

import io.execauthz.capability.Capability;
import io.execauthz.capability.ResourcePattern;
import java.time.Instant;

/**
 * Steps 4–5 composed: capability gate, claims, approval and the budget plan — everything before
 * spending that depends only on the capabilities, the claim set and the time. Its outcome holds
 * until the earliest {@code until} of a matching capability in the lineage (and, for a claim
 * refusal, until the claim holder's deadline), for as long as the claim set is the same; so the
 * decision cache keeps it.
 */
final class Gate {
  private Gate() {}

  /**
   * @param resource the request's resource, parsed from its canonical text
   * @param node the graph node (claims are checked), or null for a grant's view
   */
  static DecisionCache.Gate decide(
      AuthorizationRequest req,
      ResourcePattern resource,
      Level[] levels,
      ExecutionView view,
      Node node,
      Instant now,
      ExecutionGraph.Claim[] claims) {
    String action = req.action();
    Instant validUntil = CapabilityGate.validUntil(levels, action, resource, now);
    Capability[] caps = levels[0].levelCapabilities();
    int[] covering = CapabilityGate.covering(caps, action, resource, now);
    if (covering.length == 0) {
      return refused(
          Reason.OUT_OF_SCOPE,
          "no capability of node '"
              + view.nodeId()
              + "' covers "
              + action
              + " on "
              + req.resource(),
          claims,
          validUntil);
    }
    if (node != null) {
      ExecutionGraph.Claim c = ClaimsCheck.blocking(claims, node, action, resource, now);
      if (c != null) {
        Node h = c.holder();
        return refused(
            Reason.CLAIMED,
            req.resource() + " lies in claim " + c.pattern() + " held by node '" + h.id + "'",
            claims,
            h.deadline.isBefore(validUntil) ? h.deadline : validUntil);
      }
    }
    boolean[] usable = CapabilityGate.usable(caps, covering, req.approved());
    if (usable == null) {
      return refused(
          Reason.APPROVAL_REQUIRED,
          "'" + caps[covering[0]] + "' needs approval for " + action + " on " + req.resource(),
          claims,
          validUntil);
    }
    DecisionCache.Budgets budgets =
        BudgetPlan.plan(levels, usable, req.approved(), action, resource, now);
    if (budgets == null) {
      return refused(
          Reason.BUDGET_EXHAUSTED,
          "an ancestor of node '"
              + view.nodeId()
              + "' has no capability for "
              + action
              + " on "
              + req.resource(),
          claims,
          validUntil);
    }
    return new DecisionCache.Gate(null, null, budgets, claims, validUntil);
  }

  private static DecisionCache.Gate refused(
      Reason reason, String detail, ExecutionGraph.Claim[] claims, Instant validUntil) {
    return new DecisionCache.Gate(reason, detail, null, claims, validUntil);
  }
}
