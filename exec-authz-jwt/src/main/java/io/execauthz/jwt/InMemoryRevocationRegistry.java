package io.execauthz.jwt;

import io.execauthz.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link RevocationRegistry#inMemory}: two concurrent maps, pruned as they are written. */
final class InMemoryRevocationRegistry implements RevocationRegistry {
  private record Entry(NodeState state, Instant forgetAt) {}

  private final InstantSource clock;
  private final Duration retention;
  private final ConcurrentHashMap<String, Instant> grants = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Entry> nodes = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();

  InMemoryRevocationRegistry(InstantSource clock, Duration retention) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative, was " + retention);
    }
    this.retention = retention;
  }

  @Override
  public void revokeGrant(String grantId, Instant notAfter) {
    Objects.requireNonNull(grantId, "grantId");
    grants.merge(grantId, forgetAt(notAfter), (a, b) -> a.isAfter(b) ? a : b);
    written();
  }

  @Override
  public void nodeEnded(String nodeId, NodeState state, Instant notAfter) {
    Objects.requireNonNull(nodeId, "nodeId");
    if (state != NodeState.REVOKED && state != NodeState.COMPLETED) {
      throw new IllegalArgumentException("a node ends REVOKED or COMPLETED, not " + state);
    }
    Entry e = new Entry(state, forgetAt(notAfter));
    // a revocation is never downgraded to a completion
    nodes.merge(
        nodeId,
        e,
        (a, b) ->
            new Entry(
                a.state() == NodeState.REVOKED ? a.state() : b.state(),
                a.forgetAt().isAfter(b.forgetAt()) ? a.forgetAt() : b.forgetAt()));
    written();
  }

  @Override
  public boolean isGrantRevoked(String grantId) {
    return grants.containsKey(grantId);
  }

  @Override
  public Optional<NodeState> nodeState(String nodeId) {
    Entry e = nodes.get(nodeId);
    return e == null ? Optional.empty() : Optional.of(e.state());
  }

  private Instant forgetAt(Instant notAfter) {
    Objects.requireNonNull(notAfter, "notAfter");
    return notAfter.isAfter(Instant.MAX.minus(retention)) ? Instant.MAX : notAfter.plus(retention);
  }

  private void written() {
    if (writes.incrementAndGet() % 256 == 0) {
      Instant now = clock.instant();
      grants.values().removeIf(t -> t.isBefore(now));
      nodes.values().removeIf(e -> e.forgetAt().isBefore(now));
    }
  }

  @Override
  public String toString() {
    return "RevocationRegistry.inMemory[" + grants.size() + " grants, " + nodes.size() + " nodes]";
  }
}
