package io.execauthz.benchmarks;

import com.cedarpolicy.AuthorizationEngine;
import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.CedarMap;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import io.execauthz.Authorizer;
import io.execauthz.CacheStats;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
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
 * Tool calls as agents make them (issue 16): 10,000 task nodes drawn by a Zipf law (s = 1.1), and
 * every request carrying arguments no earlier request had — a ticket number and a title unique to
 * the call, and a repository out of ten. Three policy sets of ten policies: {@code P0} reads no
 * argument, {@code P1} one low-cardinality argument ({@code repo}, 10 values), {@code P2} one that
 * differs on every call ({@code ticket}). None reads the time, so what is measured is what the
 * arguments cost (a policy reading {@code context.now} makes every key re-ask Cedar once a second:
 * see {@code AuthorizeBenchmark.cachedZipf}).
 *
 * <p>{@code ours} is our whole pipeline with the decision cache on (no audit sink: the decision
 * path); {@code oursUncached} the same with the cache off; {@code rawCedar} is a bare cedar-java
 * {@code isAuthorized} on the same policies and the same requests, built per call as a competent
 * user would (lineage entities, context, all the arguments). No schema: arguments reach Cedar only
 * without one (the default schema declares none).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
public class RealTrafficBenchmark {
  private static final int WORKERS = 10;
  private static final int TASKS_PER_WORKER = 1_000;
  private static final int NODES = WORKERS * TASKS_PER_WORKER;
  private static final int DRAWS = 1 << 17;
  private static final List<String> REPOS =
      List.of(
          "acme/api",
          "acme/web",
          "acme/ios",
          "acme/android",
          "acme/infra",
          "acme/docs",
          "acme/ml",
          "acme/billing",
          "acme/search",
          "acme/secret-plans");

  /** Nine policies every set shares: the benchmark fixture's, less the one reading the time. */
  private static final String SHARED =
      Fixtures.POLICIES.substring(0, Fixtures.POLICIES.indexOf("@id(\"change-freeze\")"));

  private static final Map<String, String> TENTH =
      Map.of(
          "P0",
          """
          @id("no-prod-from-tasks")
          forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/prod")
            when { context.kind == "task" };
          """,
          "P1",
          """
          @id("no-secret-plans")
          forbid(principal, action == Action::"tool.call", resource)
            when { context.args has repo && context.args.repo == "acme/secret-plans" };
          """,
          "P2",
          """
          @id("no-reserved-tickets")
          forbid(principal, action == Action::"tool.call", resource)
            when { context.args has ticket && context.args.ticket < 0 };
          """);

  private static final EntityTypeName AGENT = type("Agent");
  private static final EntityTypeName ACTION = type("Action");
  private static final EntityTypeName TOOL = type("Tool");
  private static final EntityTypeName EXECUTION = type("Execution");

  @Param({"P0", "P1", "P2"})
  public String policies;

  private PolicyStore store;
  private Authorizer ours;
  private Authorizer oursUncached;
  private io.execauthz.AuthorizationRequest[] requests;
  private int[] ranks;
  private String[] repos;
  private int generation;
  private AuthorizationEngine cedar;
  private PolicySet policySet;

  /** Each thread walks the precomputed draws from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int next = (int) (Thread.currentThread().getId() * 7919);
  }

  private static EntityTypeName type(String name) {
    return EntityTypeName.parse(name).orElseThrow();
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String text = SHARED + TENTH.get(policies);
    store = PolicyStore.newBuilder().policies("traffic.cedar", text).noSchema().build();
    Fixtures.check(store.nativelyCached(), "the policy set is not natively cached");
    Fixtures.check(
        !store.readsTime(), "a policy reads the time: the cache would re-ask per second");
    policySet = PolicySet.parsePolicies(text);
    policySet.cache();
    cedar = new BasicAuthorizationEngine();

    ExecutionGraph graph = Fixtures.agentRun(ExecutionGraph.newBuilder().maxFanOut(2_000));
    for (int w = 0; w < WORKERS; w++) {
      graph.spawn(
          "batch-1",
          NodeSpec.builder("zw-" + w)
              .kind("worker")
              .principal("agent:coder")
              .capabilities(Fixtures.TASK_CAPABILITIES)
              .build());
      for (int t = 0; t < TASKS_PER_WORKER; t++) {
        graph.spawn(
            "zw-" + w,
            NodeSpec.builder("zt-" + w + "-" + t)
                .kind("task")
                .capabilities(Fixtures.TASK_CAPABILITIES)
                .build());
      }
    }
    CedarPolicyEngine engine = CedarPolicyEngine.of(store);
    ours = Authorizer.newBuilder().graph(graph).policyEngine(engine).decisionCache(200_000).build();
    oursUncached =
        Authorizer.newBuilder().graph(graph).policyEngine(engine).decisionCache(0).build();

    double[] cdf = new double[NODES];
    double sum = 0;
    for (int k = 0; k < NODES; k++) {
      sum += 1 / Math.pow(k + 1, 1.1);
      cdf[k] = sum;
    }
    SplittableRandom rnd = new SplittableRandom(42);
    requests = new io.execauthz.AuthorizationRequest[DRAWS];
    ranks = new int[DRAWS];
    repos = new String[DRAWS];
    for (int i = 0; i < DRAWS; i++) {
      int k = Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
      ranks[i] = k >= 0 ? k : -k - 1;
      repos[i] = REPOS.get(rnd.nextInt(REPOS.size()));
    }
    fill(0);
    // every variant answers the same on the same requests
    for (int i = 0; i < 2_000; i++) {
      boolean a = ours.authorize(requests[i]).isPermit();
      boolean b = oursUncached.authorize(requests[i]).isPermit();
      boolean c = raw(i);
      Fixtures.check(a == b && b == c, "variants disagree on request " + i);
      boolean secret = requests[i].args().get("repo").equals("acme/secret-plans");
      Fixtures.check(a == !(policies.equals("P1") && secret), "unexpected answer " + i);
    }
  }

  /**
   * Under P2, before each iteration, the same draws with tickets (and titles) no earlier iteration
   * used: a call never comes round again, so P2 keys stay unique however fast the iterations run (a
   * recurring ticket would turn into a cache hit that real traffic never sees). Not timed. P0 and
   * P1 keep theirs: no key of theirs holds a ticket, and replacing 131,072 requests between
   * iterations only adds collector work to the next one.
   */
  @Setup(Level.Iteration)
  public void freshTickets() {
    if (policies.equals("P2")) {
      fill(++generation);
    }
  }

  private void fill(int gen) {
    for (int i = 0; i < DRAWS; i++) {
      long ticket = (long) gen * DRAWS + i;
      requests[i] =
          io.execauthz.AuthorizationRequest.of(node(ranks[i]), Fixtures.ACTION, Fixtures.RESOURCE)
              .withArgs(
                  Map.of(
                      "repo",
                      repos[i],
                      "ticket",
                      ticket,
                      "title",
                      "Flaky test #" + ticket,
                      "labels",
                      List.of("bug", "p" + (i & 3))));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    CacheStats s = ours.cacheStats();
    double ratio = (double) s.hits() / Math.max(1, s.hits() + s.misses());
    System.out.printf(
        "%n[%s] decision cache: %d hits, %d misses, hit ratio %.3f, %d entries%n",
        policies, s.hits(), s.misses(), ratio, s.size());
    store.close();
  }

  private static String node(int rank) {
    return "zt-" + rank / TASKS_PER_WORKER + "-" + rank % TASKS_PER_WORKER;
  }

  @Benchmark
  public Decision ours(Cursor cursor) {
    return ours.authorize(requests[cursor.next++ & (DRAWS - 1)]);
  }

  @Benchmark
  public Decision oursUncached(Cursor cursor) {
    return oursUncached.authorize(requests[cursor.next++ & (DRAWS - 1)]);
  }

  @Benchmark
  public boolean rawCedar(Cursor cursor) throws AuthException {
    return raw(cursor.next++ & (DRAWS - 1));
  }

  /**
   * The user's own call: the node's lineage as entities, the context with every argument, on the
   * natively cached policy set.
   */
  private boolean raw(int i) throws AuthException {
    int rank = ranks[i];
    String task = node(rank);
    String worker = "zw-" + rank / TASKS_PER_WORKER;
    Set<Entity> entities = new HashSet<>();
    entities.add(entity(task, "task", 3, worker));
    entities.add(entity(worker, "worker", 2, "batch-1"));
    entities.add(entity("batch-1", "batch", 1, "session"));
    entities.add(entity("session", "session", 0, null));
    Map<String, Value> context = Fixtures.rawTaskContext(task);
    Map<String, Object> a = requests[i].args();
    Map<String, Value> args = new HashMap<>();
    args.put("repo", new PrimString((String) a.get("repo")));
    args.put("ticket", new PrimLong((Long) a.get("ticket")));
    args.put("title", new PrimString((String) a.get("title")));
    List<Value> labels = new ArrayList<>();
    for (Object l : (List<?>) a.get("labels")) {
      labels.add(new PrimString((String) l));
    }
    args.put("labels", new CedarList(labels));
    context.put("args", new CedarMap(args));
    AuthorizationRequest q =
        new AuthorizationRequest(
            new EntityUID(AGENT, "coder"),
            new EntityUID(ACTION, Fixtures.ACTION),
            new EntityUID(TOOL, "github/create_issue"),
            Optional.of(context),
            Optional.empty(),
            false);
    AuthorizationResponse r = cedar.isAuthorized(q, policySet, entities);
    if (r.type != AuthorizationResponse.SuccessOrFailure.Success || r.success.isEmpty()) {
      return false;
    }
    AuthorizationSuccessResponse ok = r.success.get();
    return ok.getErrors().isEmpty()
        && ok.getDecision() == AuthorizationSuccessResponse.Decision.Allow;
  }

  private static Entity entity(String id, String kind, int depth, String parent) {
    Map<String, Value> attrs = new HashMap<>();
    attrs.put("kind", new PrimString(kind));
    attrs.put("depth", new PrimLong(depth));
    Set<EntityUID> parents = new HashSet<>();
    if (parent != null) {
      parents.add(new EntityUID(EXECUTION, parent));
    }
    return new Entity(new EntityUID(EXECUTION, id), attrs, parents);
  }
}
