package io.execauthz.benchmarks;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.Reason;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The execution graph's own operations.
 *
 * <ul>
 *   <li>{@code spawn}: a child of a session holding sixteen capabilities, asking for four narrower
 *       ones (so the attenuation check runs), while the session has {@code liveChildren} other live
 *       children. Each new child is completed after the measured call (a per-invocation teardown,
 *       outside the measurement), so the session's width stays constant.
 *   <li>{@code revokeSubtree}: revoking a node with {@code descendants} descendants, one call per
 *       measurement (single-shot) on a subtree built fresh before each; the teardown checks that
 *       the subtree's nodes then deny with {@code REVOKED}. The subtree denies from the revoked
 *       node's one write on; the call also does the subtree's bookkeeping (live count, children
 *       links, claims, held nodes), linear in its live nodes, each node's done once in its life.
 *   <li>{@code sweepAfterRevoke}: a sweep after such a revoke: nothing is left for it (it processes
 *       only what has come due on the graph's deadline queue, never a scan of the graph).
 *   <li>{@code authorizeAfterRevoke}: the full pipeline (Cedar engine, JSON-lines audit) on a node
 *       31 levels deep inside a revoked subtree of 100,000 descendants; it must deny with {@code
 *       REVOKED}, which setup and teardown assert. (Before the revoke the same request is denied by
 *       the {@code depth-limit} policy, and a shallow task of the subtree is permitted.)
 * </ul>
 */
@Fork(1)
public class GraphBenchmark {

  /** A session with wide capabilities and {@code liveChildren} live children. */
  @State(Scope.Thread)
  public static class Session {
    @Param({"1", "999"})
    public int liveChildren;

    ExecutionGraph graph;
    CapabilitySet childCapabilities;
    long next;
    String last;

    @Setup(Level.Iteration)
    public void setUp() {
      graph =
          ExecutionGraph.newBuilder()
              .maxLiveNodes(2_000_000)
              .defaultTtl(Duration.ofDays(1))
              .build();
      graph.spawn(
          NodeSpec.builder("session")
              .kind("session")
              .principal("user:alice")
              .capabilities(Fixtures.SESSION_CAPABILITIES)
              .build());
      childCapabilities = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
      for (int i = 0; i < liveChildren; i++) {
        graph.spawn(
            "session",
            NodeSpec.builder("sibling-" + i)
                .kind("worker")
                .capabilities(childCapabilities)
                .build());
      }
      next = 0;
      last = null;
    }

    @TearDown(Level.Invocation)
    public void completeLast() {
      Fixtures.check(graph.complete(last), "the spawned node was not active: " + last);
    }

    @TearDown(Level.Iteration)
    public void checkWidth() {
      Fixtures.check(
          graph.liveNodes() == 1 + liveChildren,
          "expected " + (1 + liveChildren) + " live nodes, found " + graph.liveNodes());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 10, time = 1)
  @Measurement(iterations = 10, time = 1)
  public ExecutionNode spawn(Session s) {
    String id = "task-" + s.next++;
    s.last = id;
    return s.graph.spawn(
        "session",
        NodeSpec.builder(id)
            .kind("task")
            .principal("agent:coder")
            .capabilities(s.childCapabilities)
            .build());
  }

  /** A fresh subtree of {@code descendants} nodes under {@code batch}, built before each call. */
  @State(Scope.Thread)
  public static class Subtree {
    @Param({"1000", "100000"})
    public int descendants;

    ExecutionGraph graph;
    Authorizer authorizer;
    String deepest;

    @Setup(Level.Iteration)
    public void setUp() {
      graph =
          ExecutionGraph.newBuilder()
              .maxLiveNodes(2_000_000)
              .defaultTtl(Duration.ofDays(1))
              .build();
      authorizer =
          Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
      CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
      graph.spawn(
          NodeSpec.builder("session")
              .kind("session")
              .principal("user:alice")
              .capabilities(Fixtures.SESSION_CAPABILITIES)
              .build());
      graph.spawn("session", NodeSpec.builder("batch").kind("batch").capabilities(caps).build());
      deepest = Fixtures.fill(graph, "batch", "n", descendants, 30, caps);
      Fixtures.check(
          graph.liveNodes() == 2 + descendants,
          "expected " + (2 + descendants) + " live nodes, found " + graph.liveNodes());
      Fixtures.check(
          authorizer.authorize(deepest, Fixtures.ACTION, Fixtures.RESOURCE).isPermit(),
          "the deepest node does not permit before the revoke");
      System.gc();
    }

    @TearDown(Level.Iteration)
    public void checkRevoked() {
      Fixtures.check(
          graph.node("batch").state() == NodeState.REVOKED, "the subtree root is not revoked");
      for (String id : new String[] {deepest, "n-b0", "n-b0-t0", "n-chain-0"}) {
        Fixtures.checkDenied(
            authorizer.authorize(id, Fixtures.ACTION, Fixtures.RESOURCE), Reason.REVOKED);
      }
      Fixtures.check(
          graph.node("session").state() == NodeState.ACTIVE, "the revoke reached the parent");
      Fixtures.check(graph.liveNodes() == 1, "expected 1 live node, found " + graph.liveNodes());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 5)
  @Measurement(iterations = 20)
  public boolean revokeSubtree(Subtree s) {
    return s.graph.revoke("batch", "incident");
  }

  /** A subtree of 100,000 descendants, revoked before each call; the graph not yet swept. */
  @State(Scope.Thread)
  public static class RevokedUnswept {
    ExecutionGraph graph;

    @Setup(Level.Iteration)
    public void setUp() {
      graph =
          ExecutionGraph.newBuilder()
              .maxLiveNodes(2_000_000)
              .defaultTtl(Duration.ofDays(1))
              .build();
      CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
      graph.spawn(
          NodeSpec.builder("session")
              .kind("session")
              .principal("user:alice")
              .capabilities(Fixtures.SESSION_CAPABILITIES)
              .build());
      graph.spawn("session", NodeSpec.builder("batch").kind("batch").capabilities(caps).build());
      Fixtures.fill(graph, "batch", "n", 100_000, 30, caps);
      Fixtures.check(graph.revoke("batch", "incident"), "the revoke found nothing active");
      System.gc();
    }

    @TearDown(Level.Iteration)
    public void check() {
      Fixtures.check(graph.liveNodes() == 1, "expected 1 live node, found " + graph.liveNodes());
    }
  }

  /**
   * {@link ExecutionGraph#sweep()} after a subtree of 100,000 was revoked: the revoke did the
   * bookkeeping, so this measures a sweep with nothing due (it once visited every node).
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 5)
  @Measurement(iterations = 20)
  public void sweepAfterRevoke(RevokedUnswept s) {
    s.graph.sweep();
  }

  /** A revoked subtree of 100,000 descendants and the full pipeline on its deepest node. */
  @State(Scope.Benchmark)
  public static class Revoked {
    ExecutionGraph graph;
    PolicyStore store;
    Authorizer authorizer;
    JsonLinesAuditSink audit;
    Path auditFile;
    AuthorizationRequest request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      graph =
          ExecutionGraph.newBuilder()
              .maxLiveNodes(2_000_000)
              .defaultTtl(Duration.ofDays(1))
              .build();
      store = Fixtures.store("default");
      auditFile = Files.createTempFile("exec-authz-bench-", ".jsonl");
      audit = JsonLinesAuditSink.newBuilder(auditFile).fsync(false).build();
      authorizer =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(CedarPolicyEngine.of(store))
              .auditSink(audit)
              .build();
      CapabilitySet caps = CapabilitySet.parse(Fixtures.TASK_CAPABILITIES);
      graph.spawn(
          NodeSpec.builder("session")
              .kind("session")
              .principal("user:alice")
              .capabilities(Fixtures.SESSION_CAPABILITIES)
              .build());
      graph.spawn("session", NodeSpec.builder("batch").kind("batch").capabilities(caps).build());
      String deepest = Fixtures.fill(graph, "batch", "n", 100_000, 30, caps);
      Fixtures.check(graph.node(deepest).depth() == 31, "the deepest node is not at depth 31");
      request = AuthorizationRequest.of(deepest, Fixtures.ACTION, Fixtures.RESOURCE);
      // before the revoke: a shallow task permits; the deep one is the depth-limit policy's deny
      AuthorizationRequest shallow =
          AuthorizationRequest.of("n-b0-t0", Fixtures.ACTION, Fixtures.RESOURCE);
      Fixtures.check(authorizer.authorize(shallow).isPermit(), "no permit before the revoke");
      Decision before = authorizer.authorize(request);
      Fixtures.checkDenied(before, Reason.POLICY);
      Fixtures.check(
          before.determiningPolicies().equals(List.of("depth-limit")),
          "the deep node is not denied by depth-limit: " + before);
      Fixtures.check(graph.revoke("batch", "incident"), "the revoke found nothing active");
      Fixtures.checkDenied(authorizer.authorize(shallow), Reason.REVOKED);
      check();
    }

    @TearDown(Level.Iteration)
    public void check() {
      Fixtures.checkDenied(authorizer.authorize(request), Reason.REVOKED);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      audit.close();
      store.close();
      Files.deleteIfExists(auditFile);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 10, time = 1)
  @Measurement(iterations = 10, time = 1)
  public Decision authorizeAfterRevoke(Revoked s) {
    return s.authorizer.authorize(s.request);
  }
}
