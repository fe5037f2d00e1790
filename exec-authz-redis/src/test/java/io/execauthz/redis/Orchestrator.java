package io.execauthz.redis;

import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The orchestrator side of the multi-process tests, in the test's own JVM: a graph whose node ends
 * go to a Redis revocation registry, whose budgets are counted in Redis, and an issuer of grants.
 * The graph has a session {@code s} and a task {@code t} under it.
 */
final class Orchestrator implements AutoCloseable {
  static final String ISSUER = "https://orchestrator.test";
  static final String AUDIENCE = "mcp:files";
  static final SigningKey KEY = SigningKey.generate(GrantAlgorithm.EDDSA, "k1");

  final String uri;
  final String prefix;
  final RedisStore store;
  final RedisRevocationRegistry revocations;
  final ExecutionGraph graph;
  final GrantIssuer issuer;
  final Path jwks;

  Orchestrator(String uri, String prefix, Duration bound, String taskCapability)
      throws IOException {
    this.uri = uri;
    this.prefix = prefix;
    this.store =
        RedisStore.newBuilder().uri(uri).keyPrefix(prefix).timeout(Duration.ofMillis(300)).build();
    this.revocations = RedisRevocationRegistry.newBuilder(store).stalenessBound(bound).build();
    this.graph =
        ExecutionGraph.newBuilder()
            .listener(revocations.graphListener(ISSUER))
            .budgetLedger(store.budgetLedger())
            .build();
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:**")
            .ttl(Duration.ofMinutes(10))
            .build());
    graph.spawn(
        "s",
        NodeSpec.builder("t")
            .principal("agent:worker")
            .capabilities(taskCapability)
            .ttl(Duration.ofMinutes(5))
            .build());
    this.issuer =
        GrantIssuer.newBuilder().signingKey(KEY).issuer(ISSUER).revocations(revocations).build();
    this.jwks = Files.createTempFile("jwks", ".json");
    KEY.publicKeySet().write(jwks);
  }

  String grant(String node) {
    return issuer.mint(graph.node(node), AUDIENCE).compact();
  }

  /** A tool server in a new JVM sharing this orchestrator's Redis and keys. */
  Child toolServer(Duration bound) throws IOException {
    return new Child(
        uri, prefix, jwks.toString(), ISSUER, AUDIENCE, Long.toString(bound.toMillis()));
  }

  @Override
  public void close() throws IOException {
    revocations.close();
    store.close();
    Files.deleteIfExists(jwks);
  }
}
