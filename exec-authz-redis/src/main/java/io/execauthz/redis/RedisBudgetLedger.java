package io.execauthz.redis;

import io.execauthz.spi.BudgetLedger;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link BudgetLedger} whose counters live in Redis, so that every process deciding for the same
 * node lineage draws from the same {@code maxCalls} (invariant 10). A check or a take is one Lua
 * script run atomically by the server: for each level, the first candidate with calls left; a take
 * spends one call at every level or, if some level has none, none at all. A counter is created full
 * on its first take, and kept until five minutes after the latest {@code notAfter} any take has
 * named (extended, never shortened), so it never outlives its node by much and never vanishes while
 * a later deadline can still use it.
 *
 * <p>Key: {@code <prefix>:b:{<graph hash>}:<node and capability hash>}, a hash of {@code l} (calls
 * left) and {@code u} (kept until, epoch ms). The graph's hash is the key's hash tag, so every
 * level of one request lands in one cluster slot.
 *
 * <p>Fail closed: when Redis does not answer within the store's timeout, {@link #check} and {@link
 * #take} return {@link Unavailable}; a failed {@link #refund} is logged and lost (the budget only
 * ever ends up smaller, never larger). Thread-safe.
 */
final class RedisBudgetLedger implements BudgetLedger {
  private static final System.Logger LOG = System.getLogger(RedisBudgetLedger.class.getName());

  /** Retention after {@code notAfter}, as the in-memory ledger's. */
  static final Duration RETENTION = Duration.ofMinutes(5);

  private static final long MAX_MILLIS = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

  // KEYS: candidates, level by level. ARGV: mode, levels, count per level, then per key: max, until
  private static final String SPEND =
      """
      local take = ARGV[1] == 'take'
      local levels = tonumber(ARGV[2])
      local base = 3 + levels
      local k = 1
      local picks = {}
      for i = 1, levels do
        local pick = 0
        for j = 1, tonumber(ARGV[2 + i]) do
          if pick == 0 then
            local max = tonumber(ARGV[base + 2 * (k - 1)])
            local left = redis.call('HGET', KEYS[k], 'l')
            if left then left = tonumber(left) else left = max end
            if left > 0 then
              pick = k
              if take then
                local untilMs = tonumber(ARGV[base + 2 * (k - 1) + 1])
                if redis.call('EXISTS', KEYS[k]) == 0 then
                  redis.call('HSET', KEYS[k], 'l', max - 1, 'u', untilMs)
                  redis.call('PEXPIREAT', KEYS[k], untilMs)
                else
                  redis.call('HINCRBY', KEYS[k], 'l', -1)
                  local u = tonumber(redis.call('HGET', KEYS[k], 'u') or '0')
                  if untilMs > u then
                    redis.call('HSET', KEYS[k], 'u', untilMs)
                    redis.call('PEXPIREAT', KEYS[k], untilMs)
                  end
                end
              end
            end
          end
          k = k + 1
        end
        if pick == 0 then
          if take then
            for p = 1, i - 1 do redis.call('HINCRBY', KEYS[picks[p]], 'l', 1) end
          end
          return {0, i}
        end
        picks[i] = pick
      end
      local r = {1}
      for i = 1, levels do r[i + 1] = picks[i] end
      return r
      """;

  private static final String REFUND =
      """
      for i = 1, #KEYS do
        if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('HINCRBY', KEYS[i], 'l', 1) end
      end
      return #KEYS
      """;

  private final RedisStore store;
  private final Scripts spend;
  private final Scripts refund;

  RedisBudgetLedger(RedisStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.spend = new Scripts(store.commands(), SPEND);
    this.refund = new Scripts(store.commands(), REFUND);
  }

  @Override
  public Outcome check(List<List<Budget>> levels) {
    return run("check", levels);
  }

  @Override
  public Outcome take(List<List<Budget>> levels) {
    return run("take", levels);
  }

  private Outcome run(String mode, List<List<Budget>> levels) {
    List<Budget> flat = new ArrayList<>();
    List<String> args = new ArrayList<>();
    args.add(mode);
    args.add(Integer.toString(levels.size()));
    for (List<Budget> candidates : levels) {
      if (candidates.isEmpty()) {
        throw new IllegalArgumentException("a level has no candidate budget");
      }
      args.add(Integer.toString(candidates.size()));
      flat.addAll(candidates);
    }
    String[] keys = new String[flat.size()];
    for (int i = 0; i < keys.length; i++) {
      Budget b = flat.get(i);
      keys[i] = key(b);
      args.add(Long.toString(b.maxCalls()));
      args.add(Long.toString(keepUntil(b.notAfter())));
      if (store.cluster() && !b.scope().equals(flat.get(0).scope())) {
        // one script call runs on one cluster node: its keys must share a hash slot
        return new Unavailable(
            "budgets of two graphs in one call cannot be spent atomically on a Redis Cluster");
      }
    }
    List<Object> r;
    try {
      r =
          spend.run(
              store,
              ScriptOutputType.MULTI,
              keys,
              args.toArray(String[]::new),
              store.timeout(),
              "the budget ledger");
    } catch (RedisUnavailableException e) {
      return new Unavailable(e.getMessage());
    }
    if (((Long) r.get(0)) == 0L) {
      int level = ((Long) r.get(1)).intValue();
      return new Exhausted(levels.get(level - 1).get(0));
    }
    List<Budget> chosen = new ArrayList<>(levels.size());
    for (int i = 1; i < r.size(); i++) {
      chosen.add(flat.get(((Long) r.get(i)).intValue() - 1));
    }
    return new Taken(chosen);
  }

  @Override
  public void refund(List<Budget> taken) {
    if (taken.isEmpty()) {
      return;
    }
    try {
      refund.run(
          store,
          ScriptOutputType.INTEGER,
          taken.stream().map(this::key).toArray(String[]::new),
          new String[0],
          store.timeout(),
          "a budget refund");
    } catch (RedisUnavailableException e) {
      // the calls stay spent: the budget is smaller than it should be, never larger
      LOG.log(
          System.Logger.Level.WARNING,
          "{0}; {1} call(s) not refunded",
          e.getMessage(),
          taken.size());
    }
  }

  String key(Budget b) {
    return store.prefix()
        + ":b:{"
        + Keys.hash(b.scope())
        + "}:"
        + Keys.hash(b.nodeId(), b.capability());
  }

  private static long keepUntil(Instant notAfter) {
    if (notAfter.isAfter(Instant.ofEpochMilli(MAX_MILLIS).minus(RETENTION))) {
      return MAX_MILLIS;
    }
    return Math.max(1, notAfter.plus(RETENTION).toEpochMilli());
  }

  @Override
  public String toString() {
    return "BudgetLedger[redis " + store.where() + "]";
  }
}
