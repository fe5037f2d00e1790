package io.execauthz.spi;

import io.execauthz.internal.InMemoryBudgetLedger;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;

/**
 * Where {@code maxCalls} budgets are counted (CONTRACT §2, invariant 10). A budget belongs to a
 * node, not to a grant: every decision for the node or its subtree that uses the same ledger — in
 * the graph, through any grant minted or attenuated for it, in any process sharing the ledger —
 * draws from the same counter, identified by {@code (scope, node, capability)}.
 *
 * <p>A request is checked against several levels (the node and every budgeted ancestor); at each
 * level it may be served by several budgeted capabilities, tried in order. {@link #take} spends one
 * call at every level, all or nothing. Only permitted calls spend: the authorizer checks first,
 * asks the policy engine, then takes, and refunds if a later step (the audit) refuses.
 *
 * <p>Implementations must be thread-safe. They fail closed: when they cannot answer in time they
 * return {@link Unavailable}, which the authorizer turns into a deny with {@code UNAVAILABLE}.
 */
public interface BudgetLedger {

  /**
   * One counter: the budget of one capability of one node. Identified by scope, node and capability
   * text; {@code maxCalls} is where it starts and {@code notAfter} when no decision can need it any
   * more (the node's deadline), after which a ledger may forget it.
   *
   * @param scope the graph the node belongs to
   * @param nodeId the node whose capability it is
   * @param capability the capability's canonical text
   */
  record Budget(String scope, String nodeId, String capability, long maxCalls, Instant notAfter) {
    public Budget {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(capability, "capability");
      Objects.requireNonNull(notAfter, "notAfter");
      if (maxCalls < 0) {
        throw new IllegalArgumentException("maxCalls must be >= 0, was " + maxCalls);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Budget b
          && b.nodeId.equals(nodeId)
          && b.capability.equals(capability)
          && b.scope.equals(scope);
    }

    @Override
    public int hashCode() {
      return (scope.hashCode() * 31 + nodeId.hashCode()) * 31 + capability.hashCode();
    }
  }

  /** What a check or a take found. */
  sealed interface Outcome permits Taken, Exhausted, Unavailable {}

  /**
   * Every level has calls left (a check), or one call was spent at each (a take).
   *
   * @param budgets the counters chosen, one per level, to refund with
   */
  record Taken(List<Budget> budgets) implements Outcome {
    public Taken {
      budgets = List.copyOf(budgets);
    }
  }

  /** No candidate of some level has calls left. */
  record Exhausted(Budget budget) implements Outcome {
    public Exhausted {
      Objects.requireNonNull(budget, "budget");
    }
  }

  /** The ledger could not answer (unreachable, full, too slow): deny, fail closed. */
  record Unavailable(String detail) implements Outcome {
    public Unavailable {
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * Whether every level has a candidate with calls left, spending nothing.
   *
   * @param levels per level, the candidate budgets in order of preference (none empty)
   */
  Outcome check(List<List<Budget>> levels);

  /** Spends one call of the first candidate with calls left at every level, all or nothing. */
  Outcome take(List<List<Budget>> levels);

  /** Gives back calls a {@link Taken} spent, when a later step refused the call. */
  void refund(List<Budget> taken);

  /**
   * A ledger in this JVM's memory: counters kept until five minutes after their {@code notAfter},
   * at most one million of them (a new counter beyond that is {@link Unavailable}, never an old one
   * forgotten early).
   */
  static BudgetLedger inMemory(InstantSource clock) {
    return new InMemoryBudgetLedger(clock, Duration.ofMinutes(5), 1_000_000);
  }

  /** A ledger in memory with this retention after {@code notAfter} and this many counters. */
  static BudgetLedger inMemory(InstantSource clock, Duration retention, int maxCounters) {
    return new InMemoryBudgetLedger(clock, retention, maxCounters);
  }
}
