package io.execauthz.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class InMemoryBudgetLedgerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final InMemoryBudgetLedger ledger =
      new InMemoryBudgetLedger(now::get, Duration.ofMinutes(5), 3);

  private static Budget budget(String node, long max, Instant notAfter) {
    return new Budget("g", node, "tool.call tool:x maxCalls=" + max, max, notAfter);
  }

  private BudgetLedger.Outcome take(Budget... levels) {
    return ledger.take(java.util.Arrays.stream(levels).map(List::of).toList());
  }

  @Test
  void take_isAllOrNothing_acrossLevels() {
    Budget node = budget("t", 2, T0.plusSeconds(60));
    Budget ancestor = budget("s", 1, T0.plusSeconds(60));
    assertThat(take(node, ancestor)).isInstanceOf(BudgetLedger.Taken.class);
    assertThat(take(node, ancestor)).isInstanceOf(BudgetLedger.Exhausted.class);
    // the node's counter was not spent by the refused take
    assertThat(take(node)).isInstanceOf(BudgetLedger.Taken.class);
    assertThat(take(node)).isInstanceOf(BudgetLedger.Exhausted.class);
  }

  @Test
  void aCounter_isKeptUntilTheLatestDeadlineItWasSeenWith() {
    Budget shortSighted = budget("t", 1, T0.plusSeconds(60));
    assertThat(take(shortSighted)).isInstanceOf(BudgetLedger.Taken.class);
    Budget sameWithNodeDeadline = budget("t", 1, T0.plus(Duration.ofHours(1)));
    assertThat(take(sameWithNodeDeadline)).isInstanceOf(BudgetLedger.Exhausted.class);

    now.set(T0.plus(Duration.ofMinutes(30))); // past the first notAfter and its retention
    take(budget("other", 1, T0.plus(Duration.ofHours(1)))); // a new counter: forgets what expired
    assertThat(take(shortSighted)).isInstanceOf(BudgetLedger.Exhausted.class);
    assertThat(ledger.size()).isEqualTo(2);
  }

  @Test
  void countersPastTheirRetention_areForgotten_andAFullLedgerIsUnavailable() {
    take(budget("a", 1, T0));
    take(budget("b", 1, T0));
    take(budget("c", 1, T0));
    assertThat(take(budget("d", 1, T0))).isInstanceOf(BudgetLedger.Unavailable.class);
    assertThat(ledger.size()).isEqualTo(3);

    now.set(T0.plus(Duration.ofMinutes(6)));
    assertThat(take(budget("d", 1, T0.plus(Duration.ofHours(1)))))
        .isInstanceOf(BudgetLedger.Taken.class);
    assertThat(ledger.size()).isEqualTo(1);
  }
}
