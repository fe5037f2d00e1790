package io.execauthz;

import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.GraphListener;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * The execution graph: nodes whose capability sets only narrow on descent, whose deadlines never
 * outlive their parents', and whose authority collapses for a whole subtree at once.
 *
 * <pre>{@code
 * ExecutionGraph graph = ExecutionGraph.newBuilder().build();
 * graph.spawn(NodeSpec.builder("session").principal("user:alice")
 *     .capabilities("tool.call tool:**", "fs.* fs:/repo/**").ttl(Duration.ofHours(1)).build());
 * graph.spawn("session", NodeSpec.builder("batch-1").kind("batch")
 *     .capabilities("fs.read fs:/repo/**").build());
 * graph.revoke("session", "incident"); // batch-1 is revoked with it
 * }</pre>
 *
 * <p><b>Claims.</b> A node may reserve resources for its subtree ({@link NodeSpec#claims()}). A
 * spawn whose claims overlap an active claim of a node that is neither its ancestor nor its
 * descendant is refused ({@link GraphError#CLAIM_CONFLICT}) or, with {@link
 * NodeSpec#holdOnConflict()}, created {@link NodeState#HELD}: it starts by itself as soon as no
 * conflicting claim remains, and is {@link NodeState#CANCELLED} if its parent ends first.
 *
 * <p><b>Time.</b> Deadlines come from the injected {@link InstantSource}. Expiry is observed
 * lazily: a node past its deadline is denied at once; its claims are released, and held nodes
 * waiting on them started, at the next graph operation or {@link #sweep()}.
 *
 * <p>Thread-safe: structural changes are serialized on one lock; reads of a node's state (and so
 * every {@link Authorizer#authorize}) take no lock. Once {@link #revoke} or {@link #complete}
 * returns, every later read of the subtree's state sees it.
 */
public final class ExecutionGraph {
  private static final System.Logger LOG = System.getLogger(ExecutionGraph.class.getName());

  /** A claim held by an active node. */
  record Claim(Node holder, ResourcePattern pattern) {}

  private final String id;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final BudgetLedger ledger;
  private final int maxDepth;
  private final int maxFanOut;
  private final int maxLiveNodes;
  private final int maxCapabilities;
  private final int maxClaims;
  private final Duration defaultTtl;
  private final List<GraphListener> listeners;

  private final ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final LinkedHashSet<Node> held = new LinkedHashSet<>();
  private int live;
  private long seq;
  // when the live count may be stale: a node with children ended, or a live node's deadline came
  private boolean endedSinceSweep;
  private Instant nextDeadline = Instant.MAX;
  // replaced (never mutated) under lock; read without it
  private volatile Claim[] claims = new Claim[0];

  private ExecutionGraph(Builder b) {
    // time never runs backwards for a graph: an expiry, once observed, is permanent
    this.clock = new MonotonicClock(b.clock == null ? InstantSource.system() : b.clock);
    this.random = b.random == null ? new SecureRandom() : b.random;
    this.id = b.id == null ? randomId(random) : b.id;
    this.ledger = b.ledger == null ? BudgetLedger.inMemory(clock) : b.ledger;
    this.maxDepth = b.maxDepth == null ? 32 : b.maxDepth;
    this.maxFanOut = b.maxFanOut == null ? 1_000 : b.maxFanOut;
    this.maxLiveNodes = b.maxLiveNodes == null ? 100_000 : b.maxLiveNodes;
    this.maxCapabilities = b.maxCapabilities == null ? 256 : b.maxCapabilities;
    this.maxClaims = b.maxClaims == null ? 64 : b.maxClaims;
    this.defaultTtl = b.defaultTtl == null ? Duration.ofHours(1) : b.defaultTtl;
    this.listeners = List.copyOf(b.listeners);
  }

  /** Starts configuring a graph; every option has a safe default. */
  public static Builder newBuilder() {
    return new Builder();
  }

  Instant now() {
    return clock.instant();
  }

  /**
   * This graph's id: random unless configured. Revocations and budgets are scoped by it, so nodes
   * of two graphs that share an id never meet (in a registry or a ledger shared by processes).
   */
  public String id() {
    return id;
  }

  /** Where this graph's {@code maxCalls} budgets are counted. */
  public BudgetLedger budgetLedger() {
    return ledger;
  }

  private static String randomId(RandomGenerator random) {
    return String.format("g-%016x%016x", random.nextLong(), random.nextLong());
  }

  InstantSource clock() {
    return clock;
  }

  RandomGenerator random() {
    return random;
  }

  /**
   * Creates a root node. Its principal is required; its ttl defaults to the graph's default ttl.
   *
   * @throws ExecutionGraphException with {@link GraphError#INVALID} for a bad or duplicate id,
   *     {@link GraphError#LIMIT} at a guardrail, {@link GraphError#CLAIM_CONFLICT} for a claim that
   *     overlaps an active one
   */
  public ExecutionNode spawn(NodeSpec spec) {
    return create(List.of(), spec);
  }

  /**
   * Creates a child of {@code parentId}, which must be active and must cover every capability the
   * child asks for.
   *
   * @throws ExecutionGraphException with {@link GraphError#ATTENUATION} naming the capability the
   *     parent lacks, {@link GraphError#PARENT_INACTIVE}, {@link GraphError#CLAIM_CONFLICT}, {@link
   *     GraphError#LIMIT} or {@link GraphError#INVALID}
   */
  public ExecutionNode spawn(String parentId, NodeSpec spec) {
    Objects.requireNonNull(parentId, "parentId");
    return create(List.of(parentId), spec);
  }

  /**
   * Creates a merge node under several parents. It gets no more than every one of them: each
   * capability it asks for must be covered by every parent's set, and its deadline is the earliest
   * of theirs. Its principal defaults to the first parent's.
   *
   * @throws ExecutionGraphException as {@link #spawn(String, NodeSpec)} does
   */
  public ExecutionNode join(Collection<String> parentIds, NodeSpec spec) {
    Objects.requireNonNull(parentIds, "parentIds");
    if (parentIds.isEmpty()) {
      throw new ExecutionGraphException(
          GraphError.INVALID, "join of node '" + spec.id() + "' needs at least one parent");
    }
    return create(List.copyOf(parentIds), spec);
  }

  private ExecutionNode create(List<String> parentIds, NodeSpec spec) {
    Objects.requireNonNull(spec, "spec");
    checkId(spec.id(), "node id");
    checkKind(spec);
    checkAttributes(spec);
    if (spec.capabilities().size() > maxCapabilities) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + spec.id()
              + "' asks for "
              + spec.capabilities().size()
              + " capabilities; the limit is "
              + maxCapabilities);
    }
    if (spec.claims().size() > maxClaims) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + spec.id()
              + "' makes "
              + spec.claims().size()
              + " claims; the limit is "
              + maxClaims);
    }
    for (ResourcePattern claim : spec.claims()) {
      if (!spec.capabilities().coversResource(claim)) {
        throw new ExecutionGraphException(
            GraphError.ATTENUATION,
            "node '" + spec.id() + "' claims " + claim + ", which none of its capabilities covers");
      }
    }
    lock.lock();
    try {
      Instant now = clock.instant();
      reconcile(now);
      if (nodes.containsKey(spec.id())) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "a node with id '" + spec.id() + "' already exists");
      }
      Node[] parents = new Node[parentIds.size()];
      for (int i = 0; i < parents.length; i++) {
        Node p = nodes.get(parentIds.get(i));
        if (p == null) {
          throw new ExecutionGraphException(
              GraphError.INVALID,
              "unknown parent '" + parentIds.get(i) + "' of node '" + spec.id() + "'");
        }
        for (int j = 0; j < i; j++) {
          if (parents[j] == p) {
            throw new ExecutionGraphException(
                GraphError.INVALID,
                "parent '" + p.id + "' is named twice for node '" + spec.id() + "'");
          }
        }
        parents[i] = p;
      }
      Instant deadline;
      String principal = spec.principal();
      TraceContext trace;
      if (parents.length == 0) {
        if (principal == null) {
          throw new ExecutionGraphException(
              GraphError.INVALID, "root node '" + spec.id() + "' needs a principal");
        }
        deadline = now.plus(spec.ttl() == null ? defaultTtl : spec.ttl());
        trace = spec.trace() == null ? TraceContext.newTrace(random) : spec.trace();
      } else {
        deadline = spec.ttl() == null ? Instant.MAX : now.plus(spec.ttl());
        for (Node p : parents) {
          NodeState ps = p.stateAt(now);
          if (ps != NodeState.ACTIVE) {
            throw new ExecutionGraphException(
                GraphError.PARENT_INACTIVE,
                "parent '" + p.id + "' of node '" + spec.id() + "' is " + ps);
          }
          Optional<Capability> missing = p.capabilities.firstUncovered(spec.capabilities());
          if (missing.isPresent()) {
            throw new ExecutionGraphException(
                GraphError.ATTENUATION,
                "node '"
                    + spec.id()
                    + "' asks for '"
                    + missing.get()
                    + "', which parent '"
                    + p.id
                    + "' does not hold");
          }
          if (p.depth + 1 > maxDepth) {
            throw new ExecutionGraphException(
                GraphError.LIMIT,
                "node '"
                    + spec.id()
                    + "' would be at depth "
                    + (p.depth + 1)
                    + "; the limit is "
                    + maxDepth);
          }
          p.children.removeIf(c -> !c.live);
          if (p.children.size() >= maxFanOut) {
            sweepEnded(now);
            p.children.removeIf(c -> !c.live);
          }
          if (p.children.size() >= maxFanOut) {
            throw new ExecutionGraphException(
                GraphError.LIMIT,
                "parent '"
                    + p.id
                    + "' already has "
                    + p.children.size()
                    + " live children; the fan-out limit is "
                    + maxFanOut);
          }
          if (p.deadline.isBefore(deadline)) {
            deadline = p.deadline;
          }
        }
        if (principal == null) {
          principal = parents[0].principal;
        }
        trace =
            spec.trace() != null && spec.trace().traceId().equals(parents[0].trace.traceId())
                ? spec.trace()
                : parents[0].trace.child(random);
      }
      checkPrincipal(principal, spec.id());
      if (live >= maxLiveNodes) {
        sweepEnded(now);
        if (live >= maxLiveNodes) {
          throw new ExecutionGraphException(
              GraphError.LIMIT,
              "the graph has " + live + " live nodes; the limit is " + maxLiveNodes);
        }
      }
      Claim conflict = firstConflict(spec.claims(), parents, now);
      if (conflict != null && !spec.holdOnConflict()) {
        throw new ExecutionGraphException(
            GraphError.CLAIM_CONFLICT,
            "node '"
                + spec.id()
                + "' claims a resource in "
                + conflict.pattern()
                + ", held by node '"
                + conflict.holder().id
                + "'");
      }
      NodeState initial = conflict == null ? NodeState.ACTIVE : NodeState.HELD;
      CapabilitySet caps =
          parents.length == 0 ? spec.capabilities() : shared(spec.capabilities(), parents[0]);
      Node n = new Node(this, spec, caps, principal, parents, deadline, trace, ++seq, initial);
      nodes.put(n.id, n);
      live++;
      if (deadline.isBefore(nextDeadline)) {
        nextDeadline = deadline;
      }
      for (Node p : parents) {
        p.children.add(n);
      }
      if (initial == NodeState.ACTIVE) {
        addClaims(n);
        n.started.complete(NodeState.ACTIVE);
      } else {
        held.add(n);
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes a node: its authority, and its whole subtree's, collapses now. Its claims are
   * released and held nodes waiting on them may start.
   *
   * @return {@code true} if the node was active, {@code false} if it had already ended
   * @throws ExecutionGraphException {@link GraphError#INVALID} for an unknown or held node
   */
  public boolean complete(String id) {
    return end(id, NodeState.COMPLETED, "completed");
  }

  /**
   * Revokes a node and its whole subtree. When this returns, no authorization on the subtree
   * permits, from any thread.
   *
   * @param reason why, for the audit trail and listeners
   * @return {@code true} if the node was active or held, {@code false} if it had already ended
   * @throws ExecutionGraphException {@link GraphError#INVALID} for an unknown node
   */
  public boolean revoke(String id, String reason) {
    Objects.requireNonNull(reason, "reason");
    return end(id, NodeState.REVOKED, reason);
  }

  private boolean end(String id, NodeState to, String reason) {
    Objects.requireNonNull(id, "id");
    Node n;
    lock.lock();
    try {
      n = nodes.get(id);
      if (n == null) {
        throw new ExecutionGraphException(GraphError.INVALID, "unknown node '" + id + "'");
      }
      Instant now = clock.instant();
      NodeState s = n.stateAt(now);
      if (s == NodeState.HELD && to == NodeState.COMPLETED) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "node '" + id + "' is HELD and has not started; revoke it instead");
      }
      if (s != NodeState.ACTIVE && s != NodeState.HELD) {
        return false;
      }
      n.endReason = reason;
      n.own = to; // visible to every reader from here on
      held.remove(n);
      n.started.complete(to);
      // O(1) in the size of the subtree: its nodes see the end through their lineage at once;
      // the claims they held are dropped here, their held nodes cancelled by reconcile, and the
      // rest of their bookkeeping is swept lazily (sweepEnded)
      release(n);
      endedSinceSweep |= !n.children.isEmpty();
      n.children = new ArrayList<>(0);
      pruneClaims(now);
      reconcile(now);
    } finally {
      lock.unlock();
    }
    for (GraphListener l : listeners) {
      try {
        l.onEnded(n, to, reason);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "graph listener failed on node " + id, e);
      }
    }
    return true;
  }

  /** Marks one node as no longer live. Under lock. */
  private void release(Node n) {
    if (n.live) {
      n.live = false;
      live--;
    }
    n.released = true;
  }

  /**
   * Observes the clock and finishes the bookkeeping of ended subtrees: releases the claims of nodes
   * past their deadline, cancels held nodes whose parent ended, starts held nodes no conflicting
   * claim blocks any more, and forgets the children of ended nodes. Graph operations do the parts
   * they need; call it to have held nodes start promptly after a deadline.
   */
  public void sweep() {
    lock.lock();
    try {
      Instant now = clock.instant();
      sweepEnded(now);
      reconcile(now);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The child's capabilities, made of its parent's very objects where they are equal: children
   * mostly keep some of their parent's capabilities as they are, and a parsed capability's text and
   * segments are most of a node's weight.
   */
  private static CapabilitySet shared(CapabilitySet asked, Node parent) {
    if (asked.equals(parent.capabilities)) {
      return parent.capabilities;
    }
    List<Capability> theirs = parent.capabilities.asList();
    List<Capability> out = new ArrayList<>(asked.size());
    boolean reused = false;
    for (Capability c : asked) {
      int i = theirs.indexOf(c);
      out.add(i < 0 ? c : theirs.get(i));
      reused |= i >= 0;
    }
    return reused ? CapabilitySet.of(out) : asked;
  }

  /** Releases every node that has ended (itself, through an ancestor, or by its deadline). */
  private void sweepEnded(Instant now) {
    Instant next = Instant.MAX;
    for (Node n : nodes.values()) {
      if (!n.live) {
        continue;
      }
      NodeState s = n.stateAt(now);
      if (s == NodeState.ACTIVE || s == NodeState.HELD) {
        if (n.deadline.isBefore(next)) {
          next = n.deadline;
        }
        continue;
      }
      if (n.own == NodeState.HELD) {
        n.own = NodeState.CANCELLED;
        n.endReason = "deadline passed";
        held.remove(n);
        n.started.complete(NodeState.CANCELLED);
      }
      release(n);
      n.children = new ArrayList<>(0);
    }
    nextDeadline = next;
    endedSinceSweep = false;
    pruneClaims(now);
  }

  /** Cancels or starts held nodes as the graph now allows; under lock. */
  private void reconcile(Instant now) {
    if (held.isEmpty()) {
      return;
    }
    pruneClaims(now);
    for (Node n : new ArrayList<>(held)) {
      boolean parentEnded = false;
      for (Node p : n.parents) {
        parentEnded |= p.stateAt(now) != NodeState.ACTIVE;
      }
      if (parentEnded || !now.isBefore(n.deadline)) {
        n.own = NodeState.CANCELLED;
        n.endReason = parentEnded ? "parent ended" : "deadline passed";
        held.remove(n);
        release(n);
        n.started.complete(NodeState.CANCELLED);
      } else if (firstConflict(n.claims, n.parents, now) == null) {
        n.own = NodeState.ACTIVE;
        held.remove(n);
        addClaims(n);
        n.started.complete(NodeState.ACTIVE);
      }
    }
  }

  private Claim firstConflict(List<ResourcePattern> wanted, Node[] parents, Instant now) {
    if (wanted.isEmpty()) {
      return null;
    }
    for (Claim c : claims) {
      Node h = c.holder();
      if (h.stateAt(now) != NodeState.ACTIVE || isAncestorOfAny(h, parents)) {
        continue;
      }
      for (ResourcePattern w : wanted) {
        if (w.overlaps(c.pattern())) {
          return c;
        }
      }
    }
    return null;
  }

  private static boolean isAncestorOfAny(Node h, Node[] parents) {
    for (Node p : parents) {
      if (p.hasInLineage(h)) {
        return true;
      }
    }
    return false;
  }

  private void addClaims(Node n) {
    if (n.claims.isEmpty()) {
      return;
    }
    Claim[] old = claims;
    Claim[] out = java.util.Arrays.copyOf(old, old.length + n.claims.size());
    int i = old.length;
    for (ResourcePattern p : n.claims) {
      out[i++] = new Claim(n, p);
    }
    claims = out;
  }

  /**
   * Drops the claims of holders no longer active (ended, under an ended ancestor, or past their
   * deadline). A new array only when something is dropped: the authorizer's cache keys on it.
   */
  private void pruneClaims(Instant now) {
    Claim[] current = claims;
    List<Claim> out = null;
    for (int i = 0; i < current.length; i++) {
      Claim c = current[i];
      boolean keep = !c.holder().released && c.holder().stateAt(now) == NodeState.ACTIVE;
      if (!keep && out == null) {
        out = new ArrayList<>(java.util.Arrays.asList(current).subList(0, i));
      } else if (keep && out != null) {
        out.add(c);
      }
    }
    if (out != null) {
      claims = out.toArray(Claim[]::new);
    }
  }

  /** The active claims, for the authorizer's CLAIMED check. */
  Claim[] claims() {
    return claims;
  }

  /** The node with this id, if it exists (ended nodes included). */
  public Optional<ExecutionNode> find(String id) {
    return Optional.ofNullable(nodes.get(id));
  }

  Node get(String id) {
    return nodes.get(id);
  }

  /**
   * The node with this id.
   *
   * @throws ExecutionGraphException {@link GraphError#INVALID} if there is none
   */
  public ExecutionNode node(String id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new ExecutionGraphException(GraphError.INVALID, "unknown node '" + id + "'");
    }
    return n;
  }

  /**
   * Completes with {@link NodeState#ACTIVE} when the node starts (at once for a node that was never
   * held), or with the state that ended it first ({@link NodeState#CANCELLED}, {@link
   * NodeState#REVOKED}, …).
   */
  public CompletableFuture<NodeState> whenStarted(String id) {
    Node n = (Node) node(id);
    return n.started.copy();
  }

  /** The number of nodes currently active or held. Sweeps first: linear in the graph's size. */
  public int liveNodes() {
    lock.lock();
    try {
      Instant now = clock.instant();
      if (endedSinceSweep || !now.isBefore(nextDeadline)) {
        sweepEnded(now);
      }
      return live;
    } finally {
      lock.unlock();
    }
  }

  private static void checkId(String id, String what) {
    if (id.isEmpty() || id.length() > 128) {
      throw new ExecutionGraphException(
          GraphError.INVALID, what + " must be 1 to 128 characters, was " + id.length());
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == ':'
              || c == '@'
              || c == '/';
      if (!ok) {
        throw new ExecutionGraphException(
            GraphError.INVALID,
            what + " '" + printable(id) + "' has a character not allowed at position " + i);
      }
    }
  }

  private static void checkKind(NodeSpec spec) {
    String k = spec.kind();
    boolean ok = !k.isEmpty() && k.length() <= 64;
    for (int i = 0; ok && i < k.length(); i++) {
      ok = ActionPattern.isWordChar(k.charAt(i));
    }
    if (!ok) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "kind '"
              + printable(k)
              + "' of node '"
              + spec.id()
              + "' must be 1 to 64 letters, digits, '_' or '-'");
    }
  }

  private static void checkPrincipal(String p, String nodeId) {
    boolean ok = !p.isEmpty() && p.length() <= 256;
    for (int i = 0; ok && i < p.length(); i++) {
      char c = p.charAt(i);
      ok = c > ' ' && c < 0x7f && c != '"' && c != '\\';
    }
    if (!ok) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "principal '"
              + printable(p)
              + "' of node '"
              + nodeId
              + "' must be 1 to 256 printable ASCII characters without spaces, quotes or"
              + " backslashes");
    }
  }

  private static void checkAttributes(NodeSpec spec) {
    if (spec.attributes().size() > 64) {
      throw new ExecutionGraphException(
          GraphError.LIMIT, "node '" + spec.id() + "' has more than 64 attributes");
    }
    for (Map.Entry<String, String> e : spec.attributes().entrySet()) {
      String k = e.getKey();
      boolean ok = !k.isEmpty() && k.length() <= 64;
      for (int i = 0; ok && i < k.length(); i++) {
        ok = ActionPattern.isWordChar(k.charAt(i));
      }
      if (!ok || e.getValue().length() > 1024) {
        throw new ExecutionGraphException(
            GraphError.INVALID,
            "attribute '"
                + printable(k)
                + "' of node '"
                + spec.id()
                + "': keys are 1 to 64 letters, digits, '_' or '-'; values at most 1024 chars");
      }
    }
  }

  private static String printable(String s) {
    return Names.printable(s);
  }

  /** Configures an {@link ExecutionGraph}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private String id;
    private BudgetLedger ledger;
    private InstantSource clock;
    private RandomGenerator random;
    private Integer maxDepth;
    private Integer maxFanOut;
    private Integer maxLiveNodes;
    private Integer maxCapabilities;
    private Integer maxClaims;
    private Duration defaultTtl;
    private final List<GraphListener> listeners = new ArrayList<>();

    private Builder() {}

    private static int positive(int v, String option) {
      if (v <= 0) {
        throw new IllegalArgumentException(option + " must be positive, was " + v);
      }
      return v;
    }

    /**
     * The graph's id, 1 to 128 letters, digits or {@code . _ - : @ /}; random by default. Give one
     * only when it is unique among every graph sharing a revocation registry or budget ledger.
     */
    public Builder id(String id) {
      SetOnce.once(this.id, "id");
      checkId(Objects.requireNonNull(id, "id"), "graph id");
      this.id = id;
      return this;
    }

    /**
     * Where {@code maxCalls} budgets are counted; in this JVM's memory by default. Share one with
     * the tool servers that decide on this graph's grants, so a node's budget binds wherever it is
     * spent.
     */
    public Builder budgetLedger(BudgetLedger ledger) {
      SetOnce.once(this.ledger, "budgetLedger");
      this.ledger = Objects.requireNonNull(ledger, "budgetLedger");
      return this;
    }

    /** The clock deadlines are measured on; the system clock by default. */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of trace and span ids; a {@link SecureRandom} by default. */
    public Builder random(RandomGenerator random) {
      SetOnce.once(this.random, "random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The deepest a node may be (a root is at depth 0); 32 by default. */
    public Builder maxDepth(int maxDepth) {
      SetOnce.once(this.maxDepth, "maxDepth");
      this.maxDepth = positive(maxDepth, "maxDepth");
      return this;
    }

    /** The most live children one node may have; 1,000 by default. */
    public Builder maxFanOut(int maxFanOut) {
      SetOnce.once(this.maxFanOut, "maxFanOut");
      this.maxFanOut = positive(maxFanOut, "maxFanOut");
      return this;
    }

    /** The most live (active or held) nodes in the graph; 100,000 by default. */
    public Builder maxLiveNodes(int maxLiveNodes) {
      SetOnce.once(this.maxLiveNodes, "maxLiveNodes");
      this.maxLiveNodes = positive(maxLiveNodes, "maxLiveNodes");
      return this;
    }

    /** The most capabilities one node may hold; 256 by default. */
    public Builder maxCapabilitiesPerNode(int max) {
      SetOnce.once(this.maxCapabilities, "maxCapabilitiesPerNode");
      this.maxCapabilities = positive(max, "maxCapabilitiesPerNode");
      return this;
    }

    /** The most claims one node may make; 64 by default. */
    public Builder maxClaimsPerNode(int max) {
      SetOnce.once(this.maxClaims, "maxClaimsPerNode");
      this.maxClaims = positive(max, "maxClaimsPerNode");
      return this;
    }

    /** The lifetime of a root spawned without a ttl; one hour by default. */
    public Builder defaultTtl(Duration ttl) {
      SetOnce.once(this.defaultTtl, "defaultTtl");
      Objects.requireNonNull(ttl, "defaultTtl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("defaultTtl must be positive, was " + ttl);
      }
      this.defaultTtl = ttl;
      return this;
    }

    /** Adds a listener told of every completion and revocation. */
    public Builder listener(GraphListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public ExecutionGraph build() {
      return new ExecutionGraph(this);
    }
  }
}
