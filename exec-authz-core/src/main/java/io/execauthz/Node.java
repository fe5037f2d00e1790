package io.execauthz;

import io.execauthz.spi.BudgetLedger.Budget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The graph's node. Fields other than the volatile ones are fixed at spawn. */
final class Node implements ExecutionNode, Level {
  final ExecutionGraph graph;
  final String id;
  final String kind;
  final String principal;
  final List<String> parentIds;
  final Node[] parents;
  final int depth;
  final CapabilitySet capabilities;
  final Capability[] caps;
  // the ledger's counter of each capability with maxCalls (null where there is none)
  final Budget[] budgets;
  final Instant deadline;
  final List<ResourcePattern> claims;
  final Map<String, String> attributes;
  final TraceContext trace;
  // this node first, then every ancestor once
  final Node[] lineage;
  final List<String> path;
  final List<String> delegators;
  final long seq;
  final ExecutionView.Lineage self;
  final ExecutionView view;
  final CompletableFuture<NodeState> started = new CompletableFuture<>();

  /** The node's own state: ACTIVE, HELD, COMPLETED, REVOKED or CANCELLED. */
  volatile NodeState own;

  volatile String endReason;

  // guarded by the graph's lock
  List<Node> children = new ArrayList<>(0);
  boolean live = true; // counted among the graph's live nodes
  boolean released; // claims and budgets no longer needed

  Node(
      ExecutionGraph graph,
      NodeSpec spec,
      CapabilitySet capabilities,
      String principal,
      Node[] parents,
      Instant deadline,
      TraceContext trace,
      long seq,
      NodeState initial) {
    this.graph = graph;
    this.id = spec.id();
    this.kind = spec.kind();
    this.principal = principal;
    this.parents = parents;
    List<String> pids = new ArrayList<>(parents.length);
    int d = 0;
    for (Node p : parents) {
      pids.add(p.id);
      d = Math.max(d, p.depth + 1);
    }
    this.parentIds = List.copyOf(pids);
    this.depth = d;
    this.capabilities = capabilities;
    this.caps = capabilities.asList().toArray(Capability[]::new);
    this.deadline = deadline;
    this.budgets = Level.budgets(graph.id(), id, caps, deadline);
    this.claims = spec.claims();
    this.attributes = spec.attributes();
    this.trace = trace;
    this.seq = seq;
    this.own = initial;

    java.util.LinkedHashSet<Node> lin = new java.util.LinkedHashSet<>();
    lin.add(this);
    for (Node p : parents) {
      for (Node a : p.lineage) {
        lin.add(a);
      }
    }
    this.lineage = lin.toArray(Node[]::new);

    if (parents.length == 0) {
      this.path = List.of(id);
      this.delegators = List.of(principal);
    } else {
      Node first = parents[0];
      List<String> p = new ArrayList<>(first.path.size() + 1);
      p.addAll(first.path);
      p.add(id);
      this.path = List.copyOf(p);
      List<String> dl = new ArrayList<>(first.delegators);
      if (!dl.get(dl.size() - 1).equals(principal)) {
        dl.add(principal);
      }
      this.delegators = List.copyOf(dl);
    }
    this.self = new ExecutionView.Lineage(id, kind, depth, parentIds);
    List<ExecutionView.Lineage> lv = new ArrayList<>(lineage.length);
    for (Node n : lineage) {
      lv.add(n.self);
    }
    this.view =
        new ExecutionView(
            graph.id(),
            id,
            kind,
            depth,
            principal,
            path,
            lv,
            delegators,
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

  /** Whether {@code other} is this node or one of its ancestors. */
  boolean hasInLineage(Node other) {
    for (Node n : lineage) {
      if (n == other) {
        return true;
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
    for (Node n : lineage) {
      NodeState o = n.own;
      if (o == NodeState.REVOKED) {
        return o;
      }
      completed |= o == NodeState.COMPLETED;
    }
    if (completed) {
      return NodeState.COMPLETED;
    }
    return now.isBefore(deadline) ? NodeState.ACTIVE : NodeState.EXPIRED;
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
    return view;
  }

  @Override
  public String toString() {
    return "ExecutionNode[" + id + ", " + kind + ", " + own + ", " + caps.length + " capabilities]";
  }
}
