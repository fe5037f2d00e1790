package io.execauthz;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the audit log keeps of one decision: who (principal and the delegation chain), where (the
 * node path and trace), what (action, resource) and the outcome with its reason and the policies
 * that determined it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param time when the decision was made (the authorizer's clock)
 * @param decisionId the decision's id
 * @param nodePath node ids from the root to the node (empty when the node is unknown)
 * @param principal the acting principal, or {@code null} when the node is unknown
 * @param delegators the principals from the root down to the node
 * @param action the requested action
 * @param resource the requested resource
 * @param permitted whether the decision was a permit
 * @param reason the deny reason, or {@code null} for a permit
 * @param detail the deny detail, or {@code ""} for a permit
 * @param determiningPolicies the ids of the policies that determined the outcome
 * @param grantId the {@code jti} of the grant the request came with, or {@code null}
 * @param traceparent the W3C trace context of the call, or {@code null}
 */
public record AuditRecord(
    Instant time,
    String decisionId,
    List<String> nodePath,
    String principal,
    List<String> delegators,
    String action,
    String resource,
    boolean permitted,
    Reason reason,
    String detail,
    List<String> determiningPolicies,
    String grantId,
    String traceparent) {
  public AuditRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(decisionId, "decisionId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(detail, "detail");
    nodePath = List.copyOf(nodePath);
    delegators = List.copyOf(delegators);
    determiningPolicies = List.copyOf(determiningPolicies);
    if (permitted != (reason == null)) {
      throw new IllegalArgumentException("a permit has no reason and a deny has one");
    }
  }

  /** {@code PERMIT} or {@code DENY}. */
  public String decision() {
    return permitted ? "PERMIT" : "DENY";
  }
}
