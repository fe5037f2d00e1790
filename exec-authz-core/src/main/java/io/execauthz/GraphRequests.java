package io.execauthz;

import java.time.Instant;
import java.util.List;

/**
 * The in-process side of {@link Authorizer}: the node looked up in the graph (or {@link
 * Reason#UNKNOWN_NODE}), its liveness, the shared {@link Pipeline} on its lineage and the graph's
 * claims, and liveness once more before a permit leaves, so that a revocation or completion that
 * landed while the policy was evaluated wins. Takes no graph lock but on a held node. Thread-safe.
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

  Decision decide(AuthorizationRequest request) {
    String id = ids.next();
    Instant now = authorizer.now();
    Node node = null;
    Pipeline.Result r;
    try {
      node = graph == null ? null : graph.get(request.nodeId());
      r = Pipeline.Result.of(Decisions.clockFailed(id, node == null ? List.of() : node.path));
      if (node == null) {
        r =
            Pipeline.Result.of(
                Decisions.deny(
                    id,
                    Reason.UNKNOWN_NODE,
                    "no execution node '" + Names.printable(request.nodeId()) + "'",
                    List.of()));
      } else if (now != null) {
        r = decide(id, request, node, now);
      }
    } catch (Throwable e) {
      Decisions.rethrowIfFatal(e);
      r = Pipeline.Result.of(Decisions.error(id, node == null ? List.of() : node.path, e));
    }
    return audit.record(Authorizer.orEpoch(now), request, node == null ? null : node.view, null, r);
  }

  private Pipeline.Result decide(String id, AuthorizationRequest request, Node node, Instant now) {
    if (node.stateAt(now) == NodeState.HELD) {
      graph.sweep(); // a blocker may have expired since
    }
    Decision ended = Liveness.check(id, node, now);
    if (ended != null) {
      return Pipeline.Result.of(ended);
    }
    Pipeline.Result r =
        pipeline.evaluate(id, request, node.lineage, node.view, node, now, graph.claims());
    if (r.decision() instanceof Decision.Permit) {
      // a revocation or completion that landed while the policy was evaluated wins
      Decision late = Liveness.check(id, node, now);
      if (late != null) {
        pipeline.refund(r);
        return Pipeline.Result.of(late);
      }
    }
    return r;
  }
}
