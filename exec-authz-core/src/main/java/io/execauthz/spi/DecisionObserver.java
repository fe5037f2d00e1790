package io.execauthz.spi;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Decision;
import io.execauthz.ExecutionView;
import java.util.Objects;

/**
 * Told of every decision once it is final (after its audit record), on the deciding thread: the
 * seam for metrics, tracing and shadow-policy reports. An observer never changes a decision: one
 * that throws is logged and ignored. A side-effect-free {@code check} is not observed.
 *
 * <p>Implementations must be thread-safe and quick (they run on the decision path).
 */
@FunctionalInterface
public interface DecisionObserver {

  void onDecision(Observation observation);

  /**
   * One final decision and how it was reached.
   *
   * @param request the request as decided (its resource in canonical form when it had one)
   * @param view the execution it was decided in, or null when none was found (unknown node, a grant
   *     that failed verification)
   * @param grantId the grant's id for a tool server's decision, else null
   * @param decision the final decision
   * @param policy the enforcing policy engine's answer when the request reached the policy step,
   *     else null
   * @param policyFromCache whether that answer came from the decision cache
   * @param shadow the shadow policy engine's answer when one is configured and the request reached
   *     the policy step, else null; a disagreement never changes {@code decision}
   * @param nanos how long the decision took, audit included
   */
  record Observation(
      AuthorizationRequest request,
      ExecutionView view,
      String grantId,
      Decision decision,
      PolicyDecision policy,
      boolean policyFromCache,
      PolicyDecision shadow,
      long nanos) {
    public Observation {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(decision, "decision");
    }

    /**
     * Whether the shadow policies would have answered differently from the enforcing ones: permit
     * against deny (or an error on one side only). False when there is no shadow answer.
     */
    public boolean shadowDisagrees() {
      // the audit record's test, so a span, a metric and a record always agree
      return io.execauthz.audit.AuditRecord.Shadow.ifDisagreeing(policy, shadow) != null;
    }
  }
}
