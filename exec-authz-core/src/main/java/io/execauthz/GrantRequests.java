package io.execauthz;

import io.execauthz.spi.GrantSource;
import java.time.Instant;
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

  Decision decide(String token, AuthorizationRequest request) {
    GrantSource.Result verified = verify(token);
    if (verified instanceof GrantSource.Rejected r) {
      return authorizer.refuse(request, r.reason(), r.detail(), r.view(), r.grantId());
    }
    GrantSource.Accepted grant = (GrantSource.Accepted) verified;
    ExecutionView view = grant.view();
    if (request.nodeId().isEmpty()) {
      request = request.onNode(view.nodeId());
    } else if (!request.nodeId().equals(view.nodeId())) {
      return authorizer.refuse(
          request,
          Reason.INVALID_GRANT,
          "NODE: the request names node '"
              + Names.printable(request.nodeId())
              + "' but the grant is for node '"
              + view.nodeId()
              + "'",
          view,
          grant.grantId());
    }
    String id = ids.next();
    Instant now = authorizer.now();
    Pipeline.Result r = Pipeline.Result.of(Decisions.clockFailed(id, view.path()));
    try {
      Decision expired = now == null ? null : Liveness.check(id, view, now);
      if (expired != null) {
        r = Pipeline.Result.of(expired);
      } else if (now != null) {
        r = pipeline.evaluate(id, request, Level.of(view), view, null, now, null);
        // a revocation recorded while the policy was evaluated wins
        if (r.decision() instanceof Decision.Permit
            && verify(token) instanceof GrantSource.Rejected late) {
          pipeline.refund(r);
          r =
              Pipeline.Result.of(
                  new Decision.Deny(
                      id, late.reason(), late.detail(), view.path(), List.of(), List.of()));
        }
      }
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      pipeline.refund(r);
      r = Pipeline.Result.of(Decisions.error(id, view.path(), e));
    }
    return audit.record(Authorizer.orEpoch(now), request, view, grant.grantId(), r);
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
