package io.execauthz;

import io.execauthz.spi.GrantSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The tool-server side of {@link Authorizer}: a token verified by the configured {@link
 * GrantSource} (and only by it), the request bound to the grant's node, the view's deadline, the
 * shared {@link Pipeline}, and the grant verified once more before a permit leaves, so that a
 * revocation recorded while the policy was evaluated wins. Thread-safe.
 */
final class GrantRequests {
  private final Authorizer authorizer;
  private final GrantSource grants;
  private final Pipeline pipeline;
  private final Audited audit;
  private final DecisionIds ids;

  GrantRequests(
      Authorizer authorizer,
      GrantSource grants,
      Pipeline pipeline,
      Audited audit,
      DecisionIds ids) {
    this.authorizer = authorizer;
    this.grants = grants;
    this.pipeline = pipeline;
    this.audit = audit;
    this.ids = ids;
  }

  /** Decides, spends and audits one request. */
  Decision decide(String token, AuthorizationRequest request) {
    return decideAll(token, List.of(request));
  }

  /** Decides without spending a budget or writing an audit record. */
  Decision check(String token, AuthorizationRequest request) {
    GrantSource.Result verified = verify(token);
    if (verified instanceof GrantSource.Rejected r) {
      return new Decision.Deny(
          ids.next(),
          r.reason(),
          r.detail(),
          r.view() == null ? List.of() : r.view().path(),
          List.of(),
          List.of());
    }
    GrantSource.Accepted grant = (GrantSource.Accepted) verified;
    AuthorizationRequest bound = bind(request, grant.view());
    if (bound == null) {
      return nodeMismatch(request, grant, false);
    }
    return evaluate(ids.next(), token, bound, grant.view(), authorizer.now(), false).decision();
  }

  /** Decides every request under one grant; spends only if all permit. */
  Decision decideAll(String token, List<AuthorizationRequest> requests) {
    long started = audit.start();
    requests = AllOrNothing.checked(requests);
    GrantSource.Result verified = verify(token);
    if (verified instanceof GrantSource.Rejected r) {
      return authorizer.refuse(requests.get(0), r.reason(), r.detail(), r.view(), r.grantId());
    }
    GrantSource.Accepted grant = (GrantSource.Accepted) verified;
    ExecutionView view = grant.view();
    List<AuthorizationRequest> bound = new ArrayList<>(requests.size());
    for (AuthorizationRequest r : requests) {
      AuthorizationRequest b = bind(r, view);
      if (b == null) {
        return nodeMismatch(r, grant, true);
      }
      bound.add(b);
    }
    Instant now = authorizer.now();
    Instant at = Decisions.orEpoch(now);
    List<AllOrNothing.Decided> done = new ArrayList<>(bound.size());
    for (AuthorizationRequest r : bound) {
      Pipeline.Result result = evaluate(ids.next(), token, r, view, now, true);
      done.add(new AllOrNothing.Decided(result, view));
      if (!(result.decision() instanceof Decision.Permit)) {
        return AllOrNothing.refused(audit, at, bound, done, pipeline, grant.grantId(), started);
      }
    }
    return AllOrNothing.permitted(audit, at, bound, done, pipeline, grant.grantId(), started);
  }

  /** The request on the grant's node (an empty node id means the grant's), or null if another. */
  private static AuthorizationRequest bind(AuthorizationRequest request, ExecutionView view) {
    if (request.nodeId().isEmpty()) {
      return request.onNode(view.nodeId());
    }
    return request.nodeId().equals(view.nodeId()) ? request : null;
  }

  private Decision nodeMismatch(
      AuthorizationRequest request, GrantSource.Accepted grant, boolean record) {
    String detail =
        "NODE: the request names node '"
            + Names.printable(request.nodeId())
            + "' but the grant is for node '"
            + grant.view().nodeId()
            + "'";
    if (record) {
      return authorizer.refuse(
          request, Reason.INVALID_GRANT, detail, grant.view(), grant.grantId());
    }
    return new Decision.Deny(
        ids.next(), Reason.INVALID_GRANT, detail, grant.view().path(), List.of(), List.of());
  }

  private Pipeline.Result evaluate(
      String id,
      String token,
      AuthorizationRequest request,
      ExecutionView view,
      Instant now,
      boolean spend) {
    Pipeline.Result r = Pipeline.Result.of(Decisions.clockFailed(id, view.path()));
    try {
      Decision expired = now == null ? null : Liveness.check(id, view, now);
      if (expired != null) {
        r = Pipeline.Result.of(expired);
      } else if (now != null) {
        r = pipeline.evaluate(id, request, Level.of(view), view, null, now, null, spend);
        // a revocation recorded while the policy was evaluated wins
        if (r.decision() instanceof Decision.Permit
            && verify(token) instanceof GrantSource.Rejected late) {
          pipeline.refund(r);
          r =
              r.with(
                  new Decision.Deny(
                      id, late.reason(), late.detail(), view.path(), List.of(), List.of()));
        }
      }
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      pipeline.refund(r);
      r = Pipeline.Result.of(Decisions.error(id, view.path(), e));
    }
    return r;
  }

  /** The grant source's verdict; never null, never throws. */
  private GrantSource.Result verify(String token) {
    if (grants == null) {
      return new GrantSource.Rejected(
          Reason.ERROR,
          "this authorizer has no grant source: build it with grantSource(...) to decide on grants",
          null,
          null);
    }
    try {
      return Objects.requireNonNull(grants.verify(token), "the grant source returned null");
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      return new GrantSource.Rejected(
          Reason.ERROR, "grant verification failed: " + e.getClass().getSimpleName(), null, null);
    }
  }
}
