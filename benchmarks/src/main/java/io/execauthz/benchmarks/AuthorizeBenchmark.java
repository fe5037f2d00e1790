package io.execauthz.benchmarks;

import com.cedarpolicy.AuthorizationEngine;
import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.CedarMap;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * One authorization, end to end, against the peer a user would otherwise call: {@code rawCedar} is
 * a bare cedar-java {@code isAuthorized} on the same ten policies, the same entities (the node and
 * its ancestors) and the same context as our pipeline sends; {@code uncached} is our whole pipeline
 * with the decision cache off — graph liveness, capability gate, claims, approval, budgets, the
 * Cedar engine, and an audit record appended to a hash-chained JSON-lines file (no fsync). With the
 * decision cache on: {@code cachedHit} asks the same request again (audit records discarded: the
 * decision path alone), {@code cachedHitAudited} the same with every record appended to the
 * JSON-lines file, and {@code cachedZipf} spreads requests over 10,000 nodes by a Zipf law (s =
 * 1.1), as many agents calling tools would. One of the ten policies reads {@code context.now}, so
 * the cache re-asks Cedar once per key per second.
 *
 * <p>{@code schema=default}: both send the default schema (natively cached) and have Cedar validate
 * each request against it, which is what our engine does unless told {@code noSchema()}. {@code
 * schema=none}: neither does, and {@code args} is sent as a context record.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
public class AuthorizeBenchmark {
  @Param({"default", "none"})
  public String schema;

  // rawCedar: what a user writes without us, built once as a competent user would
  private static final EntityTypeName AGENT = type("Agent");
  private static final EntityTypeName ACTION = type("Action");
  private static final EntityTypeName TOOL = type("Tool");
  private static final EntityTypeName EXECUTION = type("Execution");

  private AuthorizationEngine cedar;
  private PolicySet policySet;
  private Optional<Schema> cedarSchema;

  // uncached: our pipeline
  private PolicyStore store;
  private Authorizer authorizer;
  private JsonLinesAuditSink audit;
  private Path auditFile;
  private io.execauthz.AuthorizationRequest request;

  // cached: the same graph and policies, with the decision cache on
  private Authorizer cached;
  private Authorizer cachedAudited;

  // cachedZipf: 10,000 task nodes, requests drawn by a Zipf law
  private static final int ZIPF_NODES = 10_000;
  private static final int ZIPF_DRAWS = 1 << 16;
  private Authorizer zipf;
  private io.execauthz.AuthorizationRequest[] zipfRequests;

  /** Each thread walks the precomputed Zipf draws from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int next = (int) (Thread.currentThread().getId() * 7919);
  }

  private static EntityTypeName type(String name) {
    return EntityTypeName.parse(name).orElseThrow();
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException, InternalException, CacheException, AuthException {
    cedar = new BasicAuthorizationEngine();
    policySet = PolicySet.parsePolicies(Fixtures.POLICIES);
    policySet.cache();
    if (schema.equals("default")) {
      Schema s = Schema.parse(Schema.JsonOrCedar.Cedar, PolicyStore.defaultSchema());
      s.cache();
      cedarSchema = Optional.of(s);
    } else {
      cedarSchema = Optional.empty();
    }

    store = Fixtures.store(schema);
    ExecutionGraph graph = Fixtures.agentRun(ExecutionGraph.newBuilder());
    auditFile = Files.createTempFile("exec-authz-bench-", ".jsonl");
    audit = JsonLinesAuditSink.newBuilder(auditFile).fsync(false).build();
    authorizer =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(CedarPolicyEngine.of(store))
            .auditSink(audit)
            .decisionCache(0)
            .build();
    request = Fixtures.request();
    cached = Authorizer.newBuilder().graph(graph).policyEngine(CedarPolicyEngine.of(store)).build();
    cachedAudited =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(CedarPolicyEngine.of(store))
            .auditSink(audit)
            .build();
    Fixtures.check(cachedHit().isPermit(), "cachedHit does not permit");
    Fixtures.check(cachedHitAudited().isPermit(), "cachedHitAudited does not permit");

    ExecutionGraph wide = Fixtures.agentRun(ExecutionGraph.newBuilder().maxFanOut(2_000));
    for (int w = 0; w < ZIPF_NODES / 1_000; w++) {
      wide.spawn(
          "batch-1",
          NodeSpec.builder("zw-" + w)
              .kind("worker")
              .principal("agent:coder")
              .capabilities(Fixtures.TASK_CAPABILITIES)
              .build());
      for (int t = 0; t < 1_000; t++) {
        wide.spawn(
            "zw-" + w,
            NodeSpec.builder("zt-" + w + "-" + t)
                .kind("task")
                .capabilities(Fixtures.TASK_CAPABILITIES)
                .build());
      }
    }
    zipf =
        Authorizer.newBuilder()
            .graph(wide)
            .policyEngine(CedarPolicyEngine.of(store))
            .decisionCache(ZIPF_NODES)
            .build();
    double[] cdf = new double[ZIPF_NODES];
    double sum = 0;
    for (int k = 0; k < ZIPF_NODES; k++) {
      sum += 1 / Math.pow(k + 1, 1.1);
      cdf[k] = sum;
    }
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    zipfRequests = new io.execauthz.AuthorizationRequest[ZIPF_DRAWS];
    for (int i = 0; i < ZIPF_DRAWS; i++) {
      int k = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
      int rank = k >= 0 ? k : -k - 1;
      zipfRequests[i] =
          io.execauthz.AuthorizationRequest.of(
                  "zt-" + rank / 1_000 + "-" + rank % 1_000, Fixtures.ACTION, Fixtures.RESOURCE)
              .withArgs(Fixtures.ARGS);
    }
    Fixtures.check(zipf.authorize(zipfRequests[0]).isPermit(), "cachedZipf does not permit");

    Fixtures.check(rawCedar(), "rawCedar does not permit: " + rawResponse());
    Decision d = uncached();
    Fixtures.check(
        d.isPermit() && d.determiningPolicies().equals(List.of("baseline")),
        "uncached does not permit by baseline: " + d);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Fixtures.check(uncached().isPermit(), "uncached stopped permitting");
    Fixtures.check(cachedHit().isPermit(), "cachedHit stopped permitting");
    Fixtures.check(zipf.authorize(zipfRequests[1]).isPermit(), "cachedZipf stopped permitting");
    audit.close();
    store.close();
    Files.deleteIfExists(auditFile);
  }

  @Benchmark
  public boolean rawCedar() throws AuthException {
    AuthorizationResponse r = rawResponse();
    if (r.type != AuthorizationResponse.SuccessOrFailure.Success || r.success.isEmpty()) {
      return false;
    }
    AuthorizationSuccessResponse ok = r.success.get();
    return ok.getErrors().isEmpty()
        && ok.getDecision() == AuthorizationSuccessResponse.Decision.Allow;
  }

  @Benchmark
  public Decision uncached() {
    return authorizer.authorize(request);
  }

  @Benchmark
  public Decision cachedHit() {
    return cached.authorize(request);
  }

  @Benchmark
  public Decision cachedHitAudited() {
    return cachedAudited.authorize(request);
  }

  @Benchmark
  public Decision cachedZipf(Cursor cursor) {
    int i = cursor.next++ & (ZIPF_DRAWS - 1);
    return zipf.authorize(zipfRequests[i]);
  }

  /**
   * The user's own request building: entity UIDs from type and id, one entity per lineage node with
   * its parents, and the context record — per call, since a real caller's node, tool and arguments
   * change from call to call.
   */
  private AuthorizationResponse rawResponse() throws AuthException {
    Set<Entity> entities = new HashSet<>();
    for (Fixtures.UserNode n : Fixtures.LINEAGE) {
      Map<String, Value> attrs = new HashMap<>();
      attrs.put("kind", new PrimString(n.kind()));
      attrs.put("depth", new PrimLong(n.depth()));
      Set<EntityUID> parents = new HashSet<>();
      for (String p : n.parents()) {
        parents.add(new EntityUID(EXECUTION, p));
      }
      entities.add(new Entity(new EntityUID(EXECUTION, n.id()), attrs, parents));
    }
    Map<String, Value> context = Fixtures.rawTaskContext(Fixtures.NODE);
    if (cedarSchema.isEmpty()) {
      Map<String, Value> args = new HashMap<>();
      args.put("repo", new PrimString("acme/api"));
      args.put("title", new PrimString("Flaky test in CI"));
      args.put("labels", new CedarList(List.of(new PrimString("bug"), new PrimString("ci"))));
      context.put("args", new CedarMap(args));
    }
    AuthorizationRequest q =
        new AuthorizationRequest(
            new EntityUID(AGENT, "coder"),
            new EntityUID(ACTION, Fixtures.ACTION),
            new EntityUID(TOOL, "github/create_issue"),
            Optional.of(context),
            cedarSchema,
            cedarSchema.isPresent());
    return cedar.isAuthorized(q, policySet, entities);
  }
}
