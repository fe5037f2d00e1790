package io.execauthz.audit;

import io.execauthz.Reason;
import io.execauthz.spi.PolicyDecision;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the audit log keeps of one decision: who (principal and the delegation chain), where (the
 * node path and trace), what (action, resource) and the outcome with its reason and the policies
 * that determined it.
 *
 * <p>A record holds every value whole; {@link JsonLinesAuditSink} cuts (and marks, with the SHA-256
 * of the whole value) only fields that would make its line exceed 1 MiB.
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
 * @param argsSha256 the lowercase hex SHA-256 of the call's canonical arguments, or {@code null}
 *     when there were none or they are not known: it binds the record to the exact call without
 *     keeping the call's data in the log
 * @param shadow what the shadow (candidate) policies answered, only when it differs from what the
 *     enforcing policies answered; {@code null} otherwise, so that records without a disagreement
 *     are the records they always were
 * @param arguments the call's arguments, or {@code null}: only for a sink that {@linkplain
 *     io.execauthz.spi.AuditSink#keepsArguments() keeps them} (and redacts what it must); kept as
 *     an immutable deep copy whose maps iterate in key order — strings, booleans, integers ({@link
 *     Long}), decimals ({@link java.math.BigDecimal}), lists and string-keyed maps; empty is {@code
 *     null}
 * @param approval who approved the request and how, when it was approved with that said ({@code
 *     AuthorizationRequest.withApproval(by, via)}, an MCP elicitation, an approval store); else
 *     {@code null}
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
    String traceparent,
    String argsSha256,
    Shadow shadow,
    Map<String, Object> arguments,
    Approval approval) {
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
    arguments = AuditArguments.copy(arguments);
    if (argsSha256 != null) {
      argsSha256 = argsSha256.toLowerCase(Locale.ROOT);
      if (!AuditLogFormat.isSha256Hex(argsSha256)) {
        throw new IllegalArgumentException(
            "argsSha256 must be 64 hex digits (a SHA-256), was " + argsSha256.length() + " chars");
      }
    }
  }

  /**
   * What a shadow policy engine answered where it disagreed with the enforcing one (permit against
   * deny, or an error on one side only): the answer a candidate policy set would have given, kept
   * beside the decision that stood so a policy change can be judged on live traffic.
   *
   * <p>Immutable and thread-safe.
   *
   * @param permitted whether the shadow policies permit; {@code false} whenever there are errors
   *     (an error is a deny, as it is for the enforcing policies)
   * @param policies the ids of the shadow policies that determined its answer
   * @param errors the shadow evaluation's errors
   */
  public record Shadow(boolean permitted, List<String> policies, List<String> errors) {
    public Shadow {
      policies = List.copyOf(policies);
      errors = List.copyOf(errors);
      permitted = permitted && errors.isEmpty();
    }

    /** The shadow answer a policy engine gave. */
    public static Shadow of(PolicyDecision d) {
      return new Shadow(d.permitted(), d.determiningPolicies(), d.errors());
    }

    /**
     * The shadow answer to record beside {@code enforcing}: {@code shadow}'s when the two disagree
     * (one permits, the other denies or errs), else {@code null} — also when either is missing.
     */
    public static Shadow ifDisagreeing(PolicyDecision enforcing, PolicyDecision shadow) {
      if (enforcing == null || shadow == null) {
        return null;
      }
      boolean enforcingPermits = enforcing.permitted() && enforcing.errors().isEmpty();
      boolean shadowPermits = shadow.permitted() && shadow.errors().isEmpty();
      return enforcingPermits == shadowPermits ? null : of(shadow);
    }

    /** {@code PERMIT} or {@code DENY}. */
    public String decision() {
      return permitted ? "PERMIT" : "DENY";
    }
  }

  /** A record without a shadow disagreement. */
  public AuditRecord(
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
      String traceparent,
      String argsSha256) {
    this(
        time,
        decisionId,
        nodePath,
        principal,
        delegators,
        action,
        resource,
        permitted,
        reason,
        detail,
        determiningPolicies,
        grantId,
        traceparent,
        argsSha256,
        null,
        null,
        null);
  }

  /** A record without the arguments' hash, as records were before they could carry one. */
  public AuditRecord(
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
    this(
        time,
        decisionId,
        nodePath,
        principal,
        delegators,
        action,
        resource,
        permitted,
        reason,
        detail,
        determiningPolicies,
        grantId,
        traceparent,
        null);
  }

  /**
   * This record with {@code argsSha256} (64 hex digits, or {@code null}) as its arguments' hash.
   */
  public AuditRecord withArgsSha256(String argsSha256) {
    return new AuditRecord(
        time,
        decisionId,
        nodePath,
        principal,
        delegators,
        action,
        resource,
        permitted,
        reason,
        detail,
        determiningPolicies,
        grantId,
        traceparent,
        argsSha256,
        shadow,
        arguments,
        approval);
  }

  /** This record with {@code shadow} (or {@code null}) as its shadow disagreement. */
  public AuditRecord withShadow(Shadow shadow) {
    return new AuditRecord(
        time,
        decisionId,
        nodePath,
        principal,
        delegators,
        action,
        resource,
        permitted,
        reason,
        detail,
        determiningPolicies,
        grantId,
        traceparent,
        argsSha256,
        shadow,
        arguments,
        approval);
  }

  /**
   * This record with {@code arguments} (or {@code null}) as the call's arguments, for a sink that
   * keeps them.
   *
   * @throws IllegalArgumentException naming where a value is not an argument's type
   */
  public AuditRecord withArguments(Map<String, Object> arguments) {
    return new AuditRecord(
        time,
        decisionId,
        nodePath,
        principal,
        delegators,
        action,
        resource,
        permitted,
        reason,
        detail,
        determiningPolicies,
        grantId,
        traceparent,
        argsSha256,
        shadow,
        arguments,
        approval);
  }

  /** This record with {@code approval} (or {@code null}) as its approval's provenance. */
  public AuditRecord withApproval(Approval approval) {
    return new AuditRecord(
        time,
        decisionId,
        nodePath,
        principal,
        delegators,
        action,
        resource,
        permitted,
        reason,
        detail,
        determiningPolicies,
        grantId,
        traceparent,
        argsSha256,
        shadow,
        arguments,
        approval);
  }

  /** {@code PERMIT} or {@code DENY}. */
  public String decision() {
    return permitted ? "PERMIT" : "DENY";
  }
}
