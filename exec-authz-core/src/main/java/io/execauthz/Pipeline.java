package io.execauthz;

import io.execauthz.audit.Approval;
import io.execauthz.capability.ActionPattern;
import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.capability.ResourceSchemes;
import io.execauthz.spi.ApprovalStore;
import io.execauthz.spi.ArgumentReads;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.time.Instant;
import java.util.List;

/**
 * Steps 3–6 of the pipeline for a live node or a verified grant's view: the decision cache, then
 * the gate (capabilities, claims, approval, budget plan), budgets checked live, the policy engine,
 * and budgets spent. Each step returns a value; the first deny wins. Thread-safe.
 */
final class Pipeline {
  /** A decision and the budget counters it spent (empty unless a permit spent some). */
  record Result(
      Decision decision,
      List<Budget> spent,
      PolicyDecision policy,
      boolean policyFromCache,
      PolicyDecision shadow,
      Approval approval) {
    Result(
        Decision decision,
        List<Budget> spent,
        PolicyDecision policy,
        boolean policyFromCache,
        PolicyDecision shadow) {
      this(decision, spent, policy, policyFromCache, shadow, null);
    }

    static Result of(Decision d) {
      return new Result(d, List.of(), null, false, null);
    }

    /** The same answers, another decision (a later step refused). */
    Result with(Decision d) {
      return new Result(d, List.of(), policy, policyFromCache, shadow, approval);
    }

    /** The same result, decided on an approval the request did not carry (the store's). */
    Result approvedBy(Approval a) {
      return new Result(decision, spent, policy, policyFromCache, shadow, a);
    }
  }

  /** An approval consumed from the approval store: the store says nothing of who gave it. */
  private static final Approval STORE_APPROVAL = new Approval(null, Approval.APPROVAL_STORE);

  private final PolicyEngine engine;
  private final DecisionCache cache;
  private final BudgetLedger ledger;
  private final ResourceSchemes schemes;
  private final PolicyEngine shadow;
  private final ApprovalStore approvals;

  /**
   * @param schemes the canonical forms, or null for {@link ResourceSchemes#defaults()}
   * @param shadow a candidate policy engine asked beside the enforcing one, never deciding; or null
   * @param approvals where one-time approvals wait, or null for an empty one in memory
   */
  Pipeline(
      PolicyEngine engine,
      DecisionCache cache,
      BudgetLedger ledger,
      ResourceSchemes schemes,
      PolicyEngine shadow,
      ApprovalStore approvals,
      java.time.InstantSource clock) {
    this.engine = engine;
    this.cache = cache;
    this.ledger = ledger;
    this.schemes = schemes == null ? ResourceSchemes.defaults() : schemes;
    this.shadow = shadow;
    this.approvals = approvals == null ? ApprovalStore.inMemory(clock) : approvals;
  }

  BudgetLedger ledger() {
    return ledger;
  }

  CacheStats cacheStats() {
    return cache.stats();
  }

  /**
   * Decides a request on {@code levels} (the node first, then what binds it above).
   *
   * @param spend whether budgets are checked and spent; false for a side-effect-free check
   * @param node the graph node (claims are checked against {@code claims}), or null for a view
   * @param claims the graph's claim set, or null for a view
   */
  Result evaluate(
      String id,
      AuthorizationRequest req,
      Level[] levels,
      ExecutionView view,
      Node node,
      Instant now,
      ExecutionGraph.Claim[] claims,
      boolean spend) {
    List<String> path = view.path();
    Canonical c = canonical(id, req, path);
    if (c.refused() != null) {
      return Result.of(c.refused());
    }
    req = c.request();
    ResourcePattern resource = c.resource();
    // the policy version this request is keyed and validated against
    long version = engine.version();
    long shadowVersion = shadow == null ? 0 : shadow.version();
    DecisionCache.Key key =
        cache.enabled() ? key(req, node == null ? view : node, version, shadowVersion) : null;
    DecisionCache.Entry entry = key == null ? null : cache.get(key, claims, now);
    DecisionCache.Gate gate =
        entry != null ? entry.gate() : Gate.decide(req, resource, levels, view, node, now, claims);
    if (gate.deny() == Reason.APPROVAL_REQUIRED && !req.approved()) {
      // the approval step: a one-time approval of this very call, consumed once
      ApprovalStore.Outcome o = ApprovalStep.ask(approvals, req, view.nodeId(), spend);
      if (o == ApprovalStore.Outcome.APPROVED) {
        return evaluate(
                id, req.withApproval(STORE_APPROVAL), levels, view, node, now, claims, spend)
            .approvedBy(STORE_APPROVAL);
      } else if (o == ApprovalStore.Outcome.UNAVAILABLE) {
        return Result.of(ApprovalStep.unavailable(id, path));
      }
    }
    if (gate.deny() != null) {
      if (entry == null && key != null) {
        cache.put(key, new DecisionCache.Entry(gate, null, 0, true, 0));
      }
      return Result.of(Decisions.deny(id, gate.deny(), gate.detail(), path));
    }

    // budgets at every level, always live
    // (a side-effect-free check leaves budgets out: it answers "could this be allowed")
    List<List<Budget>> budgets = spend ? gate.budgets().levels() : null;
    if (budgets != null) {
      Decision refused = BudgetPlan.refusal(id, ledger.check(budgets), path);
      if (refused != null) {
        if (entry == null && key != null) {
          cache.put(key, new DecisionCache.Entry(gate, null, 0, true, 0));
        }
        return Result.of(refused);
      }
    }

    // policy: cached for the same engine version (and second, if the engine reads the time)
    boolean readsTime = engine.readsTime();
    long second = now.getEpochSecond();
    PolicyDecision pd;
    PolicyDecision sd = null;
    boolean fromCache = entry != null && entry.policyValid(version, second);
    if (fromCache && (shadow == null || entry.shadowVersion() == shadowVersion)) {
      pd = entry.policy();
      sd = entry.shadow();
    } else {
      PolicyRequest pr = policyRequest(view, req, now);
      pd = fromCache ? entry.policy() : engine.evaluate(pr);
      sd = shadow == null ? null : shadowAnswer(pr);
      if (key != null && pd != null && pd.errors().isEmpty()) {
        cache.put(
            key, new DecisionCache.Entry(gate, pd, version, readsTime, second, sd, shadowVersion));
      }
    }
    Result answered = new Result(null, List.of(), pd, fromCache, sd);
    Decision refused = PolicyStep.refusal(id, pd, req, path);
    if (refused != null) {
      return answered.with(refused);
    }

    List<Budget> spent = List.of();
    if (budgets != null) {
      BudgetLedger.Outcome taken = ledger.take(budgets);
      refused = BudgetPlan.refusal(id, taken, path);
      if (refused != null) {
        return answered.with(refused);
      }
      spent = ((BudgetLedger.Taken) taken).budgets();
    }
    return new Result(
        new Decision.Permit(id, path, pd.determiningPolicies()), spent, pd, fromCache, sd);
  }

  /**
   * The cache key: the request with only the arguments the engines may read under {@code version}
   * (and {@code shadowVersion}; so calls that differ in an argument no policy reads share one
   * entry), or null — no caching — when the policies changed while the key was being made.
   */
  private DecisionCache.Key key(
      AuthorizationRequest req, Object subject, long version, long shadowVersion) {
    ArgumentReads reads = engine.argumentReads(req.action());
    if (shadow != null) {
      reads = reads.union(shadow.argumentReads(req.action()));
    }
    if (engine.version() != version || (shadow != null && shadow.version() != shadowVersion)) {
      return null;
    }
    return new DecisionCache.Key(
        subject, req.action(), req.resource(), req.arguments().only(reads), req.approved());
  }

  /**
   * A request in canonical form (CONTRACT §1: only that is matched, claim-checked, cached and sent
   * to policies), or the deny with {@link Reason#ERROR} for a malformed one.
   */
  record Canonical(AuthorizationRequest request, ResourcePattern resource, Decision refused) {}

  /** The first thing {@link #evaluate} does, and {@link Explainer} too. */
  Canonical canonical(String id, AuthorizationRequest req, List<String> path) {
    try {
      ActionPattern.checkConcrete(req.action());
    } catch (CapabilitySyntaxException e) {
      return new Canonical(
          null,
          null,
          Decisions.deny(id, Reason.ERROR, "malformed request: " + e.getMessage(), path));
    }
    ResourcePattern resource;
    try {
      resource = schemes.resource(req.resource());
    } catch (CapabilitySyntaxException e) {
      return new Canonical(
          null,
          null,
          Decisions.deny(
              id,
              Reason.ERROR,
              "malformed request: the resource is not in canonical form: " + e.getMessage(),
              path));
    }
    String canonical = resource.toString();
    if (!canonical.equals(req.resource())) {
      req =
          new AuthorizationRequest(
              req.nodeId(),
              req.action(),
              canonical,
              req.args(),
              req.approved(),
              req.traceparent(),
              req.approval());
    }
    return new Canonical(req, resource, null);
  }

  /** What the policy engine is asked for a canonical request. */
  static PolicyRequest policyRequest(ExecutionView view, AuthorizationRequest req, Instant now) {
    return new PolicyRequest(view, req.action(), req.resource(), req.args(), req.approved(), now);
  }

  /** Where one-time approvals wait. */
  ApprovalStore approvals() {
    return approvals;
  }

  /** The enforcing engine (never the shadow). */
  PolicyEngine engine() {
    return engine;
  }

  /** The shadow engine's answer; its failures are answers too, never the caller's problem. */
  private PolicyDecision shadowAnswer(PolicyRequest pr) {
    try {
      PolicyDecision d = shadow.evaluate(pr);
      return d != null
          ? d
          : new PolicyDecision(false, List.of(), List.of("shadow engine returned no decision"));
    } catch (RuntimeException | StackOverflowError e) {
      return new PolicyDecision(
          false, List.of(), List.of("shadow engine failed: " + e.getClass().getSimpleName()));
    }
  }

  /** Gives back what a permit spent, when a later step refused it after all. */
  void refund(Result r) {
    if (!r.spent().isEmpty()) {
      ledger.refund(r.spent());
    }
  }
}
