package io.execauthz;

import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.spi.BudgetLedger.Budget;
import java.time.Instant;
import java.util.List;

/**
 * One level of authority a request must fit: a graph node or one of its ancestors, the view rebuilt
 * from a verified grant, or a grant's budgeted ancestor. Its budgets are the ledger's counters
 * parallel to its capabilities (null where a capability has no {@code maxCalls}).
 *
 * <p>A node builds its level once, at spawn, and keeps its lineage's levels as an array beside its
 * lineage, so a decision on a graph node allocates no level. The arrays are shared, never copied:
 * nobody may change them.
 *
 * <p>Immutable, so thread-safe once published.
 */
final class Level {
  private final String id;
  private final Capability[] caps;
  private final Budget[] budgets;
  private final boolean budgetOnly;

  Level(String id, Capability[] caps, Budget[] budgets, boolean budgetOnly) {
    this.id = id;
    this.caps = caps;
    this.budgets = budgets;
    this.budgetOnly = budgetOnly;
  }

  /** The level of a graph node: its capabilities and their counters, until its deadline. */
  static Level ofNode(String graphId, String nodeId, Capability[] caps, Instant deadline) {
    return new Level(nodeId, caps, budgets(graphId, nodeId, caps, deadline), false);
  }

  String levelId() {
    return id;
  }

  Capability[] levelCapabilities() {
    return caps;
  }

  Budget[] levelBudgets() {
    return budgets;
  }

  /**
   * Whether this level lists only the capabilities that can spend a budget (a grant's ancestor): a
   * request none of them matches spends nothing here, rather than being outside the level.
   */
  boolean budgetOnly() {
    return budgetOnly;
  }

  @Override
  public String toString() {
    return "Level[" + id + "]";
  }

  /** The budget counters of these capabilities: one per capability with {@code maxCalls}. */
  static Budget[] budgets(String scope, String nodeId, Capability[] caps, Instant notAfter) {
    Budget[] budgets = new Budget[caps.length];
    for (int i = 0; i < caps.length; i++) {
      if (caps[i].maxCalls().isPresent()) {
        budgets[i] =
            new Budget(scope, nodeId, caps[i].toString(), caps[i].maxCalls().getAsLong(), notAfter);
      }
    }
    return budgets;
  }

  /** The levels of a view without a graph behind it: the node, then its budgeted ancestors. */
  static Level[] of(ExecutionView view) {
    List<ExecutionView.BudgetScope> scopes = view.budgetScopes();
    Level[] out = new Level[1 + scopes.size()];
    // the node's own counters live until the node's deadline (its scope says it when the grant
    // carries one), not until the grant's exp: a short grant must not let a budget restart
    Instant own = view.deadline();
    for (ExecutionView.BudgetScope s : scopes) {
      if (s.nodeId().equals(view.nodeId()) && s.notAfter().isAfter(own)) {
        own = s.notAfter();
      }
    }
    out[0] = level(view.graphId(), view.nodeId(), view.capabilities(), own, false);
    for (int i = 0; i < scopes.size(); i++) {
      ExecutionView.BudgetScope s = scopes.get(i);
      out[i + 1] = level(view.graphId(), s.nodeId(), s.capabilities(), s.notAfter(), true);
    }
    return out;
  }

  private static Level level(
      String scope, String id, CapabilitySet set, Instant notAfter, boolean budgetOnly) {
    Capability[] caps = set.asList().toArray(Capability[]::new);
    return new Level(id, caps, budgets(scope, id, caps, notAfter), budgetOnly);
  }
}
