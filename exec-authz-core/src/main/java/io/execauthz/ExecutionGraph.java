package io.execauthz;

import io.execauthz.capability.ResourcePattern;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.GraphListener;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * waiting on them started, at the next graph operation or {@link #sweep()} (or when the authorizer
 * is asked about such a held node and the lock is free).
 *
 * <p><b>Forgetting.</b> An ended or expired node is remembered for its deadline plus the
 * {@linkplain ExecutionGraphOptions#retention retention} (5 minutes by default), then forgotten:
 * {@link #find} is empty, the authorizer denies with {@link Reason#UNKNOWN_NODE}, the id may be
 * spawned again. Nothing else keeps it: a graph that spawns and ends millions of nodes holds only
 * its live ones and those within retention.
 *
 * <p><b>Costs.</b> Every operation starts by processing what has come due on a deadline-ordered
 * queue (expiries, forgettings): O(log n) per event, never a scan. Spawn is O(parents + claims +
 * lineage of a join); a node's memory is O(1) in its depth and fan-out (see {@link
 * ExecutionGraphOptions#maxLineage} for what bounds a request's cost); complete and revoke are
 * linear in the live part of the subtree they end, each node's bookkeeping done once in its life.
 * Held nodes are tried again only when the holder they wait on ends.
 *
 * <p>Thread-safe: structural changes are serialized on one lock; reads of a node's state (and so
 * every {@link Authorizer#authorize}) never wait for it. Once {@link #revoke} or {@link #complete}
 * returns (or throws {@link GraphListenerException}), every later read of the subtree's state sees
 * it.
 */
public final class ExecutionGraph {
  // The parts behind this class are listed in GraphCore's javadoc.
  private static final System.Logger LOG = System.getLogger(ExecutionGraph.class.getName());

  /** How long ended nodes are remembered after their deadline unless configured. */
  static final Duration DEFAULT_RETENTION = Duration.ofMinutes(5);

  /**
   * The most nodes in one lineage unless configured: see {@link ExecutionGraphOptions#maxLineage}.
   */
  static final int DEFAULT_MAX_LINEAGE = 64;

  /** A claim held by an active node. */
  record Claim(Node holder, ResourcePattern pattern) {}

  private final String id;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final BudgetLedger ledger;
  private final GraphListeners listeners;
  private final GraphCore core;

  private ExecutionGraph(ExecutionGraphOptions o) {
    // time never runs backwards for a graph: an expiry, once observed, is permanent
    this.clock = new MonotonicClock(o.clock());
    this.random = o.random();
    this.id = o.idOr(random);
    this.ledger = o.ledgerOr(clock);
    this.listeners = new GraphListeners(o.listeners());
    this.core = new GraphCore(this, o, clock);
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
    return core.create(parentIds, Objects.requireNonNull(spec, "spec"));
  }

  /**
   * Completes a node: its authority, and its whole subtree's, collapses now. Its claims are
   * released and held nodes waiting on them may start.
   *
   * @return {@code true} if the node was active, {@code false} if it had already ended
   * @throws ExecutionGraphException {@link GraphError#INVALID} for an unknown or held node
   * @throws GraphListenerException if a {@link GraphListener} failed: the node is completed all the
   *     same and every listener was called; the exception carries each failure, so that a listener
   *     that must not miss an end (a revocation registry) can be told again
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
   * @throws GraphListenerException if a {@link GraphListener} failed: the revocation stands (no
   *     authorization on the subtree permits) and every listener was called, but one that did not
   *     hear it — a grant revocation registry — may still honour the subtree's grants until their
   *     {@code exp}: treat it as a failed revocation of the grants and tell that listener again
   */
  public boolean revoke(String id, String reason) {
    Objects.requireNonNull(reason, "reason");
    return end(id, NodeState.REVOKED, reason);
  }

  private boolean end(String id, NodeState to, String reason) {
    Node n = core.end(Objects.requireNonNull(id, "id"), to, reason);
    if (n == null) {
      return false;
    }
    listeners.ended(n, to, reason);
    return true;
  }

  /**
   * Processes what has come due: nodes past their deadline stop counting as live and release their
   * claims, held nodes they blocked start (or wait on the next conflicting claim), held nodes past
   * their deadline are cancelled, and nodes past their deadline plus the {@linkplain
   * ExecutionGraphOptions#retention retention} are forgotten. Every graph operation does this
   * first, in time bounded by what came due; call it (say, every second) to have held nodes start
   * promptly after a blocker's deadline when the graph is otherwise idle.
   */
  public void sweep() {
    core.sweep();
  }

  /** See {@link GraphCore#heldState}. */
  NodeState heldState(Node n, Instant now) {
    return core.heldState(n, now);
  }

  /** The active claims, for the authorizer's CLAIMED check. */
  Claim[] claims() {
    return core.claims();
  }

  /**
   * The node with this id, if it exists: live nodes, and ended ones until their {@linkplain
   * ExecutionGraphOptions#retention retention} has passed (they are forgotten at the first graph
   * operation after that). Takes no lock.
   */
  public Optional<ExecutionNode> find(String id) {
    return Optional.ofNullable(core.get(id));
  }

  Node get(String id) {
    return core.get(id);
  }

  /** How many nodes the graph remembers (live, and ended within retention); for tests. */
  int knownNodes() {
    return core.knownNodes();
  }

  /**
   * The node with this id.
   *
   * @throws ExecutionGraphException {@link GraphError#INVALID} if there is none
   */
  public ExecutionNode node(String id) {
    Node n = core.get(id);
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

  /**
   * The number of nodes currently active or held. Processes what has come due first (as {@link
   * #sweep()} does): bounded by that, not by the graph's size.
   */
  public int liveNodes() {
    return core.liveNodes();
  }

  /** Configures an {@link ExecutionGraph}; each option can be set once. Not thread-safe. */
  public static final class Builder extends ExecutionGraphOptions {
    private Builder() {}

    public ExecutionGraph build() {
      return new ExecutionGraph(this);
    }
  }
}
