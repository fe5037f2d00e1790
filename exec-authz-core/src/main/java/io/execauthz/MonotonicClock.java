package io.execauthz;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that never runs backwards: the latest instant its source has shown. A source stepping
 * back (an NTP correction, a VM restore) must not revive an expired node or grant. Thread-safe.
 *
 * <p>On the system clock the latest instant is republished only once it is {@link
 * #SYSTEM_GRANULARITY_NANOS} (100 µs) old, and the published one is returned until then (so time
 * reads at most that much behind the system clock, and never backwards). Publishing is a
 * compare-and-set on one shared reference: done on every call, as the system clock moves by
 * nanoseconds, it made two threads deciding from the cache take turns for that cache line (P0 in
 * docs/benchmarks.md: 1.9× the throughput on two threads without it, 1.1× with it). Any other
 * source — a test's clock, a clock of the caller's — is followed exactly.
 */
final class MonotonicClock implements InstantSource {
  /** How far the system clock may move before the published instant follows. */
  static final long SYSTEM_GRANULARITY_NANOS = 100_000;

  private final InstantSource source;
  private final long granularityNanos;
  private final AtomicReference<Instant> latest = new AtomicReference<>(Instant.MIN);

  MonotonicClock(InstantSource source) {
    this.source = source instanceof MonotonicClock m ? m.source : source;
    this.granularityNanos = this.source == InstantSource.system() ? SYSTEM_GRANULARITY_NANOS : 0;
  }

  /** A clock that republishes only after {@code granularityNanos} (0: every advance). */
  MonotonicClock(InstantSource source, long granularityNanos) {
    this.source = source;
    this.granularityNanos = granularityNanos;
  }

  long granularityNanos() {
    return granularityNanos;
  }

  @Override
  public Instant instant() {
    Instant t = source.instant();
    if (t == null) {
      throw new NullPointerException("the clock returned null");
    }
    Instant seen = latest.get();
    while (t.isAfter(seen)) {
      if (granularityNanos > 0 && within(seen, t, granularityNanos)) {
        return seen;
      }
      if (latest.compareAndSet(seen, t)) {
        return t;
      }
      seen = latest.get();
    }
    return seen;
  }

  /** Whether {@code later} is less than {@code nanos} after {@code earlier} (which it follows). */
  private static boolean within(Instant earlier, Instant later, long nanos) {
    long seconds = later.getEpochSecond() - earlier.getEpochSecond();
    if (seconds < 0 || seconds > 1) {
      return false; // never published yet (Instant.MIN), or a second or more apart
    }
    return seconds * 1_000_000_000L + later.getNano() - earlier.getNano() < nanos;
  }
}
