package io.execauthz;

import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.ResourcePattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The graph's node. Fields other than the volatile ones and those guarded by the graph's lock are
 * fixed at spawn.
 *
 * <p><b>Memory.</b> A node keeps what is its own and pointers to its parents: O(1) in its depth.
 * Its lineage (this node and every ancestor once), path and {@link ExecutionView} are kept with it
 * only while the lineage has at most {@link #KEPT_LINEAGE} nodes — every node under the graph's
 * default limits — and are rebuilt on each call above that, in time linear in the lineage (which a
 * request on such a node sends to its policy engine anyway). So a chain n deep holds O(n), not
 * O(n²).
 *
 * <p><b>Its level.</b> It is the {@link ExecutionNode} users see; the {@link Level} of authority a
 * request on it must fit is a small object of its own, built at spawn ({@link #level}), and the
 * levels of its lineage are kept beside the lineage ({@link #levels()}), so that a decision passes
 * the pipeline an array that already exists: no copy and no allocation per decision.
 *
 * <p>Thread-safe: fixed fields are safely published by the graph's map; the rest is volatile or
 * guarded by the graph's lock.
 */
final class Node implements ExecutionNode {
  /** The largest lineage kept as an array (and view) on its node; longer ones are rebuilt. */
  static final int KEPT_LINEAGE = 64;

  private static final Node[] NO_NODES = new Node[0];

  final ExecutionGraph graph;
  final String id;
  final String kind;
  final String principal;
  final List<String> parentIds;
  final Node[] parents;
  final int depth;
  // the number of nodes in the lineage: this node and every ancestor once
  final int lineageSize;
  // every node of the lineage has at most one parent
  final boolean chain;
  final CapabilitySet capabilities;
  final Capability[] caps;
  // this node as a level of authority: its capabilities and their budget counters
  final Level level;
  final Instant deadline;
  final List<ResourcePattern> claims;
  final Map<String, String> attributes;
  final TraceContext trace;
  final long seq;
  final ExecutionView.Lineage self;
  final CompletableFuture<NodeState> started = new CompletableFuture<>();
  // this node first, then every ancestor once; null when longer than KEPT_LINEAGE
  final Node[] keptLineage;
  // the levels of keptLineage, in its order; null with it
  final Level[] keptLevels;
  // null when the lineage is longer than KEPT_LINEAGE
  final ExecutionView keptView;

  /** The node's own state: ACTIVE, HELD, COMPLETED, REVOKED or CANCELLED. */
  volatile NodeState own;

  volatile String endReason;

  /** For a held node, the holder of the claim it waits on; a hint read without the lock. */
  volatile Node blocker;

  // guarded by the graph's lock
  boolean live = true; // counted among the graph's live nodes; false once ended or expired
  int liveChildren; // the length of the children list below
  Node firstChild; // the live children, linked through each child's links
  // per parent i: links[2i] the previous and links[2i+1] the next sibling in parents[i]'s list
  final Node[] links;
  Set<Node> waiters; // held nodes whose blocker is this node; null when none
  Instant due; // when the graph's deadline queue next looks at this node
  boolean expiredInQueue; // the queue's deadline event has passed: next comes forgetting

  Node(
      ExecutionGraph graph,
      NodeSpec spec,
      CapabilitySet capabilities,
      String principal,
      Node[] parents,
      int lineageSize,
      Instant deadline,
      TraceContext trace,
      long seq,
      NodeState initial) {
    this.graph = graph;
    this.id = spec.id();
    this.kind = spec.kind();
    this.principal = principal;
    this.parents = parents;
    this.links = parents.length == 0 ? NO_NODES : new Node[2 * parents.length];
    List<String> pids = new ArrayList<>(parents.length);
    int d = 0;
    for (Node p : parents) {
      pids.add(p.id);
      d = Math.max(d, p.depth + 1);
    }
    this.parentIds = List.copyOf(pids);
    this.depth = d;
    this.lineageSize = lineageSize;
    this.chain = parents.length == 0 || (parents.length == 1 && parents[0].chain);
    this.capabilities = capabilities;
    this.caps = capabilities.asList().toArray(Capability[]::new);
    this.deadline = deadline;
    this.level = Level.ofNode(graph.id(), id, caps, deadline);
    this.claims = spec.claims();
    this.attributes = spec.attributes();
    this.trace = trace;
    this.seq = seq;
    this.own = initial;
    this.self = new ExecutionView.Lineage(id, kind, depth, parentIds);
    if (lineageSize <= KEPT_LINEAGE) {
      this.keptLineage = Lineage.of(this);
      this.keptLevels = levelsOf(keptLineage);
      this.keptView = NodeViews.of(this, keptLineage);
    } else {
      this.keptLineage = null;
      this.keptLevels = null;
      this.keptView = null;
    }
  }

  /**
   * This node first, then every ancestor once: a depth-first walk over the parents in order, the
   * same order as "this node, then each parent's lineage in turn, skipping nodes already listed".
   * Shared by reference with nobody; callers must not change it.
   */
  Node[] lineage() {
    Node[] kept = keptLineage;
    return kept != null ? kept : Lineage.of(this);
  }

  /**
   * The levels of authority a request on this node must fit: its lineage's, in the lineage's order.
   * Kept, not built, for every node under the default limits; shared by reference with nobody, so
   * callers must not change it.
   */
  Level[] levels() {
    Level[] kept = keptLevels;
    return kept != null ? kept : levelsOf(Lineage.of(this));
  }

  private static Level[] levelsOf(Node[] lineage) {
    Level[] out = new Level[lineage.length];
    for (int i = 0; i < lineage.length; i++) {
      out[i] = lineage[i].level;
    }
    return out;
  }

  /** The ids from the root to this node, through first parents. */
  List<String> path() {
    ExecutionView v = keptView;
    return v != null ? v.path() : NodeViews.firstParentPath(this);
  }

  /**
   * The state seen at {@code now}: the node's own HELD or CANCELLED first, then a revoked or
   * completed node anywhere in its lineage, then its deadline (never after its ancestors').
   */
  NodeState stateAt(Instant now) {
    NodeState s = own;
    if (s == NodeState.HELD) {
      return now.isBefore(deadline) ? s : NodeState.CANCELLED;
    }
    if (s == NodeState.CANCELLED) {
      return s;
    }
    boolean completed = false;
    Node[] kept = keptLineage;
    if (kept != null || !chain) {
      for (Node n : kept != null ? kept : Lineage.of(this)) {
        NodeState o = n.own;
        if (o == NodeState.REVOKED) {
          return o;
        }
        completed |= o == NodeState.COMPLETED;
      }
    } else {
      for (Node n = this; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
        NodeState o = n.own;
        if (o == NodeState.REVOKED) {
          return o;
        }
        completed |= o == NodeState.COMPLETED;
      }
    }
    if (completed) {
      return NodeState.COMPLETED;
    }
    return now.isBefore(deadline) ? NodeState.ACTIVE : NodeState.EXPIRED;
  }

  /**
   * The state under the graph's lock once it has processed what came due by {@code now}: O(1) for a
   * live node, since everything that ends one (its end, an ancestor's, its deadline) has then unset
   * {@code live}; the lineage walk of {@link #stateAt} only for the others.
   */
  NodeState lockedState(Instant now) {
    if (live) {
      return own == NodeState.HELD ? NodeState.HELD : NodeState.ACTIVE;
    }
    return stateAt(now);
  }

  /** Whether {@code other} is this node or one of its ancestors. */
  boolean hasInLineage(Node other) {
    return Lineage.contains(this, other);
  }

  /** The position of {@code parent} among this node's parents. */
  int parentIndex(Node parent) {
    for (int i = 0; i < parents.length; i++) {
      if (parents[i] == parent) {
        return i;
      }
    }
    throw new IllegalStateException("'" + parent.id + "' is not a parent of '" + id + "'");
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public List<String> parents() {
    return parentIds;
  }

  @Override
  public int depth() {
    return depth;
  }

  @Override
  public String principal() {
    return principal;
  }

  @Override
  public CapabilitySet capabilities() {
    return capabilities;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public List<ResourcePattern> claims() {
    return claims;
  }

  @Override
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public TraceContext trace() {
    return trace;
  }

  @Override
  public NodeState state() {
    return stateAt(graph.now());
  }

  @Override
  public ExecutionView view() {
    ExecutionView v = keptView;
    return v != null ? v : NodeViews.of(this, Lineage.of(this));
  }

  @Override
  public String toString() {
    return "ExecutionNode[" + id + ", " + kind + ", " + own + ", " + caps.length + " capabilities]";
  }
}
