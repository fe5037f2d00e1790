package io.execauthz;

import io.execauthz.capability.Capability;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 5b of the pipeline: which {@code maxCalls} counters a permit would spend, level by level,
 * and how a ledger's answer becomes a deny. The plan depends only on what the gate depends on, so
 * it is cached with it; spending is always live, in the {@link BudgetLedger}.
 */
final class BudgetPlan {
  private BudgetPlan() {}

  /**
   * Per level where a budget must be spent, the counters of the capabilities that serve the
   * request, in order: nothing where an unbudgeted capability serves it. Null when some ancestor
   * has no capability serving the request at all.
   */
  static DecisionCache.Budgets plan(
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
          continue; // a grant's ancestor lists only what can spend: nothing to spend here
        }
        return null;
      }
      if (!free) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        if (!out.contains(budgeted)) { // a re-minted grant's own capabilities, counted once
          out.add(List.copyOf(budgeted));
        }
      }
    }
    return new DecisionCache.Budgets(out == null ? null : List.copyOf(out));
  }

  /** The deny for a ledger outcome that refuses, or null when there are calls to spend. */
  static Decision refusal(String id, BudgetLedger.Outcome o, List<String> path) {
    if (o instanceof BudgetLedger.Taken) {
      return null;
    }
    if (o instanceof BudgetLedger.Exhausted e) {
      return Decisions.deny(
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
      return Decisions.deny(
          id, Reason.UNAVAILABLE, "the budget ledger cannot answer: " + u.detail(), path);
    }
    return Decisions.deny(id, Reason.ERROR, "the budget ledger gave no answer", path);
  }
}
