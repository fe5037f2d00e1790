package io.execauthz.jwt;

import io.execauthz.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link RevocationRegistry#inMemory}: two concurrent maps, pruned as they are written, bounded in
 * size. A write that does not fit is kept aside, in order, and the registry reports itself not
 * current until {@link #catchUp()} (or a later write, once entries have expired) has recorded it.
 *
 * <p>Thread-safe: reads take no lock; writes are serialized so the bound is exact.
 */
final class InMemoryRevocationRegistry implements RevocationRegistry {
  /** A node entry's key; a null issuer stands for every issuer. */
  private record NodeKey(String issuer, String graphId, String nodeId) {}

  private record Entry(NodeState state, Instant forgetAt) {}

  /** A write not yet recorded: a grant ({@code key} null) or a node. */
  private record Write(String grantId, NodeKey key, NodeState state, Instant forgetAt) {}

  private final InstantSource clock;
  private final Duration retention;
  private final int maxEntries;
  private final ConcurrentHashMap<String, Instant> grants = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<NodeKey, Entry> nodes = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final ArrayDeque<Write> pending = new ArrayDeque<>();
  private long writes;
  private volatile boolean current = true;

  InMemoryRevocationRegistry(InstantSource clock, Duration retention, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative, was " + retention);
    }
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
    }
    this.retention = retention;
    this.maxEntries = maxEntries;
  }

  @Override
  public void revokeGrant(String grantId, Instant notAfter) {
    Objects.requireNonNull(grantId, "grantId");
    write(new Write(grantId, null, null, forgetAt(notAfter)));
  }

  @Override
  public void nodeEnded(
      String issuer, String graphId, String nodeId, NodeState state, Instant notAfter) {
    Objects.requireNonNull(graphId, "graphId");
    Objects.requireNonNull(nodeId, "nodeId");
    if (state != NodeState.REVOKED && state != NodeState.COMPLETED) {
      throw new IllegalArgumentException("a node ends REVOKED or COMPLETED, not " + state);
    }
    write(new Write(null, new NodeKey(issuer, graphId, nodeId), state, forgetAt(notAfter)));
  }

  @Override
  public boolean isGrantRevoked(String grantId) {
    return grants.containsKey(grantId);
  }

  @Override
  public Optional<NodeState> nodeState(String issuer, String graphId, String nodeId) {
    Entry own = issuer == null ? null : nodes.get(new NodeKey(issuer, graphId, nodeId));
    Entry any = nodes.get(new NodeKey(null, graphId, nodeId));
    if (own == null && any == null) {
      return Optional.empty();
    }
    boolean revoked =
        (own != null && own.state() == NodeState.REVOKED)
            || (any != null && any.state() == NodeState.REVOKED);
    return Optional.of(revoked ? NodeState.REVOKED : NodeState.COMPLETED);
  }

  @Override
  public boolean isCurrent() {
    return current;
  }

  @Override
  public String notCurrentDetail() {
    return "it holds "
        + maxEntries
        + " entries, its limit, and some it was told of are not recorded yet";
  }

  @Override
  public boolean catchUp() {
    lock.lock();
    try {
      drain(true);
      return current;
    } finally {
      lock.unlock();
    }
  }

  private void write(Write w) {
    lock.lock();
    try {
      pending.add(w); // behind anything not yet recorded, so writes land in order
      drain(++writes % 256 == 0);
      if (!current) {
        throw new IllegalStateException(
            "the revocation registry holds "
                + maxEntries
                + " entries, its limit, and none has expired: "
                + pending.size()
                + " not recorded; it refuses every grant until catchUp() records them");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Records pending writes while they fit. Under lock. */
  private void drain(boolean prune) {
    if (prune) {
      prune();
    }
    Write w;
    while ((w = pending.peek()) != null) {
      if (!fits(w)) {
        if (prune) {
          break;
        }
        prune = true;
        prune();
        continue;
      }
      pending.poll();
      if (w.key() == null) {
        grants.merge(w.grantId(), w.forgetAt(), (a, b) -> a.isAfter(b) ? a : b);
      } else {
        // a revocation is never downgraded to a completion
        nodes.merge(
            w.key(),
            new Entry(w.state(), w.forgetAt()),
            (a, b) ->
                new Entry(
                    a.state() == NodeState.REVOKED ? a.state() : b.state(),
                    a.forgetAt().isAfter(b.forgetAt()) ? a.forgetAt() : b.forgetAt()));
      }
    }
    current = pending.isEmpty();
  }

  private boolean fits(Write w) {
    boolean exists = w.key() == null ? grants.containsKey(w.grantId()) : nodes.containsKey(w.key());
    return exists || grants.size() + nodes.size() < maxEntries;
  }

  private void prune() {
    Instant now = clock.instant();
    grants.values().removeIf(t -> t.isBefore(now));
    nodes.values().removeIf(e -> e.forgetAt().isBefore(now));
  }

  private Instant forgetAt(Instant notAfter) {
    Objects.requireNonNull(notAfter, "notAfter");
    return notAfter.isAfter(Instant.MAX.minus(retention)) ? Instant.MAX : notAfter.plus(retention);
  }

  @Override
  public String toString() {
    return "RevocationRegistry.inMemory["
        + grants.size()
        + " grants, "
        + nodes.size()
        + " nodes"
        + (current ? "" : ", NOT CURRENT")
        + "]";
  }
}
