package io.execauthz.benchmarks;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.spi.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What our pipeline costs around the policy engine: {@link AuthorizeBenchmark}'s request on the
 * same graph with the decision cache off, decided by {@link PolicyEngine#permitAll()} so that no
 * Cedar call is made — with the audit record appended to a JSON-lines file ({@code
 * permitAllAudited}, as in {@code uncached}) and with audit records dropped ({@code
 * permitAllUnaudited}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
public class PipelineBenchmark {
  private Authorizer audited;
  private Authorizer unaudited;
  private JsonLinesAuditSink audit;
  private Path auditFile;
  private io.execauthz.AuthorizationRequest request;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ExecutionGraph graph = Fixtures.agentRun(ExecutionGraph.newBuilder());
    auditFile = Files.createTempFile("exec-authz-bench-", ".jsonl");
    audit = JsonLinesAuditSink.newBuilder(auditFile).fsync(false).build();
    audited =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(PolicyEngine.permitAll())
            .auditSink(audit)
            .decisionCache(0)
            .build();
    unaudited =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(PolicyEngine.permitAll())
            .decisionCache(0)
            .build();
    request = Fixtures.request();
    Fixtures.check(permitAllAudited().isPermit(), "the audited pipeline does not permit");
    Fixtures.check(permitAllUnaudited().isPermit(), "the unaudited pipeline does not permit");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    audit.close();
    Files.deleteIfExists(auditFile);
  }

  @Benchmark
  public Decision permitAllAudited() {
    return audited.authorize(request);
  }

  @Benchmark
  public Decision permitAllUnaudited() {
    return unaudited.authorize(request);
  }
}
