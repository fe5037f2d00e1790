package io.execauthz;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The graph's sweeper: every node once, ordered by when the graph must next look at it — its
 * deadline (then it stops counting as live), then its deadline plus the retention (then it is
 * forgotten). Processing what has come due is O(log n) per event, never a scan of the graph.
 *
 * <p>Not thread-safe: used under the graph's lock, except {@link #nextDue()}, which any thread may
 * read.
 */
final class DeadlineQueue {
  private static final Comparator<Node> BY_DUE =
      Comparator.<Node, Instant>comparing(n -> n.due).thenComparingLong(n -> n.seq);

  private final Duration retention;
  private final Consumer<Node> expire;
  private final Consumer<Node> forget;
  // replaced by a smaller copy once most of its entries are gone, as the node table is
  private PriorityQueue<Node> queue = new PriorityQueue<>(BY_DUE);
  private int highWater;
  // the queue's earliest time, for the authorizer's lock-free look at held nodes
  private volatile Instant nextDue = Instant.MAX;

  /**
   * @param expire told of each node whose deadline has passed
   * @param forget told of each node whose deadline plus {@code retention} has passed
   */
  DeadlineQueue(Duration retention, Consumer<Node> expire, Consumer<Node> forget) {
    this.retention = retention;
    this.expire = expire;
    this.forget = forget;
  }

  /** Adds a new node, due at its deadline. */
  void add(Node n) {
    n.due = n.deadline;
    queue.add(n);
    highWater = Math.max(highWater, queue.size());
    nextDue = queue.peek().due;
  }

  /** The earliest time something is due; {@link Instant#MAX} when nothing is. */
  Instant nextDue() {
    return nextDue;
  }

  /**
   * Processes what has come due by {@code now}, in due order: expires each node past its deadline
   * (and queues it again for its forgetting), forgets each node past its deadline plus the
   * retention. Bounded by what came due.
   *
   * @return whether some node was forgotten
   */
  boolean processDue(Instant now) {
    boolean forgot = false;
    Node n;
    while ((n = queue.peek()) != null && !now.isBefore(n.due)) {
      queue.poll();
      if (!n.expiredInQueue) {
        expire.accept(n);
        n.expiredInQueue = true;
        n.due = plus(n.deadline, retention);
        queue.add(n);
      } else {
        forget.accept(n);
        forgot = true;
      }
    }
    if (forgot && highWater > 4096 && queue.size() < highWater / 4) {
      // a heap's array never shrinks by itself
      queue = new PriorityQueue<>(queue);
      highWater = queue.size();
    }
    Node head = queue.peek();
    nextDue = head == null ? Instant.MAX : head.due;
    return forgot;
  }

  /** {@code t + d}, or {@link Instant#MAX} past it. */
  private static Instant plus(Instant t, Duration d) {
    long room = Instant.MAX.getEpochSecond() - t.getEpochSecond() - 1;
    return d.getSeconds() >= room ? Instant.MAX : t.plus(d);
  }
}
