package io.execauthz;

import io.execauthz.capability.ResourcePattern;

/**
 * A graph's guardrails, and the checks of a spawn against them: each refusal is an {@link
 * ExecutionGraphException} with {@link GraphError#LIMIT} naming the node, the count and the limit.
 * Limits that do not depend on a graph's configuration (ids, kinds, principals, attributes) are
 * checked by {@link NodeSpec} itself.
 *
 * <p>Immutable and thread-safe.
 */
record GraphLimits(
    int maxDepth,
    int maxFanOut,
    int maxLiveNodes,
    int maxCapabilities,
    int maxClaims,
    int maxLineage) {

  /**
   * Checks what a spec asks for by itself: its number of capabilities and of claims, then that
   * every claim is covered by one of its capabilities ({@link GraphError#ATTENUATION} otherwise).
   */
  void checkSpec(NodeSpec spec) {
    if (spec.capabilities().size() > maxCapabilities) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + spec.id()
              + "' asks for "
              + spec.capabilities().size()
              + " capabilities; the limit is "
              + maxCapabilities);
    }
    if (spec.claims().size() > maxClaims) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + spec.id()
              + "' makes "
              + spec.claims().size()
              + " claims; the limit is "
              + maxClaims);
    }
    for (ResourcePattern claim : spec.claims()) {
      if (!spec.capabilities().coversResource(claim)) {
        throw new ExecutionGraphException(
            GraphError.ATTENUATION,
            "node '" + spec.id() + "' claims " + claim + ", which none of its capabilities covers");
      }
    }
  }

  /** Checks that node {@code id} may be a child of {@code p}: its depth and {@code p}'s fan-out. */
  void checkParent(Node p, String id) {
    if (p.depth + 1 > maxDepth) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '" + id + "' would be at depth " + (p.depth + 1) + "; the limit is " + maxDepth);
    }
    if (p.liveChildren >= maxFanOut) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "parent '"
              + p.id
              + "' already has "
              + p.liveChildren
              + " live children; the fan-out limit is "
              + maxFanOut);
    }
  }

  /** Checks that one more node may be live in a graph that has {@code live}. */
  void checkLive(int live) {
    if (live >= maxLiveNodes) {
      throw new ExecutionGraphException(
          GraphError.LIMIT, "the graph has " + live + " live nodes; the limit is " + maxLiveNodes);
    }
  }

  /** Checks the lineage size of node {@code id}, as {@link Lineage#sizeOf} counted it. */
  void checkLineage(int lineageSize, String id) {
    if (lineageSize > maxLineage) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + id
              + "' would have more than "
              + maxLineage
              + " nodes in its lineage (itself and its ancestors); the limit is "
              + maxLineage);
    }
  }
}
