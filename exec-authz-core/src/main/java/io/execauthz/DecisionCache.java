package io.execauthz;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.PolicyDecision;
import java.time.Instant;
import java.util.List;

/**
 * The fast-path decision cache (ARCHITECTURE §3 step 3), behind the authorizer.
 *
 * <p>What is cached is only what cannot go stale unnoticed. Liveness (revoked, completed, expired,
 * held) is checked before every lookup and never cached. An entry holds the outcome of the
 * capability gate, the claims check and the approval check, valid while the graph's claim set is
 * the very one it was computed against and until the earliest {@code until} of a matching
 * capability (or the deadline of a claim that refused it); and, beside it, the policy engine's
 * answer, valid only for the same engine {@link io.execauthz.spi.PolicyEngine#version() version}
 * and, when the engine {@link io.execauthz.spi.PolicyEngine#readsTime() reads the time}, the same
 * second. Budgets are planned and consumed live on every request. Invalid entries are not served;
 * they are replaced or evicted by size. So a cached decision is never served after a revocation, a
 * completion, a deadline, a policy reload, a claim change or a budget change that affects it
 * (invariant 5).
 *
 * <p>Thread-safe.
 */
final class DecisionCache {
  /** A cache that holds nothing. */
  static final DecisionCache DISABLED = new DecisionCache(0);

  /**
   * What the request was: the subject (a graph node, or a grant's view) is compared by identity,
   * the rest by value.
   */
  static final class Key {
    final Object subject;
    final String action;
    final String resource;
    final Args args;
    final boolean approved;
    private final int hash;

    Key(Object subject, String action, String resource, Args args, boolean approved) {
      this.subject = subject;
      this.action = action;
      this.resource = resource;
      this.args = args;
      this.approved = approved;
      int h = System.identityHashCode(subject);
      h = 31 * h + action.hashCode();
      h = 31 * h + resource.hashCode();
      // the arguments' hash is computed once, when the request copies them
      h = 31 * h + args.hashCode();
      this.hash = 31 * h + (approved ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.subject == subject
          && k.approved == approved
          && k.hash == hash
          && k.action.equals(action)
          && k.resource.equals(resource)
          && k.args.equals(args);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * The outcome of the gate, claims and approval checks for one request.
   *
   * @param deny the reason they refused it, or null when they passed
   * @param budgets the budget counters a permit could draw on (when they passed)
   * @param claims the graph's claim set it was computed against (null for a grant's view)
   * @param validUntil the instant from which it may no longer hold
   */
  record Gate(
      Reason deny,
      String detail,
      Budgets budgets,
      ExecutionGraph.Claim[] claims,
      Instant validUntil) {}

  /**
   * For every level of the lineage where a budget must be spent, the ledger counters that can serve
   * a request, in order; {@code levels} is null when no level has a budget to spend.
   */
  record Budgets(List<List<BudgetLedger.Budget>> levels) {}

  /** A gate outcome with, once computed, the policy engine's answer. */
  record Entry(
      Gate gate,
      PolicyDecision policy,
      long policyVersion,
      boolean readsTime,
      long epochSecond,
      PolicyDecision shadow,
      long shadowVersion) {
    Entry(
        Gate gate, PolicyDecision policy, long policyVersion, boolean readsTime, long epochSecond) {
      this(gate, policy, policyVersion, readsTime, epochSecond, null, 0);
    }

    boolean policyValid(long version, long second) {
      return policy != null && policyVersion == version && (!readsTime || epochSecond == second);
    }
  }

  private final Cache<Key, Entry> cache;
  // a doorkeeper (as in TinyLFU): a request is kept only when it was seen before, so calls whose
  // arguments differ every time cost one bit, not a cache insertion that is never read
  private final java.util.concurrent.atomic.AtomicLongArray seen;
  private final java.util.concurrent.atomic.LongAdder sightings =
      new java.util.concurrent.atomic.LongAdder();
  private final int seenMask;
  private final long resetEvery;
  private final java.util.concurrent.atomic.LongAdder hits =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder misses =
      new java.util.concurrent.atomic.LongAdder();

  DecisionCache(long maximumSize) {
    this(maximumSize, true);
  }

  /**
   * @param doorkeeper keep a request only from its second sighting on (the default); off, every
   *     answer is kept at once (for tests that count how often the engine is asked)
   */
  DecisionCache(long maximumSize, boolean doorkeeper) {
    this.cache =
        maximumSize <= 0
            ? null
            // maintenance (eviction, buffer draining) on the calling thread: the default hands it
            // to the common pool, and waking a pool thread on every insert cost a cache miss about
            // 15 µs on top of its Cedar call on a 2-vCPU machine (docs/benchmarks.md, P2)
            : Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .executor(Runnable::run)
                .recordStats()
                .build();
    // about 8 bits per entry the cache may hold, at least 4,096 and at most 8 Mi bits (1 MiB)
    long bits =
        Math.max(4096, Math.min(1L << 23, Long.highestOneBit(Math.max(1, maximumSize)) << 3));
    this.seen =
        maximumSize <= 0 || !doorkeeper
            ? null
            : new java.util.concurrent.atomic.AtomicLongArray((int) (bits >>> 6));
    this.seenMask = (int) bits - 1;
    this.resetEvery = bits / 8; // at most 1 in 8 bits set: few one-offs pass for repeats
  }

  boolean enabled() {
    return cache != null;
  }

  /** The entry for this key if its gate outcome still holds at {@code now}, else null. */
  Entry get(Key key, ExecutionGraph.Claim[] claims, Instant now) {
    if (cache == null) {
      return null;
    }
    Entry e = cache.getIfPresent(key);
    if (e == null || e.gate().claims() != claims || !now.isBefore(e.gate().validUntil())) {
      misses.increment();
      return null;
    }
    hits.increment();
    return e;
  }

  void put(Key key, Entry entry) {
    if (cache != null && (seen == null || seenBefore(key))) {
      cache.put(key, entry);
    }
  }

  /**
   * Whether a key with this hash was offered before (since the last reset), recording it. A false
   * "yes" only lets a one-off request in; a false "no" only delays caching by one more call.
   */
  private boolean seenBefore(Key key) {
    int h = key.hashCode() * 0x9E3779B9;
    int bit = (h ^ (h >>> 16)) & seenMask;
    int word = bit >>> 6;
    long mask = 1L << (bit & 63);
    long old = seen.get(word);
    if ((old & mask) != 0) {
      return true;
    }
    seen.getAndUpdate(word, w -> w | mask);
    sightings.increment();
    if (sightings.sum() >= resetEvery) {
      // an eighth full: forget, so the filter keeps telling repeats from one-offs
      sightings.reset();
      for (int i = 0; i < seen.length(); i++) {
        seen.set(i, 0);
      }
    }
    return false;
  }

  CacheStats stats() {
    if (cache == null) {
      return new CacheStats(0, 0, 0, 0);
    }
    var s = cache.stats();
    return new CacheStats(hits.sum(), misses.sum(), s.evictionCount(), cache.estimatedSize());
  }
}
