package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.NodeState;
import io.execauthz.redis.RedisRevocationRegistry;
import io.execauthz.redis.RedisStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code exec-authz revoke} as an operator runs it, against a real {@code redis-server} (the binary
 * embedded-redis ships): exit 0 and the revocation is in the shared store, 1 when Redis cannot be
 * reached, 2 with one line naming the flag on bad input.
 */
final class RevokeCommandTest {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private static String uri() {
    return redis.uri();
  }

  @Test
  void revoke_aNodeAndAGrant_areInTheSharedStore_forEveryProcess() throws Exception {
    Cli.Result node =
        Cli.run(
            "revoke",
            "--revocations",
            uri(),
            "--iss",
            "https://o.test",
            "--node",
            "batch-2",
            "--graph",
            "g-7");
    assertThat(node.exit()).as(node.err()).isZero();
    assertThat(node.out()).contains("revoked node 'batch-2' of graph 'g-7'");
    Cli.Result anyGraph =
        Cli.run("revoke", "--revocations", uri(), "--iss", "https://o.test", "--node", "rogue");
    assertThat(anyGraph.exit()).as(anyGraph.err()).isZero();
    Cli.Result grant =
        Cli.run(
            "revoke",
            "--revocations",
            uri(),
            "--iss",
            "https://o.test",
            "--grant",
            "jti-9",
            "--until",
            "2099-01-01T00:00:00Z");
    assertThat(grant.exit()).as(grant.err()).isZero();

    // another process (this one) starting now reads them
    try (RedisStore store = RedisStore.newBuilder().uri(uri()).build();
        RedisRevocationRegistry r = RedisRevocationRegistry.newBuilder(store).build()) {
      assertThat(r.isCurrent()).isTrue();
      assertThat(r.nodeState("https://o.test", "g-7", "batch-2")).contains(NodeState.REVOKED);
      assertThat(r.nodeState("https://other.test", "g-7", "batch-2")).isEmpty();
      assertThat(r.nodeState("https://o.test", "any-graph", "rogue")).contains(NodeState.REVOKED);
      assertThat(r.isGrantRevoked("jti-9")).isTrue();
    }
  }

  @Test
  void revoke_withRedisUnreachable_exits1_namingTheStoreButNotThePassword() throws Exception {
    Cli.Result r =
        Cli.run(
            "revoke",
            "--revocations",
            "redis://ops:hunter2@127.0.0.1:" + RedisServer.freePort(),
            "--iss",
            "i",
            "--grant",
            "j");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines().filter(l -> l.startsWith("exec-authz"))).hasSize(1);
    assertThat(r.err()).contains("--revocations").doesNotContain("hunter2");
  }

  @Test
  void revoke_withBadInput_exits2_withOneLineNamingTheFlag() throws Exception {
    assertBad(new String[] {"revoke", "--iss", "i", "--grant", "j"}, "--revocations");
    assertBad(new String[] {"revoke", "--revocations", uri(), "--grant", "j"}, "--iss");
    assertBad(new String[] {"revoke", "--revocations", uri(), "--iss", "i"}, "--node or --grant");
    assertBad(
        new String[] {
          "revoke", "--revocations", uri(), "--iss", "i", "--node", "n", "--grant", "j"
        },
        "--node and --grant");
    assertBad(
        new String[] {
          "revoke", "--revocations", uri(), "--iss", "i", "--grant", "j", "--graph", "g"
        },
        "--graph");
    assertBad(
        new String[] {
          "revoke", "--revocations", uri(), "--iss", "i", "--grant", "j", "--until", "soon"
        },
        "--until");
    assertBad(
        new String[] {"revoke", "--revocations", "http://x:1", "--iss", "i", "--grant", "j"},
        "--revocations");
  }

  private static void assertBad(String[] args, String flag) throws Exception {
    Cli.Result r = Cli.run(args);
    assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
    assertThat(r.err().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).contains(flag);
  }
}
