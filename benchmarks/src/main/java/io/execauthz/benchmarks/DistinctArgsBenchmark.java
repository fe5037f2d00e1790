package io.execauthz.benchmarks;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Real tool calls carry different arguments almost every time: here every request on one tool
 * carries arguments no earlier request had (65,536 distinct nested maps, cycled), so the decision
 * cache never hits. {@code cacheOn} must cost no more than about {@code cacheOff}: the cache may
 * not make the common case slower (issue 9: before arguments were hashed, 20,000 distinct maps on
 * one tool cost ~980 µs per decision with the cache on). {@code engine=permitAll} isolates our
 * pipeline (where the cache's share is largest); {@code engine=cedar} is the same with ten Cedar
 * policies.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class DistinctArgsBenchmark {
  private static final int DISTINCT = 1 << 16;

  @Param({"permitAll", "cedar"})
  public String engine;

  private Authorizer cacheOn;
  private Authorizer cacheOff;
  private AuthorizationRequest[] requests;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ExecutionGraph graph = ExecutionGraph.newBuilder().maxLiveNodes(10).build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("agent:coder")
            .capabilities("tool.call tool:**")
            .ttl(Duration.ofDays(1))
            .build());
    PolicyEngine policies =
        engine.equals("cedar")
            ? CedarPolicyEngine.of(Fixtures.store("none"))
            : PolicyEngine.permitAll();
    cacheOn = Authorizer.newBuilder().graph(graph).policyEngine(policies).build();
    cacheOff = Authorizer.newBuilder().graph(graph).policyEngine(policies).decisionCache(0).build();
    requests = new AuthorizationRequest[DISTINCT];
    for (int i = 0; i < DISTINCT; i++) {
      requests[i] =
          AuthorizationRequest.of("session", "tool.call", "tool:github/create_issue")
              .withArgs(
                  Map.of(
                      "repo",
                      "acme/api",
                      "title",
                      "issue " + i,
                      "labels",
                      List.of("bug", "p" + (i % 4)),
                      "meta",
                      Map.of("n", i, "draft", i % 2 == 0)));
    }
    for (AuthorizationRequest r : requests) {
      if (!cacheOn.authorize(r).isPermit() || !cacheOff.authorize(r).isPermit()) {
        throw new IllegalStateException("the fixture must permit: " + cacheOn.authorize(r));
      }
    }
  }

  @Benchmark
  public Decision cacheOn() {
    return cacheOn.authorize(requests[next++ & (DISTINCT - 1)]);
  }

  @Benchmark
  public Decision cacheOff() {
    return cacheOff.authorize(requests[next++ & (DISTINCT - 1)]);
  }
}
