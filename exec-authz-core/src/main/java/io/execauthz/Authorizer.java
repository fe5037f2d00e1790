package io.execauthz;

import io.execauthz.spi.AuditSink;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import io.execauthz.spi.GrantSource;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
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
  private final DecisionCache cache;
  private final String idPrefix;
  // decision ids are handed out in blocks per thread, so threads do not contend on one counter
  private static final int ID_BLOCK = 1024;
  private final AtomicLong ids = new AtomicLong();
  private final ThreadLocal<long[]> idBlock = ThreadLocal.withInitial(() -> new long[] {0, 0});

  private final InstantSource clock;
  private final BudgetLedger ledger;
  private final GrantSource grants;

  /** The budget counters a permit spent, so that a later refusal can give them back. */
  private static final class Spent {
    List<Budget> budgets = List.of();
  }

  private Authorizer(Builder b) {
    this.graph = b.graph;
    this.engine = b.engine;
    this.audit = b.audit == null ? AuditSink.discarding() : b.audit;
    this.cache = new DecisionCache(b.cacheSize == null ? 10_000 : b.cacheSize);
    this.clock =
        graph != null
            ? graph.clock()
            : new MonotonicClock(b.clock == null ? InstantSource.system() : b.clock);
    this.ledger =
        graph != null
            ? graph.budgetLedger()
            : b.ledger == null ? BudgetLedger.inMemory(clock) : b.ledger;
    this.grants = b.grants;
    this.idPrefix = String.format("%08x", new SecureRandom().nextInt());
  }

  /** How the decision cache has done so far. */
  public CacheStats cacheStats() {
    return cache.stats();
  }

  /** Starts configuring an authorizer; a policy engine is required. */
  public static Builder newBuilder() {
    return new Builder();
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
    String decisionId = nextId();
    Instant now = now();
    Node node = null;
    Decision d;
    Spent reserved = new Spent();
    try {
      node = graph == null ? null : graph.get(request.nodeId());
      d =
          now == null
              ? clockFailed(decisionId, node == null ? List.of() : node.path())
              : decide(decisionId, request, node, now, reserved);
      if (d instanceof Decision.Permit && node != null) {
        // a revocation or completion that landed while the policy was evaluated wins
        Decision late = liveness(decisionId, node, now);
        if (late != null) {
          refund(reserved);
          d = late;
        }
      }
    } catch (Throwable e) {
      rethrowIfFatal(e);
      d = error(decisionId, node == null ? List.of() : node.path(), e);
    }
    return audited(
        now == null ? Instant.EPOCH : now,
        request,
        node == null ? null : node.view(),
        null,
        d,
        reserved);
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
    if (grants == null) {
      return refuse(
          request,
          Reason.ERROR,
          "this authorizer has no grant source: build it with grantSource(...) to decide on grants",
          null,
          null);
    }
    GrantSource.Result verified;
    try {
      verified = Objects.requireNonNull(grants.verify(token), "the grant source returned null");
    } catch (Throwable e) {
      rethrowIfFatal(e);
      return refuse(
          request,
          Reason.ERROR,
          "grant verification failed: " + e.getClass().getSimpleName(),
          null,
          null);
    }
    if (verified instanceof GrantSource.Rejected r) {
      return refuse(request, r.reason(), r.detail(), r.view(), r.grantId());
    }
    GrantSource.Accepted grant = (GrantSource.Accepted) verified;
    ExecutionView view = grant.view();
    if (request.nodeId().isEmpty()) {
      request = request.onNode(view.nodeId());
    } else if (!request.nodeId().equals(view.nodeId())) {
      return refuse(
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
    String decisionId = nextId();
    Instant now = now();
    Decision d;
    Spent reserved = new Spent();
    try {
      if (now == null) {
        d = clockFailed(decisionId, view.path());
      } else if (!now.isBefore(view.deadline())) {
        d =
            deny(
                decisionId,
                Reason.EXPIRED,
                "node '" + view.nodeId() + "' expired at " + view.deadline() + " (now " + now + ")",
                view.path());
      } else {
        d = evaluate(decisionId, request, Level.of(view), view, null, now, reserved);
        if (d instanceof Decision.Permit) {
          // a revocation recorded while the policy was evaluated wins
          GrantSource.Result again = grants.verify(token);
          if (again instanceof GrantSource.Rejected r) {
            refund(reserved);
            d =
                new Decision.Deny(
                    decisionId, r.reason(), r.detail(), view.path(), List.of(), List.of());
          }
        }
      }
    } catch (Throwable e) {
      rethrowIfFatal(e);
      refund(reserved);
      d = error(decisionId, view.path(), e);
    }
    return audited(now == null ? Instant.EPOCH : now, request, view, grant.grantId(), d, reserved);
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
            nextId(), reason, detail, view == null ? List.of() : view.path(), List.of(), List.of());
    Instant now = now();
    recordDeny(now == null ? Instant.EPOCH : now, request, view, grantId, d);
    return d;
  }

  private String nextId() {
    long[] block = idBlock.get(); // {next, end}
    if (block[0] == block[1]) {
      block[1] = ids.addAndGet(ID_BLOCK) + 1;
      block[0] = block[1] - ID_BLOCK;
    }
    return idPrefix + "-" + Long.toHexString(block[0]++);
  }

  /** The clock's instant, or null when the clock failed (the request is then denied). */
  private Instant now() {
    try {
      return Objects.requireNonNull(clock.instant(), "the clock returned null");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "authorizer clock failed", e);
      return null;
    }
  }

  private static Decision clockFailed(String id, List<String> path) {
    return new Decision.Deny(
        id,
        Reason.ERROR,
        "the clock failed: no decision can be made without the time",
        path,
        List.of(),
        List.of("clock failure"));
  }

  /** Audits a decision; a permit that cannot be audited becomes a deny, its budget refunded. */
  private Decision audited(
      Instant now,
      AuthorizationRequest request,
      ExecutionView view,
      String grantId,
      Decision d,
      Spent reserved) {
    if (d instanceof Decision.Permit) {
      if (audit == AuditSink.discarding()) {
        return d; // nothing is kept, so nothing is built
      }
      try {
        audit.record(record(now, request, view, grantId, d));
        return d;
      } catch (Throwable e) {
        rethrowIfFatal(e);
        refund(reserved);
        d = error(d.decisionId(), d.nodePath(), new IllegalStateException("audit failed: " + e, e));
      }
    }
    recordDeny(now, request, view, grantId, d);
    return d;
  }

  private void recordDeny(
      Instant now, AuthorizationRequest request, ExecutionView view, String grantId, Decision d) {
    if (audit == AuditSink.discarding()) {
      return;
    }
    try {
      audit.record(record(now, request, view, grantId, d));
    } catch (Throwable e) {
      rethrowIfFatal(e);
      LOG.log(System.Logger.Level.ERROR, "audit sink failed to record deny " + d.decisionId(), e);
    }
  }

  /**
   * Lets the JVM's own failures (out of memory, an internal error) propagate; everything else, a
   * stack overflow in a policy engine included, becomes a deny.
   */
  private static void rethrowIfFatal(Throwable e) {
    if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
      throw (VirtualMachineError) e;
    }
  }

  /**
   * Steps 1–6 of the pipeline. On a permit, {@code reserved[0]} holds the budget counters it
   * consumed, so a failed audit can refund them.
   */
  private Decision decide(
      String id, AuthorizationRequest req, Node node, Instant now, Spent reserved) {
    if (node == null) {
      return deny(
          id,
          Reason.UNKNOWN_NODE,
          "no execution node '" + Names.printable(req.nodeId()) + "'",
          List.of());
    }
    Decision ended = liveness(id, node, now);
    if (ended != null) {
      return ended;
    }
    return evaluate(id, req, node.lineage(), node.view(), node, now, reserved);
  }

  /** The deny for a node that is not active at {@code now}, or null when it is. */
  private Decision liveness(String id, Node node, Instant now) {
    NodeState state = node.stateAt(now);
    if (state == NodeState.HELD) {
      state = graph.heldState(node, now); // never waits for the graph's lock
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
    return null;
  }

  /**
   * Steps 3–6: the cache, then capability gate, claims (graph mode only: {@code node} not null) and
   * approval; budgets at every level; the policy engine. {@code levels[0]} is the node the request
   * is made on; {@code subject} identifies it for the cache.
   */
  private Decision evaluate(
      String id,
      AuthorizationRequest req,
      Level[] levels,
      ExecutionView view,
      Node node,
      Instant now,
      Spent reserved) {
    List<String> path = view.path();
    Object claims = node == null ? null : graph.claims();
    DecisionCache.Key key =
        cache.enabled()
            ? new DecisionCache.Key(
                node == null ? view : node,
                req.action(),
                req.resource(),
                req.args(),
                req.approved())
            : null;
    DecisionCache.Entry entry = key == null ? null : cache.get(key, claims, now);
    DecisionCache.Gate gate =
        entry != null
            ? entry.gate()
            : gate(req, levels, view, node, now, (ExecutionGraph.Claim[]) claims);
    if (gate.deny() != null) {
      if (entry == null && key != null) {
        cache.put(key, new DecisionCache.Entry(gate, null, 0, true, 0));
      }
      return deny(id, gate.deny(), gate.detail(), path);
    }

    // budgets at every level, always live
    List<List<Budget>> budgets = gate.budgets().levels();
    if (budgets != null) {
      Decision refused = budgetRefusal(id, ledger.check(budgets), path);
      if (refused != null) {
        if (entry == null && key != null) {
          cache.put(key, new DecisionCache.Entry(gate, null, 0, true, 0));
        }
        return refused;
      }
    }

    // policy: cached for the same engine version (and second, if the engine reads the time)
    long version = engine.version();
    boolean readsTime = engine.readsTime();
    long second = now.getEpochSecond();
    PolicyDecision pd;
    if (entry != null && entry.policyValid(version, second)) {
      pd = entry.policy();
    } else {
      pd =
          engine.evaluate(
              new PolicyRequest(
                  view, req.action(), req.resource(), req.args(), req.approved(), now));
      if (key != null && pd != null && pd.errors().isEmpty()) {
        cache.put(key, new DecisionCache.Entry(gate, pd, version, readsTime, second));
      }
    }
    if (pd == null) {
      return new Decision.Deny(
          id,
          Reason.ERROR,
          "policy engine returned no decision",
          path,
          List.of(),
          List.of("null decision"));
    }
    if (!pd.errors().isEmpty()) {
      return new Decision.Deny(
          id,
          Reason.ERROR,
          "policy evaluation failed: " + pd.errors().get(0),
          path,
          pd.determiningPolicies(),
          pd.errors());
    }
    if (!pd.permitted()) {
      return new Decision.Deny(
          id,
          Reason.POLICY,
          pd.determiningPolicies().isEmpty()
              ? "no policy permits " + req.action() + " on " + req.resource()
              : "denied by " + String.join(", ", pd.determiningPolicies()),
          path,
          pd.determiningPolicies(),
          List.of());
    }

    if (budgets != null) {
      BudgetLedger.Outcome taken = ledger.take(budgets);
      Decision refused = budgetRefusal(id, taken, path);
      if (refused != null) {
        return refused;
      }
      reserved.budgets = ((BudgetLedger.Taken) taken).budgets();
    }
    return new Decision.Permit(id, path, pd.determiningPolicies());
  }

  /**
   * Capability gate, claims and approval: everything before budgets that depends only on the
   * capabilities, the claim set and the time. Its outcome holds until the earliest {@code until} of
   * a capability in the lineage that matches the request (and, for a claim refusal, until the claim
   * holder's deadline), for as long as the claim set is the same.
   */
  private static DecisionCache.Gate gate(
      AuthorizationRequest req,
      Level[] levels,
      ExecutionView view,
      Node node,
      Instant now,
      ExecutionGraph.Claim[] claims) {
    String action = req.action();
    ResourcePattern resource;
    try {
      Resource.checkAction(action);
      resource = Resource.parse(req.resource());
    } catch (CapabilitySyntaxException e) {
      return new DecisionCache.Gate(
          Reason.ERROR, "malformed request: " + e.getMessage(), null, claims, Instant.MAX);
    }
    Instant validUntil = Instant.MAX;
    for (Level level : levels) {
      for (Capability c : level.levelCapabilities()) {
        if (c.until().isPresent() && c.matches(action, resource)) {
          Instant u = c.until().get();
          if (now.isBefore(u) && u.isBefore(validUntil)) {
            validUntil = u;
          }
        }
      }
    }

    // capability gate: the node's capabilities that match and have not ended
    Capability[] caps = levels[0].levelCapabilities();
    List<Capability> covering = new ArrayList<>(2);
    int[] coveringIdx = new int[caps.length];
    for (int i = 0; i < caps.length; i++) {
      Capability c = caps[i];
      if (c.matches(action, resource) && c.isValidAt(now)) {
        coveringIdx[covering.size()] = i;
        covering.add(c);
      }
    }
    if (covering.isEmpty()) {
      return new DecisionCache.Gate(
          Reason.OUT_OF_SCOPE,
          "no capability of node '"
              + view.nodeId()
              + "' covers "
              + action
              + " on "
              + req.resource(),
          null,
          claims,
          validUntil);
    }

    // claims held elsewhere
    if (node != null && !isRead(action)) {
      for (ExecutionGraph.Claim c : claims) {
        Node h = c.holder();
        if (c.pattern().covers(resource)
            && !node.hasInLineage(h)
            && h.stateAt(now) == NodeState.ACTIVE) {
          return new DecisionCache.Gate(
              Reason.CLAIMED,
              req.resource() + " lies in claim " + c.pattern() + " held by node '" + h.id + "'",
              null,
              claims,
              h.deadline.isBefore(validUntil) ? h.deadline : validUntil);
        }
      }
    }

    // approval: a covering capability that needs none, or an approved request
    boolean[] usable = new boolean[caps.length];
    boolean anyUsable = false;
    for (int k = 0; k < covering.size(); k++) {
      if (req.approved() || !covering.get(k).requiresApproval()) {
        usable[coveringIdx[k]] = true;
        anyUsable = true;
      }
    }
    if (!anyUsable) {
      return new DecisionCache.Gate(
          Reason.APPROVAL_REQUIRED,
          "'" + covering.get(0) + "' needs approval for " + action + " on " + req.resource(),
          null,
          claims,
          validUntil);
    }
    DecisionCache.Budgets budgets = budgets(levels, usable, req.approved(), action, resource, now);
    if (budgets == null) {
      return new DecisionCache.Gate(
          Reason.BUDGET_EXHAUSTED,
          "an ancestor of node '"
              + view.nodeId()
              + "' has no capability for "
              + action
              + " on "
              + req.resource(),
          null,
          claims,
          validUntil);
    }
    return new DecisionCache.Gate(null, null, budgets, claims, validUntil);
  }

  /**
   * Which budget counters a permit could draw on, level by level: nothing where an unbudgeted
   * capability serves the request (nothing to spend there), else the counters of the serving
   * capabilities, in order. Depends only on what the gate depends on, so it is cached with it.
   * Returns null when some ancestor has no capability serving the request.
   */
  private static DecisionCache.Budgets budgets(
      Level[] levels,
      boolean[] usable,
      boolean approved,
      String action,
      ResourcePattern resource,
      Instant now) {
    List<List<Budget>> out = null;
    for (int level = 0; level < levels.length; level++) {
      Level n = levels[level];
      Capability[] caps = n.levelCapabilities();
      Budget[] all = n.levelBudgets();
      boolean found = false;
      boolean free = false;
      List<Budget> budgeted = new ArrayList<>(1);
      for (int i = 0; i < caps.length && !free; i++) {
        Capability c = caps[i];
        boolean candidate =
            level == 0
                ? usable[i]
                : c.matches(action, resource)
                    && c.isValidAt(now)
                    && (approved || !c.requiresApproval());
        if (!candidate) {
          continue;
        }
        found = true;
        if (all[i] == null) {
          free = true;
        } else if (!budgeted.contains(all[i])) {
          budgeted.add(all[i]);
        }
      }
      if (!found) {
        if (n.budgetOnly()) {
          continue;
        }
        return null;
      }
      if (!free) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        if (!alreadyCounted(out, budgeted)) {
          out.add(List.copyOf(budgeted));
        }
      }
    }
    return new DecisionCache.Budgets(out == null ? null : List.copyOf(out));
  }

  /** A level whose counters an earlier level already spends (a re-minted grant's own caps). */
  private static boolean alreadyCounted(List<List<Budget>> levels, List<Budget> candidates) {
    for (List<Budget> l : levels) {
      if (l.equals(candidates)) {
        return true;
      }
    }
    return false;
  }

  /** The deny for a ledger outcome that refuses, or null when it has calls to spend. */
  private static Decision budgetRefusal(String id, BudgetLedger.Outcome o, List<String> path) {
    if (o instanceof BudgetLedger.Exhausted e) {
      return deny(
          id,
          Reason.BUDGET_EXHAUSTED,
          "the budget of '"
              + e.budget().capability()
              + "' on node '"
              + e.budget().nodeId()
              + "' is used up",
          path);
    }
    if (o instanceof BudgetLedger.Unavailable u) {
      return deny(id, Reason.UNAVAILABLE, "the budget ledger cannot answer: " + u.detail(), path);
    }
    if (o instanceof BudgetLedger.Taken) {
      return null;
    }
    return deny(id, Reason.ERROR, "the budget ledger gave no answer", path);
  }

  private void refund(Spent spent) {
    if (!spent.budgets.isEmpty()) {
      ledger.refund(spent.budgets);
      spent.budgets = List.of();
    }
  }

  private static boolean isRead(String action) {
    return action.equals("read") || action.endsWith(".read");
  }

  private static String endedBy(Node node, NodeState state) {
    for (Node n : node.lineage()) {
      if (n.own == state) {
        String why =
            state == NodeState.REVOKED && n.endReason != null ? " (" + n.endReason + ")" : "";
        return (n == node ? "node '" : "ancestor '") + n.id + "'" + why;
      }
    }
    return "node '" + node.id + "'";
  }

  private static Decision deny(String id, Reason reason, String detail, Node node) {
    return deny(id, reason, detail, node == null ? List.<String>of() : node.path());
  }

  private static Decision deny(String id, Reason reason, String detail, List<String> path) {
    return new Decision.Deny(id, reason, detail, path, List.of(), List.of());
  }

  private static Decision error(String id, List<String> path, Throwable e) {
    String msg =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return new Decision.Deny(
        id, Reason.ERROR, "evaluation failed: " + msg, path, List.of(), List.of(msg));
  }

  private static AuditRecord record(
      Instant now, AuthorizationRequest req, ExecutionView view, String grantId, Decision d) {
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
        traceparent);
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

    private Builder() {}

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
