package io.execauthz;

import io.execauthz.Explanation.Check;
import io.execauthz.Explanation.Step;
import io.execauthz.spi.ApprovalStore;
import io.execauthz.spi.PolicyDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Authorizer#explain}: the steps {@link Authorizer#check} runs — {@link
 * GraphRequests#liveness}, {@link Pipeline#canonical}, {@link Gate#decide}, the policy engine and
 * {@link PolicyStep} — called in the same order with the same arguments, each outcome kept. Nothing
 * is re-implemented here, so an explanation cannot drift from a decision (ExplanationProperties
 * holds the two equal). Like {@code check} it spends no budget and writes no audit record; unlike
 * it, it neither reads nor fills the decision cache (whose answers equal fresh ones, invariant 5),
 * asks no shadow engine and tells no observer. Stateless and thread-safe.
 */
final class Explainer {
  private Explainer() {}

  static Explanation explain(
      String id, ExecutionGraph graph, Pipeline pipeline, AuthorizationRequest req, Instant now) {
    Trace t = new Trace();
    Node node = null;
    try {
      node = graph == null ? null : graph.get(req.nodeId());
      if (node == null) {
        return t.fail(GraphRequests.unknownNode(id, req.nodeId()));
      }
      t.pass();
      if (now == null) {
        return t.fail(Decisions.clockFailed(id, node.path()));
      }
      Decision ended = GraphRequests.liveness(graph, id, node, now);
      if (ended != null) {
        return t.fail(ended);
      }
      t.pass();
      ExecutionView view = node.view();
      List<String> path = view.path();
      Pipeline.Canonical c = pipeline.canonical(id, req, path);
      if (c.refused() != null) {
        return t.fail(c.refused());
      }
      AuthorizationRequest r = c.request();
      DecisionCache.Gate gate =
          Gate.decide(r, c.resource(), node.levels(), view, node, now, graph.claims());
      if (gate.deny() == Reason.APPROVAL_REQUIRED && !r.approved()) {
        // the approval step, as check runs it: a waiting one-time approval is looked at, not used
        ApprovalStore.Outcome o = ApprovalStep.ask(pipeline.approvals(), r, view.nodeId(), false);
        if (o == ApprovalStore.Outcome.UNAVAILABLE) {
          while (t.current() != Step.APPROVAL) {
            t.pass();
          }
          return t.fail(ApprovalStep.unavailable(id, path));
        }
        if (o == ApprovalStore.Outcome.APPROVED) {
          r = r.withApproval();
          gate = Gate.decide(r, c.resource(), node.levels(), view, node, now, graph.claims());
        }
      }
      if (gate.deny() != null) {
        Step refusing = stepOf(gate.deny());
        while (t.current() != refusing) {
          t.pass();
        }
        return t.fail(Decisions.deny(id, gate.deny(), gate.detail(), path));
      }
      while (t.current() != Step.POLICY) {
        t.pass();
      }
      PolicyDecision pd = pipeline.engine().evaluate(Pipeline.policyRequest(view, r, now));
      Decision refused = PolicyStep.refusal(id, pd, r, path);
      if (refused != null) {
        return t.fail(refused);
      }
      t.checks.add(
          new Check(Step.POLICY, new Explanation.Passed(), pd.determiningPolicies(), List.of()));
      // as check does: a revocation or completion that landed meanwhile wins
      Decision late = Liveness.check(id, node, now);
      if (late != null) {
        t.checks.subList(Step.LIVENESS.ordinal(), t.checks.size()).clear();
        return t.fail(late);
      }
      return new Explanation(t.checks, new Decision.Permit(id, path, pd.determiningPolicies()));
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      if (t.checks.size() == Step.values().length) {
        throw e; // the explanation itself was inconsistent: a bug, never a decision
      }
      return t.fail(Decisions.error(id, node == null ? List.of() : node.path(), e));
    }
  }

  /** The check whose refusal the gate reports with this reason. */
  private static Step stepOf(Reason gateReason) {
    return switch (gateReason) {
      case OUT_OF_SCOPE -> Step.CAPABILITY;
      case CLAIMED -> Step.CLAIMS;
      case APPROVAL_REQUIRED -> Step.APPROVAL;
      case BUDGET_EXHAUSTED -> Step.BUDGET;
      default -> throw new IllegalStateException("the gate refused with " + gateReason);
    };
  }

  /** The checks so far: passed ones, then the failed one and the skipped rest. Not thread-safe. */
  private static final class Trace {
    final List<Check> checks = new ArrayList<>(Step.values().length);

    Step current() {
      return Step.values()[checks.size()];
    }

    void pass() {
      checks.add(new Check(current(), new Explanation.Passed(), List.of(), List.of()));
    }

    /** The explanation of a deny at the current step. */
    Explanation fail(Decision d) {
      Decision.Deny deny = (Decision.Deny) d;
      Step failed = current();
      checks.add(
          new Check(
              failed,
              new Explanation.Failed(deny.reason(), deny.detail()),
              deny.determiningPolicies(),
              deny.errors()));
      while (checks.size() < Step.values().length) {
        checks.add(new Check(current(), new Explanation.Skipped(failed), List.of(), List.of()));
      }
      return new Explanation(checks, deny);
    }
  }
}
