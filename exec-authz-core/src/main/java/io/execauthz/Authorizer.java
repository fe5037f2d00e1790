package io.execauthz;

import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one decision pipeline every request goes through (ARCHITECTURE §3), in the order of CONTRACT
 * §2: node exists → liveness (held, cancelled, revoked, completed, expired) → capability gate →
 * claims → approval → budget → policy engine → audit. Any failure anywhere is a {@link
 * Decision.Deny} with {@link Reason#ERROR}, never a permit.
 *
 * <pre>{@code
 * Authorizer authorizer = Authorizer.newBuilder()
 *     .graph(graph)
 *     .policyEngine(PolicyEngine.permitAll())
 *     .auditSink(JsonLinesAuditSink.newBuilder(Path.of("audit.jsonl")).build())
 *     .build();
 * Decision d = authorizer.authorize(AuthorizationRequest.of("task-7", "tool.call", "tool:github/create_issue"));
 * }</pre>
 *
 * <p>Budgets ({@code maxCalls}) are consumed only by permitted calls, at every level whose covering
 * capability has one, so a budget on an ancestor is shared by its whole subtree. Approval is read
 * from the request. Requests with actions named {@code read} or ending in {@code .read} pass
 * through other nodes' claims.
 *
 * <p>Thread-safe; holds no static state, so several authorizers in one JVM never affect each other.
 */
public final class Authorizer {
  private static final System.Logger LOG = System.getLogger(Authorizer.class.getName());

  private final ExecutionGraph graph;
  private final PolicyEngine engine;
  private final AuditSink audit;
  private final String idPrefix;
  private final AtomicLong ids = new AtomicLong();

  private Authorizer(Builder b) {
    this.graph = b.graph;
    this.engine = b.engine;
    this.audit = b.audit == null ? AuditSink.discarding() : b.audit;
    this.idPrefix = String.format("%08x", graph.random().nextInt());
  }

  /** Starts configuring an authorizer; a graph and a policy engine are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The graph this authorizer decides on. */
  public ExecutionGraph graph() {
    return graph;
  }

  /** Shorthand for a request without arguments or approval. */
  public Decision authorize(String nodeId, String action, String resource) {
    return authorize(AuthorizationRequest.of(nodeId, action, resource));
  }

  /** Decides one request. Never throws (but for a null request) and never returns null. */
  public Decision authorize(AuthorizationRequest request) {
    Objects.requireNonNull(request, "request");
    String decisionId = idPrefix + "-" + Long.toHexString(ids.incrementAndGet());
    Instant now;
    try {
      now = graph.now();
    } catch (RuntimeException e) {
      now = Instant.EPOCH;
    }
    Node node = null;
    Decision d;
    AtomicLong[][] reserved = new AtomicLong[1][];
    try {
      node = graph.get(request.nodeId());
      d = decide(decisionId, request, node, now, reserved);
    } catch (Exception | StackOverflowError | LinkageError e) {
      d = error(decisionId, node, e);
    }
    if (d instanceof Decision.Permit) {
      try {
        audit.record(record(now, request, node, d));
      } catch (Exception | StackOverflowError | LinkageError e) {
        refund(reserved[0]);
        d = error(decisionId, node, new IllegalStateException("audit failed: " + e, e));
        recordDeny(now, request, node, d);
      }
    } else {
      recordDeny(now, request, node, d);
    }
    return d;
  }

  private void recordDeny(Instant now, AuthorizationRequest request, Node node, Decision d) {
    try {
      audit.record(record(now, request, node, d));
    } catch (Exception | StackOverflowError | LinkageError e) {
      LOG.log(System.Logger.Level.ERROR, "audit sink failed to record deny " + d.decisionId(), e);
    }
  }

  /**
   * Steps 1–6 of the pipeline. On a permit, {@code reserved[0]} holds the budget counters it
   * consumed, so a failed audit can refund them.
   */
  private Decision decide(
      String id, AuthorizationRequest req, Node node, Instant now, AtomicLong[][] reserved) {
    if (node == null) {
      return deny(id, Reason.UNKNOWN_NODE, "no execution node '" + req.nodeId() + "'", null);
    }
    NodeState state = node.stateAt(now);
    if (state == NodeState.HELD) {
      graph.sweep(); // a blocker may have expired since
      state = node.stateAt(now);
    }
    switch (state) {
      case ACTIVE:
        break;
      case HELD:
        return deny(id, Reason.HELD, "node '" + node.id + "' waits for a conflicting claim", node);
      case CANCELLED:
        return deny(id, Reason.CANCELLED, "node '" + node.id + "' was cancelled while held", node);
      case REVOKED:
        return deny(id, Reason.REVOKED, endedBy(node, NodeState.REVOKED) + " was revoked", node);
      case COMPLETED:
        return deny(id, Reason.COMPLETED, endedBy(node, NodeState.COMPLETED) + " completed", node);
      case EXPIRED:
        return deny(
            id,
            Reason.EXPIRED,
            "node '" + node.id + "' expired at " + node.deadline + " (now " + now + ")",
            node);
    }

    String action = req.action();
    ResourcePattern resource;
    try {
      Resource.checkAction(action);
      resource = Resource.parse(req.resource());
    } catch (CapabilitySyntaxException e) {
      return deny(id, Reason.ERROR, "malformed request: " + e.getMessage(), node);
    }

    // capability gate: the node's capabilities that match and have not ended
    List<Capability> covering = new ArrayList<>(2);
    int[] coveringIdx = new int[node.caps.length];
    for (int i = 0; i < node.caps.length; i++) {
      Capability c = node.caps[i];
      if (c.matches(action, resource) && c.isValidAt(now)) {
        coveringIdx[covering.size()] = i;
        covering.add(c);
      }
    }
    if (covering.isEmpty()) {
      return deny(
          id,
          Reason.OUT_OF_SCOPE,
          "no capability of node '" + node.id + "' covers " + action + " on " + req.resource(),
          node);
    }

    // claims held elsewhere
    if (!isRead(action)) {
      Instant t = now;
      for (ExecutionGraph.Claim c : graph.claims()) {
        Node h = c.holder();
        if (c.pattern().covers(resource)
            && !node.hasInLineage(h)
            && h.stateAt(t) == NodeState.ACTIVE) {
          return deny(
              id,
              Reason.CLAIMED,
              req.resource() + " lies in claim " + c.pattern() + " held by node '" + h.id + "'",
              node);
        }
      }
    }

    // approval: a covering capability that needs none, or an approved request
    boolean[] usable = new boolean[node.caps.length];
    boolean anyUsable = false;
    for (int k = 0; k < covering.size(); k++) {
      if (req.approved() || !covering.get(k).requiresApproval()) {
        usable[coveringIdx[k]] = true;
        anyUsable = true;
      }
    }
    if (!anyUsable) {
      return deny(
          id,
          Reason.APPROVAL_REQUIRED,
          "'" + covering.get(0) + "' needs approval for " + action + " on " + req.resource(),
          node);
    }

    // budgets at every level
    AtomicLong[] plan = new AtomicLong[node.lineage.length];
    String exhausted = planBudgets(node, usable, action, resource, now, plan);
    if (exhausted != null) {
      return deny(id, Reason.BUDGET_EXHAUSTED, exhausted, node);
    }

    // policy
    PolicyDecision pd =
        engine.evaluate(
            new PolicyRequest(node.view, action, req.resource(), req.args(), req.approved(), now));
    if (pd == null) {
      return new Decision.Deny(
          id,
          Reason.ERROR,
          "policy engine returned no decision",
          node.path,
          List.of(),
          List.of("null decision"));
    }
    if (!pd.errors().isEmpty()) {
      return new Decision.Deny(
          id,
          Reason.ERROR,
          "policy evaluation failed: " + pd.errors().get(0),
          node.path,
          pd.determiningPolicies(),
          pd.errors());
    }
    if (!pd.permitted()) {
      return new Decision.Deny(
          id,
          Reason.POLICY,
          pd.determiningPolicies().isEmpty()
              ? "no policy permits " + action + " on " + req.resource()
              : "denied by " + String.join(", ", pd.determiningPolicies()),
          node.path,
          pd.determiningPolicies(),
          List.of());
    }

    if (!reserve(plan)) {
      return deny(
          id,
          Reason.BUDGET_EXHAUSTED,
          "the budget for " + action + " on " + req.resource() + " ran out",
          node);
    }
    reserved[0] = plan;
    return new Decision.Permit(id, node.path, pd.determiningPolicies());
  }

  /**
   * Picks, at each level of the lineage, the budget counter a permit would consume (null where an
   * unbudgeted capability covers the request). Returns a detail if some level is exhausted.
   */
  private static String planBudgets(
      Node node,
      boolean[] usable,
      String action,
      ResourcePattern resource,
      Instant now,
      AtomicLong[] plan) {
    for (int level = 0; level < node.lineage.length; level++) {
      Node n = node.lineage[level];
      boolean found = false;
      boolean free = false;
      AtomicLong pick = null;
      Capability spent = null;
      for (int i = 0; i < n.caps.length && !free; i++) {
        Capability c = n.caps[i];
        boolean candidate =
            level == 0 ? usable[i] : c.matches(action, resource) && c.isValidAt(now);
        if (!candidate) {
          continue;
        }
        found = true;
        AtomicLong b = n.budgets[i];
        if (b == null) {
          free = true;
        } else if (pick == null && b.get() > 0) {
          pick = b;
        } else if (spent == null) {
          spent = c;
        }
      }
      if (!found) {
        return "no capability of ancestor '" + n.id + "' covers " + action + " on " + resource;
      }
      if (free) {
        continue;
      }
      if (pick == null) {
        return "the budget of '" + spent + "' on node '" + n.id + "' is used up";
      }
      plan[level] = pick;
    }
    return null;
  }

  private static boolean reserve(AtomicLong[] plan) {
    for (int i = 0; i < plan.length; i++) {
      AtomicLong b = plan[i];
      if (b == null) {
        continue;
      }
      long v;
      do {
        v = b.get();
        if (v <= 0) {
          for (int j = 0; j < i; j++) {
            if (plan[j] != null) {
              plan[j].incrementAndGet();
            }
          }
          return false;
        }
      } while (!b.compareAndSet(v, v - 1));
    }
    return true;
  }

  private static void refund(AtomicLong[] plan) {
    if (plan != null) {
      for (AtomicLong b : plan) {
        if (b != null) {
          b.incrementAndGet();
        }
      }
    }
  }

  private static boolean isRead(String action) {
    return action.equals("read") || action.endsWith(".read");
  }

  private static String endedBy(Node node, NodeState state) {
    for (Node n : node.lineage) {
      if (n.own == state) {
        String why =
            state == NodeState.REVOKED && n.endReason != null ? " (" + n.endReason + ")" : "";
        return (n == node ? "node '" : "ancestor '") + n.id + "'" + why;
      }
    }
    return "node '" + node.id + "'";
  }

  private static Decision deny(String id, Reason reason, String detail, Node node) {
    return new Decision.Deny(
        id, reason, detail, node == null ? List.of() : node.path, List.of(), List.of());
  }

  private static Decision error(String id, Node node, Throwable e) {
    String msg =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return new Decision.Deny(
        id,
        Reason.ERROR,
        "evaluation failed: " + msg,
        node == null ? List.of() : node.path,
        List.of(),
        List.of(msg));
  }

  private static AuditRecord record(Instant now, AuthorizationRequest req, Node node, Decision d) {
    String traceparent = req.traceparent();
    if (traceparent == null && node != null) {
      traceparent = node.trace.traceparent();
    }
    Decision.Deny deny = d instanceof Decision.Deny x ? x : null;
    return new AuditRecord(
        now,
        d.decisionId(),
        d.nodePath(),
        node == null ? null : node.principal,
        node == null ? List.of() : node.delegators,
        req.action(),
        req.resource(),
        deny == null,
        deny == null ? null : deny.reason(),
        deny == null ? "" : deny.detail(),
        d.determiningPolicies(),
        null,
        traceparent);
  }

  /** Configures an {@link Authorizer}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private ExecutionGraph graph;
    private PolicyEngine engine;
    private AuditSink audit;

    private Builder() {}

    private static void once(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /** The execution graph to decide on (required). */
    public Builder graph(ExecutionGraph graph) {
      once(this.graph, "graph");
      this.graph = Objects.requireNonNull(graph, "graph");
      return this;
    }

    /**
     * The policy engine consulted inside the graph's ceiling (required; {@link
     * PolicyEngine#permitAll()} to rely on the graph alone).
     */
    public Builder policyEngine(PolicyEngine engine) {
      once(this.engine, "policyEngine");
      this.engine = Objects.requireNonNull(engine, "policyEngine");
      return this;
    }

    /** Where every decision is recorded; records are dropped by default. */
    public Builder auditSink(AuditSink sink) {
      once(this.audit, "auditSink");
      this.audit = Objects.requireNonNull(sink, "auditSink");
      return this;
    }

    /**
     * @throws IllegalStateException if the graph or the policy engine is missing
     */
    public Authorizer build() {
      if (graph == null) {
        throw new IllegalStateException("graph is required");
      }
      if (engine == null) {
        throw new IllegalStateException(
            "policyEngine is required (PolicyEngine.permitAll() to rely on the graph alone)");
      }
      return new Authorizer(this);
    }
  }
}
