package io.execauthz;

import io.execauthz.capability.ResourceSchemes;
import io.execauthz.spi.ApprovalStore;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.DecisionObserver;
import io.execauthz.spi.GrantSource;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.SetOnce;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;

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
 * <p>Each step is a small type of its own, composed by {@code Pipeline} (docs/architecture.md);
 * this class hands a request to the graph's side or the grant's.
 *
 * <p>Thread-safe; holds no static state, so several authorizers in one JVM never affect each other.
 */
public final class Authorizer {
  private final ExecutionGraph graph;
  private final InstantSource clock;
  private final Pipeline pipeline;
  private final Audited audit;
  private final DecisionIds ids = new DecisionIds();
  private final GrantRequests grantRequests;
  private final GraphRequests graphRequests;

  private Authorizer(Builder b) {
    this.graph = b.graph;
    this.clock =
        graph != null ? graph.clock() : new MonotonicClock(or(b.clock, InstantSource.system()));
    BudgetLedger ledger = graph != null ? graph.budgetLedger() : b.ledger;
    ledger = ledger != null ? ledger : BudgetLedger.inMemory(clock);
    DecisionCache cache = new DecisionCache(or(b.cacheSize, 10_000), !b.admitAll);
    this.pipeline = new Pipeline(b.engine, cache, ledger, b.schemes, b.shadow, b.approvals, clock);
    this.audit = new Audited(or(b.audit, AuditSink.discarding()), ledger, b.observers);
    this.grantRequests = new GrantRequests(this, b.grants, pipeline, audit, ids);
    this.graphRequests = new GraphRequests(this, graph, pipeline, audit, ids);
  }

  /** Starts configuring an authorizer; a policy engine is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** How the decision cache has done so far. */
  public CacheStats cacheStats() {
    return pipeline.cacheStats();
  }

  /** The graph decided on; {@link IllegalStateException} for a tool server's (none). */
  public ExecutionGraph graph() {
    if (graph == null) {
      throw new IllegalStateException("this authorizer was built without an execution graph");
    }
    return graph;
  }

  /** Shorthand for a request without arguments or approval. */
  public Decision authorize(String nodeId, String action, String resource) {
    return authorize(AuthorizationRequest.of(nodeId, action, resource));
  }

  /**
   * Decides one request on a node of the graph. Never throws (but for a null request) and never
   * returns null.
   */
  public Decision authorize(AuthorizationRequest request) {
    return graphRequests.decide(Objects.requireNonNull(request, "request"));
  }

  /**
   * Decides a request made under a grant (the tool-server side): verified by the authorizer's
   * {@link Builder#grantSource grant source} (signature, time, revocation), then the same pipeline
   * — deadline, capability gate, approval, budget (the node's own ledger counters, however many
   * grants carry it), policy engine, audit; claims are the graph's business. A request with an
   * empty node id acts as the grant's node; any other must be the grant's ({@link
   * Reason#INVALID_GRANT} otherwise). Never throws (but for a null request) or returns null.
   *
   * @param token the grant as presented (may be null or malformed: a deny)
   */
  public Decision authorize(String token, AuthorizationRequest request) {
    return grantRequests.decide(token, Objects.requireNonNull(request, "request"));
  }

  /**
   * Whether a request would be permitted, with no side effect: no budget is checked or spent and no
   * audit record is written (for listing what a node may call, never for acting). Liveness,
   * capabilities, claims, approval and policies are decided as {@link #authorize} does.
   */
  public Decision check(AuthorizationRequest request) {
    return graphRequests.check(Objects.requireNonNull(request, "request"));
  }

  /** Why {@link #check} decides as it does: each check in order with its outcome; no effects. */
  public Explanation explain(AuthorizationRequest request) {
    return graphRequests.explain(Objects.requireNonNull(request, "request"));
  }

  /** {@link #check(AuthorizationRequest)} under a grant. */
  public Decision check(String token, AuthorizationRequest request) {
    return grantRequests.check(token, Objects.requireNonNull(request, "request"));
  }

  /**
   * The checks of one call decided together (the tool, then the resources in its arguments):
   * permitted only if every one permits, and no budget is spent unless all do. Each check is
   * audited. Returns the first check's permit, or the refusal of the first check that refused.
   *
   * @throws IllegalArgumentException for an empty list: nothing is never permitted
   */
  public Decision authorizeAll(List<AuthorizationRequest> requests) {
    return graphRequests.decideAll(requests);
  }

  /** {@link #authorizeAll(List)} under a grant, verified once for the whole call. */
  public Decision authorizeAll(String token, List<AuthorizationRequest> requests) {
    return grantRequests.decideAll(token, requests);
  }

  /**
   * Records and returns a deny decided before the pipeline could run — a grant that failed
   * verification, or was revoked — so that every refusal is audited like any other.
   *
   * @param view what is known of the execution, or {@code null}
   * @param grantId the grant's {@code jti} if known, or {@code null}
   */
  public Decision.Deny refuse(
      AuthorizationRequest request,
      Reason reason,
      String detail,
      ExecutionView view,
      String grantId) {
    return audit.refuse(
        ids.next(), Decisions.orEpoch(now()), request, reason, detail, view, grantId);
  }

  /** The clock's instant, or null when the clock failed (the request is then denied). */
  Instant now() {
    return Decisions.now(clock);
  }

  private static <T> T or(T value, T otherwise) {
    return value != null ? value : otherwise;
  }

  /** Configures an {@link Authorizer}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private ExecutionGraph graph;
    private PolicyEngine engine;
    private AuditSink audit;
    private InstantSource clock;
    private Integer cacheSize;
    private BudgetLedger ledger;
    private GrantSource grants;
    private boolean admitAll;
    private ResourceSchemes schemes;
    private PolicyEngine shadow;
    private ApprovalStore approvals;
    private final List<DecisionObserver> observers = new java.util.ArrayList<>();

    private Builder() {}

    /** Adds an observer told of every final decision (metrics, tracing); it never changes one. */
    public Builder observer(DecisionObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /** A candidate engine asked beside the enforcing one; observers see both; it never decides. */
    public Builder shadowPolicyEngine(PolicyEngine shadow) {
      SetOnce.once(this.shadow, "shadowPolicyEngine");
      this.shadow = Objects.requireNonNull(shadow, "shadowPolicyEngine");
      return this;
    }

    /** Where one-time approvals wait (default: an empty {@link ApprovalStore#inMemory}). */
    public Builder approvalStore(ApprovalStore store) {
      SetOnce.once(this.approvals, "approvalStore");
      this.approvals = Objects.requireNonNull(store, "approvalStore");
      return this;
    }

    /** Tests only: the cache keeps every answer at once, not from a request's second sighting. */
    Builder admitEveryAnswer() {
      this.admitAll = true;
      return this;
    }

    /** The graph to decide on; without one, only grants can permit (a tool server). */
    public Builder graph(ExecutionGraph graph) {
      SetOnce.once(this.graph, "graph");
      conflict(ledger, "graph", "budgetLedger", "ledger");
      conflict(clock, "graph", "clock", "clock");
      this.graph = Objects.requireNonNull(graph, "graph");
      return this;
    }

    /** The decision cache's entries: 10,000 by default, 0 turns it off; always transparent. */
    public Builder decisionCache(int maximumSize) {
      SetOnce.once(this.cacheSize, "decisionCache");
      if (maximumSize < 0) {
        throw new IllegalArgumentException("decisionCache must be >= 0, was " + maximumSize);
      }
      this.cacheSize = maximumSize;
      return this;
    }

    /**
     * Where a graph-less authorizer counts budgets (its own memory by default): give it the graph's
     * or a shared ledger so that a node's budget binds however many grants carry it.
     */
    public Builder budgetLedger(BudgetLedger ledger) {
      SetOnce.once(this.ledger, "budgetLedger");
      conflict(graph, "budgetLedger", "graph", "ledger");
      this.ledger = Objects.requireNonNull(ledger, "budgetLedger");
      return this;
    }

    /**
     * The verifier of grants for {@link Authorizer#authorize(String, AuthorizationRequest)}: the
     * only source of execution views this authorizer did not build from its graph.
     */
    public Builder grantSource(GrantSource grants) {
      SetOnce.once(this.grants, "grantSource");
      this.grants = Objects.requireNonNull(grants, "grantSource");
      return this;
    }

    /**
     * The canonical forms requests are matched, checked, cached and sent to policies in ({@link
     * ResourceSchemes#defaults()}); a resource without one is denied {@link Reason#ERROR}.
     */
    public Builder resourceSchemes(ResourceSchemes schemes) {
      SetOnce.once(this.schemes, "resourceSchemes");
      this.schemes = Objects.requireNonNull(schemes, "resourceSchemes");
      return this;
    }

    /** The clock of an authorizer without a graph; the system clock by default. */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      conflict(graph, "clock", "graph", "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The policy engine consulted inside the graph's ceiling (required; {@link
     * PolicyEngine#permitAll()} to rely on the graph alone).
     */
    public Builder policyEngine(PolicyEngine engine) {
      SetOnce.once(this.engine, "policyEngine");
      this.engine = Objects.requireNonNull(engine, "policyEngine");
      return this;
    }

    /** Where every decision is recorded; records are dropped by default. */
    public Builder auditSink(AuditSink sink) {
      SetOnce.once(this.audit, "auditSink");
      this.audit = Objects.requireNonNull(sink, "auditSink");
      return this;
    }

    private static void conflict(Object set, String option, String other, String what) {
      if (set != null) {
        throw new IllegalStateException(
            option + " conflicts with " + other + ": an authorizer with a graph uses its " + what);
      }
    }

    /** Builds it; {@link IllegalStateException} when the policy engine is missing. */
    public Authorizer build() {
      if (engine == null) {
        throw new IllegalStateException(
            "policyEngine is required (PolicyEngine.permitAll() to rely on the graph alone)");
      }
      return new Authorizer(this);
    }
  }
}
