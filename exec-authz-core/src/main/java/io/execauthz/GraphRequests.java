package io.execauthz;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-process side of {@link Authorizer}: the node looked up in the graph (or {@link
 * Reason#UNKNOWN_NODE}), its liveness, the shared {@link Pipeline} on its lineage and the graph's
 * claims, and liveness once more before a permit leaves, so that a revocation or completion that
 * landed while the policy was evaluated wins. Thread-safe.
 */
final class GraphRequests {
  private final Authorizer authorizer;
  private final ExecutionGraph graph;
  private final Pipeline pipeline;
  private final Audited audit;
  private final DecisionIds ids;

  GraphRequests(
      Authorizer authorizer,
      ExecutionGraph graph,
      Pipeline pipeline,
      Audited audit,
      DecisionIds ids) {
    this.authorizer = authorizer;
    this.graph = graph;
    this.pipeline = pipeline;
    this.audit = audit;
    this.ids = ids;
  }

  /** Decides, spends and audits one request. */
  Decision decide(AuthorizationRequest request) {
    long started = audit.start();
    Instant now = authorizer.now();
    AllOrNothing.Decided o = evaluate(ids.next(), request, now, true);
    return audit.record(Decisions.orEpoch(now), request, o.view(), null, o.result(), started);
  }

  /** Decides without spending a budget or writing an audit record. */
  Decision check(AuthorizationRequest request) {
    return evaluate(ids.next(), request, authorizer.now(), false).result().decision();
  }

  /** The checks {@link #check} makes, each with its outcome ({@link Explainer}). */
  Explanation explain(AuthorizationRequest request) {
    return Explainer.explain(ids.next(), graph, pipeline, request, authorizer.now());
  }

  /** The deny for a node id the graph does not know. */
  static Decision.Deny unknownNode(String id, String nodeId) {
    return Decisions.deny(
        id, Reason.UNKNOWN_NODE, "no execution node '" + Names.printable(nodeId) + "'", List.of());
  }

  /** Decides every request; spends only if all permit. */
  Decision decideAll(List<AuthorizationRequest> requests) {
    long started = audit.start();
    requests = AllOrNothing.checked(requests);
    Instant now = authorizer.now();
    List<AllOrNothing.Decided> done = new ArrayList<>(requests.size());
    for (AuthorizationRequest r : requests) {
      AllOrNothing.Decided o = evaluate(ids.next(), r, now, true);
      done.add(o);
      if (!(o.result().decision() instanceof Decision.Permit)) {
        return AllOrNothing.refused(
            audit, Decisions.orEpoch(now), requests, done, pipeline, null, started);
      }
    }
    return AllOrNothing.permitted(
        audit, Decisions.orEpoch(now), requests, done, pipeline, null, started);
  }

  /** Step 2: the node and its lineage live at {@code now}, or the deny saying which ended. */
  static Decision liveness(ExecutionGraph graph, String id, Node node, Instant now) {
    if (node.stateAt(now) == NodeState.HELD) {
      // a blocker may have passed its deadline: settled only if the graph's lock is free at once
      graph.heldState(node, now);
    }
    return Liveness.check(id, node, now);
  }

  private AllOrNothing.Decided evaluate(
      String id, AuthorizationRequest request, Instant now, boolean spend) {
    Node node = null;
    Pipeline.Result r;
    try {
      node = graph == null ? null : graph.get(request.nodeId());
      if (node == null) {
        r = Pipeline.Result.of(unknownNode(id, request.nodeId()));
      } else if (now == null) {
        r = Pipeline.Result.of(Decisions.clockFailed(id, node.path()));
      } else {
        r = decide(id, request, node, now, spend);
      }
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      r = Pipeline.Result.of(Decisions.error(id, node == null ? List.of() : node.path(), e));
    }
    return new AllOrNothing.Decided(r, node == null ? null : node.view());
  }

  private Pipeline.Result decide(
      String id, AuthorizationRequest request, Node node, Instant now, boolean spend) {
    Decision ended = liveness(graph, id, node, now);
    if (ended != null) {
      return Pipeline.Result.of(ended);
    }
    Pipeline.Result r =
        pipeline.evaluate(
            id, request, node.levels(), node.view(), node, now, graph.claims(), spend);
    if (r.decision() instanceof Decision.Permit) {
      // a revocation or completion that landed while the policy was evaluated wins
      Decision late = Liveness.check(id, node, now);
      if (late != null) {
        pipeline.refund(r);
        return r.with(late);
      }
    }
    return r;
  }
}
