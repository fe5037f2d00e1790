package io.execauthz.internal;

import io.execauthz.spi.BudgetLedger;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link BudgetLedger#inMemory}: one atomic counter per budget in a concurrent map. New counters
 * are queued by expiry; each insertion forgets the counters whose retention has passed, so the cost
 * of forgetting is paid a little at a time and the map never holds more than its bound.
 *
 * <p>Thread-safe; spending takes no lock.
 */
public final class InMemoryBudgetLedger implements BudgetLedger {
  private record Expiry(Instant at, Budget budget) {}

  private final InstantSource clock;
  private final Duration retention;
  private final int maxCounters;
  private final ConcurrentHashMap<Budget, AtomicLong> counters = new ConcurrentHashMap<>();
  // the latest notAfter seen for each counter (written under lock); forgotten only after it
  private final ConcurrentHashMap<Budget, Instant> keepUntil = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final PriorityQueue<Expiry> expiries =
      new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));

  public InMemoryBudgetLedger(InstantSource clock, Duration retention, int maxCounters) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retention = Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative, was " + retention);
    }
    if (maxCounters <= 0) {
      throw new IllegalArgumentException("maxCounters must be positive, was " + maxCounters);
    }
    this.maxCounters = maxCounters;
  }

  @Override
  public Outcome check(List<List<Budget>> levels) {
    List<Budget> chosen = new ArrayList<>(levels.size());
    for (List<Budget> candidates : levels) {
      Budget pick = null;
      for (Budget b : candidates) {
        AtomicLong c = counters.get(b);
        if ((c == null ? b.maxCalls() : c.get()) > 0) {
          pick = b;
          break;
        }
      }
      if (pick == null) {
        return new Exhausted(candidates.get(0));
      }
      chosen.add(pick);
    }
    return new Taken(chosen);
  }

  @Override
  public Outcome take(List<List<Budget>> levels) {
    List<Budget> taken = new ArrayList<>(levels.size());
    for (List<Budget> candidates : levels) {
      Budget spent = null;
      for (Budget b : candidates) {
        AtomicLong c = counters.get(b);
        if (c != null) {
          c = keep(b, c);
        }
        if (c == null) {
          if (b.maxCalls() <= 0) {
            continue;
          }
          c = counter(b);
          if (c == null) {
            refund(taken);
            return new Unavailable(
                "the budget ledger holds " + maxCounters + " counters, its limit");
          }
        }
        if (decrement(c)) {
          spent = b;
          break;
        }
      }
      if (spent == null) {
        refund(taken);
        return new Exhausted(candidates.get(0));
      }
      taken.add(spent);
    }
    return new Taken(taken);
  }

  @Override
  public void refund(List<Budget> taken) {
    for (Budget b : taken) {
      AtomicLong c = counters.get(b);
      if (c != null) {
        c.incrementAndGet();
      }
    }
  }

  /** The number of counters held, for tests and benchmarks. */
  public int size() {
    return counters.size();
  }

  private static boolean decrement(AtomicLong c) {
    long v;
    do {
      v = c.get();
      if (v <= 0) {
        return false;
      }
    } while (!c.compareAndSet(v, v - 1));
    return true;
  }

  /** The counter of a budget, created full; null when the ledger is at its bound. */
  private AtomicLong counter(Budget b) {
    lock.lock();
    try {
      AtomicLong c = counters.get(b);
      if (c != null) {
        return c;
      }
      forgetExpired(clock.instant());
      if (counters.size() >= maxCounters) {
        return null;
      }
      c = new AtomicLong(b.maxCalls());
      counters.put(b, c);
      keepUntil.put(b, b.notAfter());
      expiries.add(new Expiry(forgetAt(b.notAfter()), b));
      return c;
    } finally {
      lock.unlock();
    }
  }

  private void forgetExpired(Instant now) {
    Expiry e;
    while ((e = expiries.peek()) != null && e.at().isBefore(now)) {
      expiries.poll();
      Instant until = keepUntil.get(e.budget());
      if (until != null && !forgetAt(until).isAfter(e.at())) {
        keepUntil.remove(e.budget());
        counters.remove(e.budget());
      }
    }
  }

  /**
   * Keeps a counter at least until this budget's {@code notAfter} (a later decision may know a
   * later deadline for the same node than the one that created it); returns the counter, or null if
   * it was forgotten meanwhile.
   */
  private AtomicLong keep(Budget b, AtomicLong c) {
    Instant until = keepUntil.get(b); // the common case: no later deadline, no lock
    if (until != null && !b.notAfter().isAfter(until)) {
      return c;
    }
    lock.lock();
    try {
      until = keepUntil.get(b);
      if (until == null) {
        return counters.get(b);
      }
      if (b.notAfter().isAfter(until)) {
        keepUntil.put(b, b.notAfter());
        expiries.add(new Expiry(forgetAt(b.notAfter()), b));
      }
      return c;
    } finally {
      lock.unlock();
    }
  }

  private Instant forgetAt(Instant notAfter) {
    return notAfter.isAfter(Instant.MAX.minus(retention)) ? Instant.MAX : notAfter.plus(retention);
  }

  @Override
  public String toString() {
    return "BudgetLedger[in memory, " + counters.size() + " counters]";
  }
}
