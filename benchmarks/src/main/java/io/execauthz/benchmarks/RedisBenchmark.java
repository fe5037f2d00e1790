package io.execauthz.benchmarks;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.redis.RedisStore;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import io.execauthz.spi.PolicyEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Budgets counted in Redis (issue 14), against a real {@code redis-server} this benchmark starts in
 * its setup (the binary {@code com.github.codemonstur:embedded-redis} ships, Redis 6.2, on
 * 127.0.0.1 with an ephemeral port, no persistence) and stops in its tear-down:
 *
 * <ul>
 *   <li>{@code reserve}, {@code reserve4Threads}: budget reservations per second — one {@link
 *       BudgetLedger#take} of a two-level request (the node's counter and its parent's), one Lua
 *       script call, from 1 and 4 threads sharing the store's one multiplexed connection;
 *   <li>{@code authorizeRedisLedger} against {@code authorizeInMemoryLedger}: one decision on a
 *       graph node whose capability and parent's both carry {@code maxCalls} — liveness, gate (from
 *       the decision cache), budgets checked and taken, {@link PolicyEngine#permitAll()}, audit
 *       dropped — with the graph's ledger in Redis or in memory, in the same run; the difference is
 *       the latency Redis adds to a decision (two round trips: check, then take).
 * </ul>
 *
 * <p>{@code maxCalls} is a billion, so no counter runs out within a run.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RedisBenchmark {
  private static final String BINARY = "redis-server-6.2.6-v5-linux-amd64";
  private static final String CAP = "tool.call tool:** maxCalls=1000000000";

  private Process server;
  private Path dir;
  private RedisStore store;
  private BudgetLedger ledger;
  private List<List<Budget>> levels;
  private Authorizer redisAuthorizer;
  private Authorizer memoryAuthorizer;
  private AuthorizationRequest request;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    dir = Files.createTempDirectory("exec-authz-bench-redis");
    Path binary = dir.resolve("redis-server");
    try (InputStream in = RedisBenchmark.class.getClassLoader().getResourceAsStream(BINARY)) {
      if (in == null) {
        throw new IOException(BINARY + " is not on the classpath (embedded-redis)");
      }
      Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
    }
    if (!binary.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + binary + " executable");
    }
    server =
        new ProcessBuilder(
                binary.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    awaitListening(port);
    store =
        RedisStore.newBuilder()
            .uri("redis://127.0.0.1:" + port)
            .keyPrefix("bench")
            .timeout(Duration.ofSeconds(2))
            .build();
    ledger = store.budgetLedger();
    Instant day = Instant.now().plus(Duration.ofDays(1));
    levels =
        List.of(
            List.of(new Budget("bench-graph", "t", CAP, 1_000_000_000L, day)),
            List.of(new Budget("bench-graph", "s", CAP, 1_000_000_000L, day)));
    redisAuthorizer = authorizer(store.budgetLedger());
    memoryAuthorizer = authorizer(null);
    request = AuthorizationRequest.of("t", "tool.call", "tool:github/create_issue");
    for (Authorizer a : List.of(redisAuthorizer, memoryAuthorizer)) {
      if (!a.authorize(request).isPermit()) {
        throw new IllegalStateException("the benchmark's request is not permitted");
      }
    }
  }

  /** A graph s → t, both with a budgeted capability, whose ledger is Redis's or its own. */
  private static Authorizer authorizer(BudgetLedger ledger) {
    ExecutionGraph.Builder b = ExecutionGraph.newBuilder();
    if (ledger != null) {
      b.budgetLedger(ledger);
    }
    ExecutionGraph graph = b.build();
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities(CAP)
            .ttl(Duration.ofDays(1))
            .build());
    graph.spawn("s", NodeSpec.builder("t").capabilities(CAP).ttl(Duration.ofHours(12)).build());
    return Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
  }

  private static void awaitListening(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (s.isConnected()) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    throw new IOException("redis-server did not listen on " + port + " within 10 s");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, InterruptedException {
    store.close();
    server.destroy();
    server.waitFor(10, TimeUnit.SECONDS);
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public BudgetLedger.Outcome reserve() {
    return ledger.take(levels);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(4)
  public BudgetLedger.Outcome reserve4Threads() {
    return ledger.take(levels);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Decision authorizeRedisLedger() {
    return redisAuthorizer.authorize(request);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Decision authorizeInMemoryLedger() {
    return memoryAuthorizer.authorize(request);
  }
}
