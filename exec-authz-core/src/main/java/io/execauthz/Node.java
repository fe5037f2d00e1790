package io.execauthz;

import io.execauthz.spi.BudgetLedger.Budget;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
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
 */
final class Node implements ExecutionNode, Level {
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
  private final boolean chain;
  final CapabilitySet capabilities;
  final Capability[] caps;
  // the ledger's counter of each capability with maxCalls (null where there is none)
  final Budget[] budgets;
  final Instant deadline;
  final List<ResourcePattern> claims;
  final Map<String, String> attributes;
  final TraceContext trace;
  final long seq;
  final ExecutionView.Lineage self;
  final CompletableFuture<NodeState> started = new CompletableFuture<>();
  // this node first, then every ancestor once; null when longer than KEPT_LINEAGE
  private final Node[] keptLineage;
  // null when the lineage is longer than KEPT_LINEAGE
  private final ExecutionView keptView;

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
    this.budgets = Level.budgets(graph.id(), id, caps, deadline);
    this.claims = spec.claims();
    this.attributes = spec.attributes();
    this.trace = trace;
    this.seq = seq;
    this.own = initial;
    this.self = new ExecutionView.Lineage(id, kind, depth, parentIds);
    if (lineageSize <= KEPT_LINEAGE) {
      this.keptLineage = computeLineage();
      this.keptView = buildView(keptLineage);
    } else {
      this.keptLineage = null;
      this.keptView = null;
    }
  }

  /**
   * The number of distinct nodes in the lineage of a node with these parents (itself included),
   * counted up to {@code cap + 1}: linear in the parents' lineages, stopping early past the cap.
   */
  static int lineageSizeOf(Node[] parents, int cap) {
    if (parents.length == 0) {
      return 1;
    }
    if (parents.length == 1) {
      return parents[0].lineageSize + 1;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    for (Node p : parents) {
      stack.push(p);
    }
    int count = 1;
    while (!stack.isEmpty() && count <= cap) {
      Node n = stack.pop();
      if (!seen.add(n)) {
        continue;
      }
      count++;
      for (Node p : n.parents) {
        stack.push(p);
      }
    }
    return count;
  }

  /**
   * This node first, then every ancestor once: a depth-first walk over the parents in order, the
   * same order as "this node, then each parent's lineage in turn, skipping nodes already listed".
   * Shared by reference with nobody; callers must not change it.
   */
  Node[] lineage() {
    Node[] kept = keptLineage;
    return kept != null ? kept : computeLineage();
  }

  private Node[] computeLineage() {
    Node[] out = new Node[lineageSize];
    int i = 0;
    if (isChain()) {
      for (Node n = this; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
        out[i++] = n;
      }
      return out;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>(lineageSize * 2));
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(this);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (!seen.add(n)) {
        continue;
      }
      out[i++] = n;
      for (int k = n.parents.length - 1; k >= 0; k--) {
        stack.push(n.parents[k]);
      }
    }
    return out;
  }

  /** Whether every node of the lineage has at most one parent: then it is the parent chain. */
  private boolean isChain() {
    return chain;
  }

  /** The ids from the root to this node, through first parents. */
  List<String> path() {
    ExecutionView v = keptView;
    return v != null ? v.path() : firstParentPath();
  }

  private List<String> firstParentPath() {
    String[] ids = new String[depthThroughFirstParents()];
    int i = ids.length;
    for (Node n = this; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
      ids[--i] = n.id;
    }
    return List.of(ids);
  }

  private int depthThroughFirstParents() {
    int count = 0;
    for (Node n = this; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
      count++;
    }
    return count;
  }

  private ExecutionView buildView(Node[] lineage) {
    List<String> path = firstParentPath();
    // the principals from the root down, consecutive repeats dropped
    List<String> dl = new ArrayList<>(4);
    String[] ps = new String[path.size()];
    int i = ps.length;
    for (Node n = this; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
      ps[--i] = n.principal;
    }
    for (String p : ps) {
      if (dl.isEmpty() || !dl.get(dl.size() - 1).equals(p)) {
        dl.add(p);
      }
    }
    List<ExecutionView.Lineage> lv = new ArrayList<>(lineage.length);
    for (Node n : lineage) {
      lv.add(n.self);
    }
    return new ExecutionView(
        graph.id(),
        id,
        kind,
        depth,
        principal,
        path,
        lv,
        dl,
        attributes,
        capabilities,
        deadline,
        trace,
        budgetScopes(lineage));
  }

  /**
   * For each ancestor with a budget, its budgeted capabilities and those overlapping them: enough
   * for a grant of this node to spend exactly the ancestors' budgets the graph would.
   */
  private static List<ExecutionView.BudgetScope> budgetScopes(Node[] lineage) {
    List<ExecutionView.BudgetScope> out = new ArrayList<>(0);
    for (int i = 1; i < lineage.length; i++) {
      Node a = lineage[i];
      List<Capability> budgeted = new ArrayList<>(0);
      for (Capability c : a.caps) {
        if (c.maxCalls().isPresent()) {
          budgeted.add(c);
        }
      }
      if (budgeted.isEmpty()) {
        continue;
      }
      List<Capability> keep = new ArrayList<>(budgeted);
      for (Capability c : a.caps) {
        if (c.maxCalls().isEmpty()) {
          for (Capability b : budgeted) {
            if (c.action().overlaps(b.action()) && c.resource().overlaps(b.resource())) {
              keep.add(c);
              break;
            }
          }
        }
      }
      out.add(new ExecutionView.BudgetScope(a.id, CapabilitySet.of(keep), a.deadline));
    }
    return out;
  }

  /**
   * Whether {@code other} is this node or one of its ancestors: a scan of the kept lineage, or a
   * walk up the parents that never goes above {@code other}'s depth.
   */
  boolean hasInLineage(Node other) {
    if (other == this) {
      return true;
    }
    if (other.depth >= depth || other.seq > seq || other.graph != graph) {
      return false;
    }
    Node[] kept = keptLineage;
    if (kept != null) {
      for (Node n : kept) {
        if (n == other) {
          return true;
        }
      }
      return false;
    }
    if (isChain()) {
      Node n = this;
      while (n.depth > other.depth) {
        n = n.parents[0];
      }
      return n == other;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(this);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (n == other) {
        return true;
      }
      if (n.depth <= other.depth || !seen.add(n)) {
        continue;
      }
      for (Node p : n.parents) {
        stack.push(p);
      }
    }
    return false;
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
    if (kept != null || !isChain()) {
      for (Node n : kept != null ? kept : computeLineage()) {
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
  public String levelId() {
    return id;
  }

  @Override
  public Capability[] levelCapabilities() {
    return caps;
  }

  @Override
  public Budget[] levelBudgets() {
    return budgets;
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
    return v != null ? v : buildView(computeLineage());
  }

  @Override
  public String toString() {
    return "ExecutionNode[" + id + ", " + kind + ", " + own + ", " + caps.length + " capabilities]";
  }
}
