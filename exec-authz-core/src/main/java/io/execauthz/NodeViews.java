package io.execauthz;

import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link ExecutionView} of a node — what its policy engine and its grants see — and its
 * first-parent path. A node keeps its view when its lineage is short ({@link Node#KEPT_LINEAGE})
 * and has it rebuilt here on each call otherwise.
 *
 * <p>Stateless; reads only what is fixed on a node at spawn, so safe from any thread.
 */
final class NodeViews {
  private NodeViews() {}

  /** The ids from the root to {@code node}, through first parents. */
  static List<String> firstParentPath(Node node) {
    String[] ids = new String[depthThroughFirstParents(node)];
    int i = ids.length;
    for (Node n = node; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
      ids[--i] = n.id;
    }
    return List.of(ids);
  }

  private static int depthThroughFirstParents(Node node) {
    int count = 0;
    for (Node n = node; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
      count++;
    }
    return count;
  }

  /** The view of {@code node}, whose lineage is {@code lineage}. */
  static ExecutionView of(Node node, Node[] lineage) {
    List<String> path = firstParentPath(node);
    // the principals from the root down, consecutive repeats dropped
    List<String> dl = new ArrayList<>(4);
    String[] ps = new String[path.size()];
    int i = ps.length;
    for (Node n = node; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
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
        node.graph.id(),
        node.id,
        node.kind,
        node.depth,
        node.principal,
        path,
        lv,
        dl,
        node.attributes,
        node.capabilities,
        node.deadline,
        node.trace,
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
}
