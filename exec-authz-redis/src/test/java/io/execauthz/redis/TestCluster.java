package io.execauthz.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real 3-master Redis Cluster for tests, from the same {@code redis-server} binary as {@link
 * TestRedis} (the jar ships no {@code redis-cli}): three servers with {@code cluster-enabled yes}
 * on 127.0.0.1 and ephemeral ports, each in a temp dir of its own (its {@code nodes.conf} and
 * append-only file survive a stop), joined with {@code CLUSTER MEET} and given a third of the
 * 16,384 slots each with {@code CLUSTER ADDSLOTS}. No replicas: a stopped master takes the cluster
 * down ({@code cluster-require-full-coverage}, the default) until it is started again.
 */
final class TestCluster implements AutoCloseable {
  /** A master's slots: {@code [first, last]}. */
  record Range(int first, int last) {
    boolean holds(int slot) {
      return slot >= first && slot <= last;
    }
  }

  static final List<Range> RANGES =
      List.of(new Range(0, 5460), new Range(5461, 10922), new Range(10923, 16383));

  final List<TestRedis> masters = new ArrayList<>();

  private TestCluster() {}

  static TestCluster start() throws IOException, InterruptedException {
    TestCluster c = new TestCluster();
    try {
      for (int i = 0; i < 3; i++) {
        c.masters.add(
            TestRedis.start(
                TestRedis.freeClusterPort(),
                List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "1000")));
      }
      for (int i = 0; i < 3; i++) {
        TestRedis m = c.masters.get(i);
        Range r = RANGES.get(i);
        c.on(
            m,
            cmd -> {
              cmd.clusterAddSlots(IntStream.rangeClosed(r.first(), r.last()).toArray());
              if (m != c.masters.get(0)) {
                cmd.clusterMeet("127.0.0.1", c.masters.get(0).port());
              }
              return null;
            });
      }
      c.awaitOk(Duration.ofSeconds(30));
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The seeds, as a {@link RedisStore} takes them. */
  String uri() {
    return masters.stream().map(TestRedis::uri).collect(Collectors.joining(","));
  }

  /** The master serving {@code key}, by the server's own {@code CLUSTER KEYSLOT}. */
  TestRedis masterOf(String key) {
    int slot = slot(key);
    for (int i = 0; i < 3; i++) {
      if (RANGES.get(i).holds(slot)) {
        return masters.get(i);
      }
    }
    throw new IllegalStateException("slot " + slot);
  }

  /** {@code CLUSTER KEYSLOT}, as the server computes it. */
  int slot(String key) {
    return on(masters.get(0), cmd -> cmd.clusterKeyslot(key)).intValue();
  }

  /** Waits until every master answers {@code cluster_state:ok} and knows the three. */
  void awaitOk(Duration within) throws InterruptedException {
    Instant deadline = Instant.now().plus(within);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      boolean ok = true;
      for (TestRedis m : masters) {
        try {
          last = on(m, RedisCommands::clusterInfo);
          ok &= last.contains("cluster_state:ok") && last.contains("cluster_known_nodes:3");
        } catch (RuntimeException e) {
          ok = false;
          last = e.toString();
        }
      }
      if (ok) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the cluster is not ok after " + within + ": " + last);
  }

  private <T> T on(TestRedis m, java.util.function.Function<RedisCommands<String, String>, T> f) {
    RedisURI u = RedisURI.create(m.uri());
    u.setTimeout(Duration.ofSeconds(5));
    RedisClient client = RedisClient.create(u);
    try (StatefulRedisConnection<String, String> conn = client.connect()) {
      return f.apply(conn.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    for (TestRedis m : masters) {
      m.close();
    }
  }
}
