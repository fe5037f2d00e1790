package io.execauthz;

import io.execauthz.ExecutionGraph.Claim;
import io.execauthz.capability.ResourcePattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The active claims of a graph: what each active node has reserved for its subtree, and the test a
 * new claim must pass — no overlap with a claim of a node that is neither its ancestor nor its
 * descendant.
 *
 * <p>Changes are made under the graph's lock; {@link #snapshot()} is read without it, by the
 * authorizer's CLAIMED check and its decision cache (which keys on the array's identity: a new
 * array is published only when the claims change).
 */
final class ClaimsTable {
  // replaced (never mutated) under lock; read without it
  private volatile Claim[] claims = new Claim[0];
  // some holder with claims has ended since the last prune; guarded by the graph's lock
  private boolean released;

  /** The active claims; the array must not be changed. */
  Claim[] snapshot() {
    return claims;
  }

  /**
   * The first active claim that overlaps one of {@code wanted} and whose holder is not an ancestor
   * of any of {@code parents}; {@code null} when there is none.
   */
  Claim firstConflict(List<ResourcePattern> wanted, Node[] parents, Instant now) {
    if (wanted.isEmpty()) {
      return null;
    }
    for (Claim c : claims) {
      Node h = c.holder();
      if (h.lockedState(now) != NodeState.ACTIVE || isAncestorOfAny(h, parents)) {
        continue;
      }
      for (ResourcePattern w : wanted) {
        if (w.overlaps(c.pattern())) {
          return c;
        }
      }
    }
    return null;
  }

  private static boolean isAncestorOfAny(Node h, Node[] parents) {
    for (Node p : parents) {
      if (p.hasInLineage(h)) {
        return true;
      }
    }
    return false;
  }

  /** Adds the claims of a node that has become active. */
  void add(Node n) {
    if (n.claims.isEmpty()) {
      return;
    }
    Claim[] old = claims;
    Claim[] out = Arrays.copyOf(old, old.length + n.claims.size());
    int i = old.length;
    for (ResourcePattern p : n.claims) {
      out[i++] = new Claim(n, p);
    }
    claims = out;
  }

  /** Notes that an active holder with claims has ended: {@link #prune} will drop them. */
  void released() {
    released = true;
  }

  /**
   * Drops the claims of holders no longer active (ended, under an ended ancestor, or past their
   * deadline), if one may have ended since the last time. A new array only when something is
   * dropped.
   */
  void prune(Instant now) {
    if (!released) {
      return;
    }
    released = false;
    Claim[] current = claims;
    List<Claim> out = null;
    for (int i = 0; i < current.length; i++) {
      Claim c = current[i];
      boolean keep = c.holder().lockedState(now) == NodeState.ACTIVE;
      if (!keep && out == null) {
        out = new ArrayList<>(Arrays.asList(current).subList(0, i));
      } else if (keep && out != null) {
        out.add(c);
      }
    }
    if (out != null) {
      claims = out.toArray(Claim[]::new);
    }
  }
}
