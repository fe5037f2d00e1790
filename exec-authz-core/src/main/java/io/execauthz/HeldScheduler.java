package io.execauthz;

import io.execauthz.ExecutionGraph.Claim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The held nodes of a graph: each waits on the holder of the first claim it conflicts with, and is
 * tried again only when that holder ends — then it starts, or waits on the next conflicting holder.
 * A held node whose parent ends first, or whose deadline passes, is cancelled.
 *
 * <p>Not thread-safe: used under the graph's lock. (A node's {@code blocker} is also read without
 * it, as a hint.)
 */
final class HeldScheduler {
  private final ClaimsTable claims;
  // held nodes whose blocker ended: to be tried again before the operation returns
  private final List<Node> unblocked = new ArrayList<>();

  HeldScheduler(ClaimsTable claims) {
    this.claims = claims;
  }

  /** Makes {@code held} wait for {@code holder} to end. */
  void hold(Node held, Node holder) {
    held.blocker = holder;
    if (holder.waiters == null) {
      holder.waiters = new LinkedHashSet<>(2);
    }
    holder.waiters.add(held);
  }

  /**
   * Takes note that {@code n} stopped being live: it no longer waits, it is cancelled (with {@code
   * heldReason}) if it was held, its claims are released, and the nodes waiting on it are to be
   * tried again at the next {@link #settle}.
   */
  void ended(Node n, String heldReason) {
    Node b = n.blocker;
    if (b != null) {
      if (b.waiters != null) {
        b.waiters.remove(n);
      }
      n.blocker = null;
    }
    if (n.own == NodeState.HELD) {
      n.own = NodeState.CANCELLED;
      n.endReason = heldReason;
      n.started.complete(NodeState.CANCELLED);
    } else if (!n.claims.isEmpty()) {
      claims.released();
    }
    if (n.waiters != null) {
      unblocked.addAll(n.waiters);
      n.waiters = null;
    }
  }

  /**
   * Drops released claims, then tries the held nodes whose blocker ended, oldest first: each starts
   * or waits on the next conflicting holder. Bounded by what ended.
   */
  void settle(Instant now) {
    claims.prune(now);
    if (unblocked.isEmpty()) {
      return;
    }
    unblocked.sort(Comparator.comparingLong(h -> h.seq));
    for (Node h : unblocked) {
      if (!h.live || h.own != NodeState.HELD) {
        continue;
      }
      h.blocker = null;
      Claim c = claims.firstConflict(h.claims, h.parents, now);
      if (c == null) {
        h.own = NodeState.ACTIVE;
        claims.add(h);
        h.started.complete(NodeState.ACTIVE);
      } else {
        hold(h, c.holder());
      }
    }
    unblocked.clear();
  }
}
