package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The graph's clock never runs backwards; a caller's clock is followed exactly, and the system
 * clock at most {@link MonotonicClock#SYSTEM_GRANULARITY_NANOS} behind.
 */
final class MonotonicClockTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aCallersClock_isFollowedExactly_andNeverBackwards() {
    MutableClock source = new MutableClock(T0);
    MonotonicClock clock = new MonotonicClock(source);
    assertThat(clock.granularityNanos()).isZero();
    assertThat(clock.instant()).isEqualTo(T0);
    source.advance(Duration.ofNanos(1));
    assertThat(clock.instant()).isEqualTo(T0.plusNanos(1));
    source.advance(Duration.ofMinutes(-5)); // an NTP step back
    assertThat(clock.instant()).isEqualTo(T0.plusNanos(1));
  }

  @Test
  void theSystemClock_isFollowedWithinTheGranularity() {
    assertThat(new MonotonicClock(InstantSource.system()).granularityNanos())
        .isEqualTo(MonotonicClock.SYSTEM_GRANULARITY_NANOS);
    // wrapping a wrapper keeps the source's granularity
    assertThat(new MonotonicClock(new MonotonicClock(InstantSource.system())).granularityNanos())
        .isEqualTo(MonotonicClock.SYSTEM_GRANULARITY_NANOS);

    MutableClock source = new MutableClock(T0);
    MonotonicClock clock = new MonotonicClock(source, 100_000);
    assertThat(clock.instant()).isEqualTo(T0);
    source.advance(Duration.ofNanos(99_999));
    assertThat(clock.instant()).as("less than the granularity later").isEqualTo(T0);
    source.advance(Duration.ofNanos(1));
    assertThat(clock.instant()).isEqualTo(T0.plusNanos(100_000));
    source.advance(Duration.ofSeconds(1).plusNanos(5)); // across a second boundary
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(1).plusNanos(100_005));
    source.advance(Duration.ofHours(-1));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(1).plusNanos(100_005));
  }

  @Test
  void onTheSystemClock_everyThreadSeesTimeGoForward_neverMoreThanTheGranularityBehind()
      throws Exception {
    MonotonicClock clock = new MonotonicClock(InstantSource.system());
    AtomicReference<String> failure = new AtomicReference<>();
    Together.run(
        4,
        k -> {
          Instant last = Instant.MIN;
          for (int i = 0; i < 200_000; i++) {
            Instant before = Instant.now();
            Instant now = clock.instant();
            if (now.isBefore(last)) {
              failure.compareAndSet(null, "backwards at call " + i + ": " + now + " < " + last);
            }
            if (now.isBefore(before.minusNanos(MonotonicClock.SYSTEM_GRANULARITY_NANOS))) {
              failure.compareAndSet(
                  null,
                  "more than the granularity behind at call " + i + ": " + now + " for " + before);
            }
            last = now;
          }
        });
    assertThat(failure.get()).isNull();
  }
}
