package io.execauthz.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A measuring harness, not a test: how long a revocation written by the orchestrator (this JVM)
 * takes to be visible in the local copy of tool servers in other JVMs, over N revocations.
 *
 * <p>Each revocation is timed from just before {@code revokeGrant} is called to the moment a tool
 * server's spinning reader sees it (both on the machine's wall clock, microseconds). Run:
 *
 * <pre>
 * ./mvnw -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt \
 *     -Dmdep.includeScope=test -pl exec-authz-redis
 * java -cp exec-authz-redis/target/test-classes:exec-authz-redis/target/classes:$(cat \
 *     exec-authz-redis/target/cp.txt) io.execauthz.redis.PropagationLatency 1000 2
 * </pre>
 *
 * Arguments: revocations (1000), tool-server JVMs (2). With {@code EXEC_AUTHZ_REDIS_URL} set, it
 * measures against that server instead of a local one.
 */
public final class PropagationLatency {
  private PropagationLatency() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int servers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    String uri = TestRedis.sharedUri();
    Duration bound = Duration.ofSeconds(3);
    try (Orchestrator o = new Orchestrator(uri, TestRedis.prefix(), bound, "tool.call tool:**")) {
      List<Child> children = new ArrayList<>();
      try {
        measure(o, children, n, servers, bound);
      } finally {
        for (Child c : children) {
          c.close(); // never leave a tool server behind
        }
      }
    }
    System.exit(0);
  }

  private static void measure(
      Orchestrator o, List<Child> children, int n, int servers, Duration bound) throws Exception {
    {
      for (int i = 0; i < servers; i++) {
        children.add(o.toolServer(bound));
      }
      for (Child c : children) {
        if (!c.read(60).equals("READY true")) {
          throw new IllegalStateException("a tool server did not catch up");
        }
      }
      // warm up: 200 revocations not counted
      run(o, children, "warm-", 200);
      long[][] lat = run(o, children, "jti-", n);
      long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf(
          "revocations=%d tool-servers=%d samples=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms%n",
          n,
          servers,
          all.length,
          all[all.length / 2] / 1000.0,
          all[(int) (all.length * 0.90)] / 1000.0,
          all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1000.0,
          all[all.length - 1] / 1000.0);
    }
  }

  /** Per tool server, the latency of each revocation in microseconds. */
  private static long[][] run(Orchestrator o, List<Child> children, String prefix, int n)
      throws Exception {
    for (Child c : children) {
      c.send("watch " + prefix + " " + n);
      if (!c.read(30).equals("WATCHING")) {
        throw new IllegalStateException("a tool server did not start watching");
      }
    }
    long[] sent = new long[n];
    Instant notAfter = Instant.now().plus(Duration.ofMinutes(10));
    for (int i = 0; i < n; i++) {
      sent[i] = micros(Instant.now());
      o.revocations.revokeGrant(prefix + i, notAfter);
      Thread.sleep(1); // one at a time, as an operator or an orchestrator revokes
    }
    long[][] lat = new long[children.size()][n];
    for (int c = 0; c < children.size(); c++) {
      String[] seen = children.get(c).read(120).split(" ");
      for (int i = 0; i < n; i++) {
        lat[c][i] = Long.parseLong(seen[i + 1]) - sent[i];
      }
    }
    return lat;
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
