package io.execauthz;

import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.DecisionObserver;
import java.time.Instant;
import java.util.List;

/**
 * Step 7, a decorator around every decision: each one is recorded in the audit sink. A permit that
 * cannot be recorded becomes a deny ({@link Reason#ERROR}) and gives back the budget it spent; a
 * deny that cannot be recorded is still a deny (and logged). Thread-safe if the sink is.
 */
final class Audited {
  private static final System.Logger LOG = System.getLogger(Authorizer.class.getName());

  private final AuditSink sink;
  private final BudgetLedger ledger;
  private final List<DecisionObserver> observers;

  Audited(AuditSink sink, BudgetLedger ledger, List<DecisionObserver> observers) {
    this.sink = sink;
    this.ledger = ledger;
    this.observers = List.copyOf(observers);
  }

  /** When a decision starts, for observers' latency; 0 (no clock read) when none observes. */
  long start() {
    return observers.isEmpty() ? 0 : System.nanoTime();
  }

  /** Tells every observer; an observer that throws is logged and changes nothing. */
  private void observe(
      AuthorizationRequest request,
      ExecutionView view,
      String grantId,
      Decision d,
      Pipeline.Result r,
      long started) {
    if (observers.isEmpty()) {
      return;
    }
    DecisionObserver.Observation o =
        new DecisionObserver.Observation(
            request,
            view,
            grantId,
            d,
            r == null ? null : r.policy(),
            r != null && r.policyFromCache(),
            r == null ? null : r.shadow(),
            started == 0 ? 0 : System.nanoTime() - started);
    for (DecisionObserver observer : observers) {
      try {
        observer.onDecision(o);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "decision observer failed on " + d.decisionId(), e);
      }
    }
  }

  /** Records a decision the pipeline made; returns the decision that stands. */
  Decision record(
      Instant now,
      AuthorizationRequest request,
      ExecutionView view,
      String grantId,
      Pipeline.Result result,
      long started) {
    Decision d = result.decision();
    if (d instanceof Decision.Permit) {
      if (sink == AuditSink.discarding()) {
        observe(request, view, grantId, d, result, started);
        return d; // nothing is kept, so nothing is built
      }
      try {
        sink.record(record(now, request, view, grantId, d, result, sink));
        observe(request, view, grantId, d, result, started);
        return d;
      } catch (Throwable e) {
        Decisions.rethrowIfFatal(e);
        if (!result.spent().isEmpty()) {
          ledger.refund(result.spent());
        }
        d =
            Decisions.error(
                d.decisionId(), d.nodePath(), new IllegalStateException("audit failed: " + e, e));
      }
    }
    recordDeny(now, request, view, grantId, d, result);
    observe(request, view, grantId, d, result, started);
    return d;
  }

  /** A deny decided before the pipeline could run, recorded like every other. */
  Decision.Deny refuse(
      String id,
      Instant now,
      AuthorizationRequest request,
      Reason reason,
      String detail,
      ExecutionView view,
      String grantId) {
    java.util.Objects.requireNonNull(request, "request");
    java.util.Objects.requireNonNull(reason, "reason");
    java.util.Objects.requireNonNull(detail, "detail");
    Decision.Deny d =
        new Decision.Deny(
            id, reason, detail, view == null ? List.of() : view.path(), List.of(), List.of());
    recordDeny(now, request, view, grantId, d, null);
    observe(request, view, grantId, d, null, 0);
    return d;
  }

  /** Records a deny; a sink that fails is logged, the deny stands. */
  void recordDeny(
      Instant now,
      AuthorizationRequest request,
      ExecutionView view,
      String grantId,
      Decision d,
      Pipeline.Result result) {
    if (sink == AuditSink.discarding()) {
      return;
    }
    try {
      sink.record(record(now, request, view, grantId, d, result, sink));
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      LOG.log(System.Logger.Level.ERROR, "audit sink failed to record deny " + d.decisionId(), e);
    }
  }

  private static AuditRecord record(
      Instant now,
      AuthorizationRequest req,
      ExecutionView view,
      String grantId,
      Decision d,
      Pipeline.Result r,
      AuditSink sink) {
    String traceparent = req.traceparent();
    if (traceparent == null && view != null) {
      traceparent = view.trace().traceparent();
    }
    Decision.Deny deny = d instanceof Decision.Deny x ? x : null;
    return new AuditRecord(
        now,
        d.decisionId(),
        d.nodePath(),
        view == null ? null : view.principal(),
        view == null ? List.of() : view.delegators(),
        req.action(),
        req.resource(),
        deny == null,
        deny == null ? null : deny.reason(),
        deny == null ? "" : deny.detail(),
        d.determiningPolicies(),
        grantId,
        traceparent,
        // binds the record to the exact call without storing its data; absent: no arguments
        req.arguments().isEmpty() ? null : req.arguments().sha256(),
        // only a disagreement is kept: agreeing records stay as they always were
        r == null ? null : AuditRecord.Shadow.ifDisagreeing(r.policy(), r.shadow()),
        // copied only for a sink that keeps them (it redacts what it must)
        sink.keepsArguments() ? req.arguments() : null,
        // said by the caller, or the approval store's when the pipeline consumed one
        req.approval() != null ? req.approval() : r == null ? null : r.approval());
  }
}
