package io.execauthz.cedar;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/** A test clock that only moves when told to. Thread-safe. */
final class TestClock implements InstantSource {
  private volatile Instant now;

  TestClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant instant() {
    return now;
  }

  synchronized void advance(Duration amount) {
    now = now.plus(amount);
  }
}
