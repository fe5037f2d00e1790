package io.execauthz;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one authorization request: {@link Permit} or {@link Deny}, never null.
 *
 * <pre>{@code
 * Decision d = authorizer.authorize(request);
 * if (d instanceof Decision.Deny deny) {
 *   return refuse(deny.reason(), deny.detail());
 * }
 * return callTool();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Decision permits Decision.Permit, Decision.Deny {

  /** A unique id for this decision, also written to the audit record. */
  String decisionId();

  /** The execution node ids from the root to the node the request was made on. */
  List<String> nodePath();

  /** The ids of the policies that determined the outcome (empty if none was consulted). */
  List<String> determiningPolicies();

  /** Whether this is a {@link Permit}. */
  default boolean isPermit() {
    return this instanceof Permit;
  }

  /** The request may proceed. */
  record Permit(String decisionId, List<String> nodePath, List<String> determiningPolicies)
      implements Decision {
    public Permit {
      Objects.requireNonNull(decisionId, "decisionId");
      nodePath = List.copyOf(nodePath);
      determiningPolicies = List.copyOf(determiningPolicies);
    }

    @Override
    public String toString() {
      return "PERMIT " + decisionId + " " + nodePath;
    }
  }

  /**
   * The request must not proceed.
   *
   * @param reason the typed reason to switch on
   * @param detail a sentence for people naming what was presented and what was required
   * @param errors evaluation errors (for {@link Reason#ERROR}, and policy errors), else empty
   */
  record Deny(
      String decisionId,
      Reason reason,
      String detail,
      List<String> nodePath,
      List<String> determiningPolicies,
      List<String> errors)
      implements Decision {
    public Deny {
      Objects.requireNonNull(decisionId, "decisionId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
      nodePath = List.copyOf(nodePath);
      determiningPolicies = List.copyOf(determiningPolicies);
      errors = List.copyOf(errors);
    }

    @Override
    public String toString() {
      return "DENY " + reason + " " + decisionId + " " + nodePath + ": " + detail;
    }
  }
}
