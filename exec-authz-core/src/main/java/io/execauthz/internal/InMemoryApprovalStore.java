package io.execauthz.internal;

import io.execauthz.spi.ApprovalStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ApprovalStore#inMemory}: approvals in a concurrent map, each with the epoch millisecond it
 * expires at; consuming is an atomic remove. Expired approvals are dropped when another is
 * recorded; at most {@code maxApprovals} wait at once (recording one more fails, it is never
 * silently lost).
 *
 * <p>Thread-safe.
 */
public final class InMemoryApprovalStore implements ApprovalStore {
  private final InstantSource clock;
  private final int maxApprovals;
  private final ConcurrentHashMap<Approval, Long> waiting = new ConcurrentHashMap<>();

  public InMemoryApprovalStore(InstantSource clock, int maxApprovals) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxApprovals <= 0) {
      throw new IllegalArgumentException("maxApprovals must be positive, was " + maxApprovals);
    }
    this.maxApprovals = maxApprovals;
  }

  @Override
  public void record(Approval approval, Duration ttl) {
    Objects.requireNonNull(approval, "approval");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    long now = clock.millis();
    waiting.values().removeIf(until -> until <= now);
    if (waiting.size() >= maxApprovals && !waiting.containsKey(approval)) {
      throw new IllegalStateException(
          maxApprovals + " approvals are waiting, the limit: this one is not recorded");
    }
    long until = ttl.toMillis() >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttl.toMillis();
    waiting.merge(approval, until, Math::max);
  }

  @Override
  public Outcome consume(Approval approval) {
    Long until = waiting.remove(approval);
    return until != null && until > clock.millis() ? Outcome.APPROVED : Outcome.ABSENT;
  }

  @Override
  public Outcome peek(Approval approval) {
    Long until = waiting.get(approval);
    return until != null && until > clock.millis() ? Outcome.APPROVED : Outcome.ABSENT;
  }

  @Override
  public String toString() {
    return "ApprovalStore[in memory, " + waiting.size() + " waiting]";
  }
}
