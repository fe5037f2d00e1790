package io.execauthz;

import io.execauthz.spi.PolicyDecision;
import java.util.List;

/**
 * Step 6 of the pipeline: the policy engine's answer as a decision. An engine that returns nothing,
 * or reports an error (an erroring forbid silently stops forbidding in Cedar), is a deny with
 * {@link Reason#ERROR}: fail closed.
 */
final class PolicyStep {
  private PolicyStep() {}

  /** The deny for this answer, or null when the policies permit. */
  static Decision refusal(
      String id, PolicyDecision pd, AuthorizationRequest req, List<String> path) {
    if (pd == null) {
      return new Decision.Deny(
          id,
          Reason.ERROR,
          "policy engine returned no decision",
          path,
          List.of(),
          List.of("null decision"));
    }
    if (!pd.errors().isEmpty()) {
      return new Decision.Deny(
          id,
          Reason.ERROR,
          "policy evaluation failed: " + pd.errors().get(0),
          path,
          pd.determiningPolicies(),
          pd.errors());
    }
    if (!pd.permitted()) {
      return new Decision.Deny(
          id,
          Reason.POLICY,
          pd.determiningPolicies().isEmpty()
              ? "no policy permits " + req.action() + " on " + req.resource()
              : "denied by " + String.join(", ", pd.determiningPolicies()),
          path,
          pd.determiningPolicies(),
          List.of());
    }
    return null;
  }
}
