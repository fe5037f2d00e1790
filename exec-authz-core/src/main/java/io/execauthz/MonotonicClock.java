package io.execauthz;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that never runs backwards: the latest instant its source has shown. A source stepping
 * back (an NTP correction, a VM restore) must not revive an expired node or grant. Thread-safe.
 */
final class MonotonicClock implements InstantSource {
  private final InstantSource source;
  private final AtomicReference<Instant> latest = new AtomicReference<>(Instant.MIN);

  MonotonicClock(InstantSource source) {
    this.source = source instanceof MonotonicClock m ? m.source : source;
  }

  @Override
  public Instant instant() {
    Instant t = source.instant();
    if (t == null) {
      throw new NullPointerException("the clock returned null");
    }
    Instant seen = latest.get();
    while (t.isAfter(seen)) {
      if (latest.compareAndSet(seen, t)) {
        return t;
      }
      seen = latest.get();
    }
    return seen;
  }
}
