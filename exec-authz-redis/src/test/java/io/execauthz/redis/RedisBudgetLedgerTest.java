package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import io.execauthz.spi.BudgetLedger.Exhausted;
import io.execauthz.spi.BudgetLedger.Taken;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Lua budget ledger on a real Redis: levels, candidates, all or nothing, refunds, TTLs. */
final class RedisBudgetLedgerTest {
  private final RedisStore store =
      RedisStore.newBuilder().uri(TestRedis.sharedUri()).keyPrefix(TestRedis.prefix()).build();
  private final RedisBudgetLedger ledger = (RedisBudgetLedger) store.budgetLedger();
  private final Instant until = Instant.now().plus(Duration.ofMinutes(10));

  @AfterEach
  void close() {
    store.close();
  }

  private Budget budget(String node, long max) {
    return new Budget("graph-1", node, "tool.call tool:** maxCalls=" + max, max, until);
  }

  @Test
  void take_spendsOneCallAtEveryLevel_andStopsAtTheSmallest() {
    Budget parent = budget("s", 5);
    Budget child = budget("t", 2);
    List<List<Budget>> levels = List.of(List.of(child), List.of(parent));
    assertThat(ledger.take(levels)).isEqualTo(new Taken(List.of(child, parent)));
    assertThat(ledger.take(levels)).isEqualTo(new Taken(List.of(child, parent)));
    assertThat(ledger.take(levels)).isEqualTo(new Exhausted(child));
    // all or nothing: the parent lost nothing to the refused third take
    assertThat(ledger.take(List.of(List.of(parent)))).isInstanceOf(Taken.class);
    assertThat(ledger.take(List.of(List.of(parent)))).isInstanceOf(Taken.class);
    assertThat(ledger.take(List.of(List.of(parent)))).isInstanceOf(Taken.class);
    assertThat(ledger.take(List.of(List.of(parent)))).isEqualTo(new Exhausted(parent));
  }

  @Test
  void aLaterLevelExhausted_spendsNothingAtEarlierOnes() {
    Budget child = budget("t", 3);
    Budget parent = budget("s", 0);
    assertThat(ledger.take(List.of(List.of(child), List.of(parent))))
        .isEqualTo(new Exhausted(parent));
    assertThat(ledger.take(List.of(List.of(child)))).isInstanceOf(Taken.class);
    assertThat(ledger.take(List.of(List.of(child)))).isInstanceOf(Taken.class);
    assertThat(ledger.take(List.of(List.of(child)))).isInstanceOf(Taken.class);
    assertThat(ledger.take(List.of(List.of(child)))).isEqualTo(new Exhausted(child));
  }

  @Test
  void take_usesTheFirstCandidateWithCallsLeft_andCheckSpendsNothing() {
    Budget narrow = new Budget("graph-1", "t", "tool.call tool:a maxCalls=1", 1, until);
    Budget wide = new Budget("graph-1", "t", "tool.call tool:* maxCalls=2", 2, until);
    List<List<Budget>> levels = List.of(List.of(narrow, wide));
    assertThat(ledger.check(levels)).isEqualTo(new Taken(List.of(narrow)));
    assertThat(ledger.check(levels)).isEqualTo(new Taken(List.of(narrow)));
    assertThat(ledger.take(levels)).isEqualTo(new Taken(List.of(narrow)));
    assertThat(ledger.take(levels)).isEqualTo(new Taken(List.of(wide)));
    assertThat(ledger.take(levels)).isEqualTo(new Taken(List.of(wide)));
    assertThat(ledger.check(levels)).isEqualTo(new Exhausted(narrow));
    assertThat(ledger.take(levels)).isEqualTo(new Exhausted(narrow));
  }

  @Test
  void refund_givesTheCallBack() {
    Budget b = budget("t", 1);
    Taken taken = (Taken) ledger.take(List.of(List.of(b)));
    assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(Exhausted.class);
    ledger.refund(taken.budgets());
    assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(Taken.class);
  }

  @Test
  void aCounterExpiresAfterItsNotAfter_extendedNeverShortened() {
    Budget early = new Budget("graph-1", "t", "c", 10, Instant.now().plus(Duration.ofMinutes(1)));
    Budget late = new Budget("graph-1", "t", "c", 10, Instant.now().plus(Duration.ofHours(2)));
    ledger.take(List.of(List.of(early)));
    long first = pttl(ledger.key(early));
    // five minutes of retention after notAfter
    assertThat(first).isBetween(Duration.ofMinutes(5).toMillis(), Duration.ofMinutes(6).toMillis());
    ledger.take(List.of(List.of(late)));
    long extended = pttl(ledger.key(late));
    assertThat(extended).isGreaterThan(Duration.ofHours(2).toMillis());
    ledger.take(List.of(List.of(early)));
    assertThat(pttl(ledger.key(early))).isGreaterThan(Duration.ofHours(2).toMillis());
  }

  @Test
  void twoProcessesWorthOfStores_shareOneCounter() {
    try (RedisStore other =
        RedisStore.newBuilder().uri(TestRedis.sharedUri()).keyPrefix(store.prefix()).build()) {
      BudgetLedger second = other.budgetLedger();
      Budget b = budget("t", 2);
      assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(Taken.class);
      assertThat(second.take(List.of(List.of(b)))).isInstanceOf(Taken.class);
      assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(Exhausted.class);
      assertThat(second.take(List.of(List.of(b)))).isInstanceOf(Exhausted.class);
    }
  }

  private static long pttl(String key) {
    RedisClient c = RedisClient.create(TestRedis.sharedUri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().pttl(key);
    } finally {
      c.shutdown();
    }
  }
}
