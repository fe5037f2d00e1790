package io.execauthz;

import io.execauthz.spi.AuditSink;
import io.execauthz.spi.BudgetLedger;
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
 * <p>The steps are small types of their own — {@code Liveness}, the pure {@code CapabilityGate},
 * {@code ClaimsCheck}, {@code BudgetPlan} with the {@link BudgetLedger}, {@code PolicyStep} —
 * composed by {@code Pipeline}, with the decision cache inside it and auditing ({@code Audited})
 * around it. This class only hands a request to the graph's side ({@code GraphRequests}) or the
 * grant's ({@code GrantRequests}).
 *
 * <p>Thread-safe; holds no static state, so several authorizers in one JVM never affect each other.
 */
public final class Authorizer {
  private final ExecutionGraph graph;
  private final InstantSource clock;
  private final DecisionCache cache;
  private final Pipeline pipeline;
  private final Audited audit;
  private final DecisionIds ids = new DecisionIds();
  private final GrantRequests grantRequests;
  private final GraphRequests graphRequests;

  private Authorizer(Builder b) {
    this.graph = b.graph;
    this.clock =
        graph != null
            ? graph.clock()
            : new MonotonicClock(b.clock == null ? InstantSource.system() : b.clock);
    BudgetLedger ledger =
        graph != null
            ? graph.budgetLedger()
            : b.ledger == null ? BudgetLedger.inMemory(clock) : b.ledger;
    this.cache = new DecisionCache(b.cacheSize == null ? 10_000 : b.cacheSize, !b.admitAll);
    this.pipeline =
        new Pipeline(
            b.engine, cache, ledger, b.schemes == null ? ResourceSchemes.defaults() : b.schemes);
    this.audit = new Audited(b.audit == null ? AuditSink.discarding() : b.audit, ledger);
    this.grantRequests = new GrantRequests(this, b.grants, pipeline, audit, ids);
    this.graphRequests = new GraphRequests(this, graph, pipeline, audit, ids);
  }

  /** Starts configuring an authorizer; a policy engine is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** How the decision cache has done so far. */
  public CacheStats cacheStats() {
    return cache.stats();
  }

  /**
   * The graph this authorizer decides on.
   *
   * @throws IllegalStateException if it was built without one (a tool server's authorizer)
   */
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
    Objects.requireNonNull(request, "request");
    return graphRequests.decide(request);
  }

  /**
   * Decides a request made under a grant: the tool-server side. The grant is verified by the
   * authorizer's {@link Builder#grantSource grant source} (signature, time, revocation), the
   * execution view rebuilt from it, then the rest of the same pipeline runs — deadline, capability
   * gate, approval, budget (drawn from the same ledger counters as the node's, however many grants
   * carry it), policy engine, audit. Claims are the graph's business and are not checked here.
   *
   * <p>A request whose node id is empty acts as the grant's node; any other node id must be the
   * grant's ({@link Reason#INVALID_GRANT} otherwise). Never throws (but for a null request) and
   * never returns null.
   *
   * @param token the grant as presented (may be null or malformed: a deny)
   */
  public Decision authorize(String token, AuthorizationRequest request) {
    Objects.requireNonNull(request, "request");
    return grantRequests.decide(token, request);
  }

  /**
   * Whether a request would be permitted, with no side effect: no budget is checked or spent and no
   * audit record is written (for listing what a node may call, never for acting). Liveness,
   * capabilities, claims, approval and policies are decided as {@link #authorize} does.
   */
  public Decision check(AuthorizationRequest request) {
    Objects.requireNonNull(request, "request");
    return graphRequests.check(request);
  }

  /** {@link #check(AuthorizationRequest)} under a grant. */
  public Decision check(String token, AuthorizationRequest request) {
    Objects.requireNonNull(request, "request");
    return grantRequests.check(token, request);
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
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    Decision.Deny d =
        new Decision.Deny(
            ids.next(),
            reason,
            detail,
            view == null ? List.of() : view.path(),
            List.of(),
            List.of());
    audit.recordDeny(orEpoch(now()), request, view, grantId, d);
    return d;
  }

  /** The clock's instant, or null when the clock failed (the request is then denied). */
  Instant now() {
    return Decisions.now(clock);
  }

  static Instant orEpoch(Instant now) {
    return now == null ? Instant.EPOCH : now;
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

    private Builder() {}

    /** Tests only: the cache keeps every answer at once, not from a request's second sighting. */
    Builder admitEveryAnswer() {
      this.admitAll = true;
      return this;
    }

    /**
     * The execution graph to decide on. Without one, only {@link #authorize(ExecutionView,
     * AuthorizationRequest, String)} can permit (a tool server's authorizer).
     */
    public Builder graph(ExecutionGraph graph) {
      SetOnce.once(this.graph, "graph");
      if (ledger != null) {
        throw new IllegalStateException(
            "graph conflicts with budgetLedger: an authorizer with a graph uses the graph's ledger");
      }
      if (clock != null) {
        throw new IllegalStateException(
            "graph conflicts with clock: an authorizer with a graph uses the graph's clock");
      }
      this.graph = Objects.requireNonNull(graph, "graph");
      return this;
    }

    /**
     * The most entries the fast-path decision cache keeps; 10,000 by default, 0 to turn it off. It
     * is transparent: with it on, every decision equals the one made without it.
     */
    public Builder decisionCache(int maximumSize) {
      SetOnce.once(this.cacheSize, "decisionCache");
      if (maximumSize < 0) {
        throw new IllegalArgumentException("decisionCache must be >= 0, was " + maximumSize);
      }
      this.cacheSize = maximumSize;
      return this;
    }

    /**
     * Where an authorizer without a graph counts {@code maxCalls} budgets; in its own memory by
     * default. Give the orchestrator graph's ledger (or a shared one) so that a node's budget binds
     * however many grants carry it. An authorizer with a graph uses the graph's.
     */
    public Builder budgetLedger(BudgetLedger ledger) {
      SetOnce.once(this.ledger, "budgetLedger");
      if (graph != null) {
        throw new IllegalStateException(
            "budgetLedger conflicts with graph: an authorizer with a graph uses the graph's ledger");
      }
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
     * How requested resources are brought to their canonical form before they are matched,
     * claim-checked, cached and sent to the policy engine ({@link ResourceSchemes#defaults()} by
     * default). A resource without a canonical form is denied ({@link Reason#ERROR}); a tool must
     * act on exactly the canonical text it was authorized for.
     */
    public Builder resourceSchemes(ResourceSchemes schemes) {
      SetOnce.once(this.schemes, "resourceSchemes");
      this.schemes = Objects.requireNonNull(schemes, "resourceSchemes");
      return this;
    }

    /** The clock of an authorizer without a graph; the system clock by default. */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      if (graph != null) {
        throw new IllegalStateException(
            "clock conflicts with graph: an authorizer with a graph uses the graph's clock");
      }
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

    /**
     * @throws IllegalStateException if the policy engine is missing
     */
    public Authorizer build() {
      if (engine == null) {
        throw new IllegalStateException(
            "policyEngine is required (PolicyEngine.permitAll() to rely on the graph alone)");
      }
      return new Authorizer(this);
    }
  }
}
