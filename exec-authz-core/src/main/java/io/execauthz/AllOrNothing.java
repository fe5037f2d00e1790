package io.execauthz;

import java.time.Instant;
import java.util.List;

/**
 * Several checks of one call decided together (the tool, then the paths in its arguments): the call
 * is permitted only if every check permits, and nothing is spent unless all do. Each check is
 * audited with its own record. A refusal names the check that refused; the checks decided before it
 * are recorded as refused with the same reason (their budgets given back), and the checks after it
 * are never decided.
 */
final class AllOrNothing {
  private AllOrNothing() {}

  /** One check as decided, with the view it was decided on (null if none), for its record. */
  record Decided(Pipeline.Result result, ExecutionView view) {}

  /** The requests of one call: at least one, none null. */
  static List<AuthorizationRequest> checked(List<AuthorizationRequest> requests) {
    List<AuthorizationRequest> copy = List.copyOf(requests);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException(
          "authorizeAll needs at least one request: nothing is never permitted");
    }
    return copy;
  }

  /** Every check permitted: records each; an audit failure refuses the whole call. */
  static Decision permitted(
      Audited audit,
      Instant now,
      List<AuthorizationRequest> requests,
      List<Decided> done,
      Pipeline pipeline,
      String grantId,
      long started) {
    Decision[] recorded = new Decision[done.size()];
    Decision failed = null;
    for (int i = 0; i < done.size(); i++) {
      recorded[i] =
          audit.record(
              now, requests.get(i), done.get(i).view(), grantId, done.get(i).result(), started);
      if (failed == null && !(recorded[i] instanceof Decision.Permit)) {
        failed = recorded[i];
      }
    }
    if (failed == null) {
      return recorded[0];
    }
    for (int i = 0; i < done.size(); i++) {
      if (recorded[i] instanceof Decision.Permit) {
        pipeline.refund(done.get(i).result());
      }
    }
    return failed;
  }

  /** The last check refused: gives back what the others spent and records them as refused. */
  static Decision refused(
      Audited audit,
      Instant now,
      List<AuthorizationRequest> requests,
      List<Decided> done,
      Pipeline pipeline,
      String grantId,
      long started) {
    int k = done.size() - 1;
    Decision.Deny deny = (Decision.Deny) done.get(k).result().decision();
    for (int j = 0; j < k; j++) {
      Decided d = done.get(j);
      pipeline.refund(d.result());
      Decision.Deny withIt =
          new Decision.Deny(
              d.result().decision().decisionId(),
              deny.reason(),
              "check " + (k + 1) + " of " + requests.size() + " refused: " + deny.detail(),
              d.result().decision().nodePath(),
              deny.determiningPolicies(),
              deny.errors());
      audit.record(now, requests.get(j), d.view(), grantId, d.result().with(withIt), started);
    }
    audit.record(now, requests.get(k), done.get(k).view(), grantId, done.get(k).result(), started);
    return deny;
  }
}
