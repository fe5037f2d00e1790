package io.execauthz.jwt;

import io.execauthz.NodeState;
import io.execauthz.spi.GraphListener;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * What a verifier knows of grants and nodes that ended before their grants' {@code exp}: revoked
 * grant ids, and nodes revoked or completed. A {@link GrantVerifier} consults it for the grant's
 * {@code jti}, every ancestor grant id and every node of the grant's lineage (its {@code path} and,
 * at merge points, the other parents' ancestors too), on every verification — cached or not.
 *
 * <p>The orchestrator feeds it from its graph with {@link #graphListener()}; a tool server in
 * another process shares it through an implementation backed by a store both can reach. Entries
 * need only outlive the grants they end: {@code notAfter} says when no grant they concern can still
 * be valid, after which an implementation may forget them.
 *
 * <pre>{@code
 * RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
 * ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock)
 *     .listener(revocations.graphListener()).build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe, and quick: they are consulted on every verification.
 */
public interface RevocationRegistry {

  /** Records that a grant is revoked; it and every grant attenuated from it are refused. */
  void revokeGrant(String grantId, Instant notAfter);

  /**
   * Records that a node ended: every grant whose lineage contains it is refused.
   *
   * @param state {@link NodeState#REVOKED} or {@link NodeState#COMPLETED}
   */
  void nodeEnded(String nodeId, NodeState state, Instant notAfter);

  /** Whether the grant id was revoked. */
  boolean isGrantRevoked(String grantId);

  /** {@link NodeState#REVOKED} or {@link NodeState#COMPLETED} if the node ended; else empty. */
  Optional<NodeState> nodeState(String nodeId);

  /**
   * A listener that records every node the graph revokes or completes, kept until the node's
   * deadline (no grant for it or its subtree outlives that).
   */
  default GraphListener graphListener() {
    return (node, state, reason) -> nodeEnded(node.id(), state, node.deadline());
  }

  /**
   * A registry in this JVM's memory, for an orchestrator that verifies its own grants or tool
   * servers in the same process. Entries are forgotten one minute after their {@code notAfter}.
   */
  static RevocationRegistry inMemory(InstantSource clock) {
    return new InMemoryRevocationRegistry(clock, Duration.ofMinutes(1));
  }

  /**
   * A registry in memory that keeps entries for {@code retention} after their {@code notAfter}; the
   * retention must exceed every verifier's clock skew.
   */
  static RevocationRegistry inMemory(InstantSource clock, Duration retention) {
    return new InMemoryRevocationRegistry(clock, retention);
  }
}
