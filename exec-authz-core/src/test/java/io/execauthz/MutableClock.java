package io.execauthz;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/** A test clock that only moves when told to. Thread-safe. */
final class MutableClock implements InstantSource {
  private volatile Instant now;

  MutableClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** Moves the clock forward (or back, for a negative amount). */
  synchronized void advance(Duration amount) {
    now = now.plus(amount);
  }
}
