package io.execauthz.jwt;

import io.execauthz.NodeState;
import io.execauthz.spi.GraphListener;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * What a verifier knows of grants and nodes that ended before their grants' {@code exp}: revoked
 * grant ids, and nodes revoked or completed. A {@link GrantVerifier} consults it for the grant's
 * {@code jti}, every ancestor grant id and every node of the grant's lineage (its {@code path} and,
 * at merge points, the other parents' ancestors too), on every verification — cached or not.
 *
 * <p><b>Scoping.</b> A node entry is keyed by (issuer, graph id, node id): the graph id is the
 * grant's {@code gid} ({@link io.execauthz.ExecutionGraph#id()}, random per graph unless
 * configured), so two graphs — or two orchestrators — that both name a node {@code session} never
 * revoke each other's grants. A listener that knows its issuer ({@link #graphListener(String)})
 * records the entry for that issuer only; one that does not ({@link #graphListener()}) records it
 * for every issuer, which is exact as long as graph ids are unique among the orchestrators sharing
 * the registry (true of random ones) and otherwise only refuses more, never less.
 *
 * <p><b>Currency.</b> A registry that was told of a revocation it could not record (its store was
 * unreachable, it was full) must say so through {@link #isCurrent()} until it has caught up; a
 * verifier relying on it then refuses every grant with {@link GrantCheck#UNAVAILABLE} (fail
 * closed), and an issuer refuses to attenuate.
 *
 * <p>The orchestrator feeds it from its graph with a graph listener; a tool server in another
 * process shares it through an implementation backed by a store both can reach. Entries need only
 * outlive the grants they end: {@code notAfter} says when no grant they concern can still be valid,
 * after which an implementation may forget them.
 *
 * <pre>{@code
 * RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
 * ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock)
 *     .listener(revocations.graphListener("https://orchestrator.example")).build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe, and quick: they are consulted on every verification.
 */
public interface RevocationRegistry {

  /**
   * Records that a grant is revoked; it and every grant attenuated from it are refused.
   *
   * @throws RuntimeException if it cannot be recorded, the registry then not {@link #isCurrent()}
   */
  void revokeGrant(String grantId, Instant notAfter);

  /**
   * Records that a node ended: every grant of that issuer and graph whose lineage contains it is
   * refused.
   *
   * @param issuer the issuer whose grants it ends, or {@code null} for grants of every issuer
   * @param graphId the node's graph ({@link io.execauthz.ExecutionView#graphId()})
   * @param state {@link NodeState#REVOKED} or {@link NodeState#COMPLETED}
   * @throws RuntimeException if it cannot be recorded, the registry then not {@link #isCurrent()}
   */
  void nodeEnded(String issuer, String graphId, String nodeId, NodeState state, Instant notAfter);

  /** Whether the grant id was revoked. */
  boolean isGrantRevoked(String grantId);

  /**
   * {@link NodeState#REVOKED} or {@link NodeState#COMPLETED} if the node ended, recorded for this
   * issuer or for every issuer (a revocation wins over a completion); else empty.
   */
  Optional<NodeState> nodeState(String issuer, String graphId, String nodeId);

  /**
   * Whether every revocation and node end this registry was told of is recorded (and, for a shared
   * store, whether it can be read now). While it is not, verifiers refuse every grant.
   */
  boolean isCurrent();

  /**
   * Why the registry is not {@link #isCurrent() current}, in words for the deny's detail and the
   * audit record (no secret): for a shared store, whether it has not caught up since it started,
   * since when it cannot reach its store, how old its last confirmation is against its bound. Only
   * meaningful while not current; by default a general sentence.
   */
  default String notCurrentDetail() {
    return "a revocation it was told of is not recorded";
  }

  /**
   * Tries again to record what could not be recorded; returns whether the registry is now current.
   * By default only reports {@link #isCurrent()}.
   */
  default boolean catchUp() {
    return isCurrent();
  }

  /**
   * A listener that records every node the graph revokes or completes for grants of {@code issuer},
   * under the node's graph id, kept until the node's deadline (no grant for it or its subtree
   * outlives that). If recording fails it throws, so the graph reports the failure to the caller of
   * {@code revoke} or {@code complete}; the registry is then not current until it has caught up.
   */
  default GraphListener graphListener(String issuer) {
    Objects.requireNonNull(issuer, "issuer");
    if (issuer.isEmpty()) {
      throw new IllegalArgumentException("issuer must not be empty");
    }
    return (node, state, reason) ->
        nodeEnded(issuer, node.view().graphId(), node.id(), state, node.deadline());
  }

  /**
   * A listener like {@link #graphListener(String)} for a registry that does not know the issuer: it
   * records the end for grants of every issuer in the node's graph.
   */
  default GraphListener graphListener() {
    return (node, state, reason) ->
        nodeEnded(null, node.view().graphId(), node.id(), state, node.deadline());
  }

  /**
   * A registry in this JVM's memory, for an orchestrator that verifies its own grants or tool
   * servers in the same process. Entries are forgotten one minute after their {@code notAfter}; it
   * holds at most one million of them.
   */
  static RevocationRegistry inMemory(InstantSource clock) {
    return new InMemoryRevocationRegistry(clock, Duration.ofMinutes(1), 1_000_000);
  }

  /**
   * A registry in memory that keeps entries for {@code retention} after their {@code notAfter}; the
   * retention must exceed every verifier's clock skew.
   */
  static RevocationRegistry inMemory(InstantSource clock, Duration retention) {
    return new InMemoryRevocationRegistry(clock, retention, 1_000_000);
  }

  /**
   * A registry in memory holding at most {@code maxEntries} entries. An entry that does not fit
   * (none has expired to make room) is kept aside and the registry is not {@link #isCurrent()}
   * until {@link #catchUp()} has recorded it: verifiers refuse grants meanwhile, never accept one
   * whose revocation was lost.
   */
  static RevocationRegistry inMemory(InstantSource clock, Duration retention, int maxEntries) {
    return new InMemoryRevocationRegistry(clock, retention, maxEntries);
  }
}
