package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.jwt.GrantAuthorizer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.BudgetLedger.Budget;
import io.execauthz.spi.BudgetLedger.Exhausted;
import io.execauthz.spi.BudgetLedger.Taken;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same guarantees on a real 3-master Redis Cluster ({@link TestCluster}), configured by its
 * seed URIs: revocations propagate and are honoured, budgets count exactly across threads and
 * stores with counters spread over the three masters (each script call's keys in one slot), an
 * approval is consumed once, and a stopped master makes decisions deny {@code UNAVAILABLE} — never
 * permit a revoked node — until it is back.
 */
final class ClusterTest {
  private static final Duration BOUND = Duration.ofSeconds(1);
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RedisStore store(String uri, String prefix) {
    return RedisStore.newBuilder()
        .uri(uri)
        .keyPrefix(prefix)
        .timeout(Duration.ofMillis(500))
        .build();
  }

  @Test
  void theKeysOfEveryScriptCall_shareOneSlot_andGraphsSpreadOverEveryMaster() {
    String prefix = TestRedis.prefix();
    try (RedisStore s = store(cluster.uri(), prefix)) {
      RedisBudgetLedger ledger = (RedisBudgetLedger) s.budgetLedger();
      Set<TestRedis> masters = new HashSet<>();
      for (int g = 0; g < 60; g++) {
        Set<Integer> slots = new HashSet<>();
        for (String node : List.of("s", "t", "u{x}", "v}{")) {
          for (String cap : List.of("tool.call tool:** maxCalls=5", "fs.read fs:/** maxCalls=9")) {
            slots.add(cluster.slot(ledger.key(new Budget("graph-" + g, node, cap, 5, far()))));
          }
        }
        assertThat(slots).as("graph-%d", g).hasSize(1);
        masters.add(cluster.masterOf(ledger.key(new Budget("graph-" + g, "s", "c", 1, far()))));
      }
      assertThat(masters).hasSize(3);
      // budgets of two graphs cannot share one script call: refused, never half spent
      Budget one = new Budget("graph-1", "t", "c", 5, far());
      Budget two = new Budget("graph-2", "t", "c", 5, far());
      assertThat(ledger.take(List.of(List.of(one), List.of(two))))
          .isInstanceOf(BudgetLedger.Unavailable.class);
      assertThat(ledger.take(List.of(List.of(one)))).isInstanceOf(Taken.class);
      try (RedisRevocationRegistry r = RedisRevocationRegistry.newBuilder(s).build()) {
        assertThat(r.keys()).hasSize(3);
        assertThat(r.keys().stream().map(cluster::slot).distinct()).hasSize(1);
      }
    }
  }

  @Test
  void budgets_countExactlyAcrossThreadsAndStores_withCountersOnEveryMaster() throws Exception {
    String prefix = TestRedis.prefix();
    try (RedisStore a = store(cluster.uri(), prefix);
        RedisStore b = store(cluster.uri(), prefix)) {
      RedisBudgetLedger probe = (RedisBudgetLedger) a.budgetLedger();
      // one graph per master: a request's levels share their graph's slot
      Map<TestRedis, String> graphs = new LinkedHashMap<>();
      for (int g = 0; graphs.size() < 3; g++) {
        String graph = "spread-" + g;
        graphs.putIfAbsent(
            cluster.masterOf(probe.key(new Budget(graph, "t", "c", 1, far()))), graph);
      }
      Map<String, List<List<Budget>>> requests = new LinkedHashMap<>();
      for (String graph : graphs.values()) {
        Budget child = new Budget(graph, "t", "tool.call tool:** maxCalls=300", 300, far());
        Budget parent = new Budget(graph, "s", "tool.call tool:** maxCalls=1000", 1000, far());
        requests.put(graph, List.of(List.of(child), List.of(parent)));
      }
      Map<String, AtomicInteger> taken = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<BudgetLedger.Outcome> other = new ConcurrentLinkedQueue<>();
      requests.keySet().forEach(g -> taken.put(g, new AtomicInteger()));
      Together.run(
          8,
          i -> {
            BudgetLedger ledger = (i % 2 == 0 ? a : b).budgetLedger();
            for (int n = 0; n < 150; n++) {
              for (Map.Entry<String, List<List<Budget>>> r : requests.entrySet()) {
                BudgetLedger.Outcome o = ledger.take(r.getValue());
                if (o instanceof Taken) {
                  taken.get(r.getKey()).incrementAndGet();
                } else if (!(o instanceof Exhausted)) {
                  other.add(o);
                }
              }
            }
          });
      assertThat(other).isEmpty();
      for (String graph : requests.keySet()) {
        assertThat(taken.get(graph).get()).as(graph).isEqualTo(300);
        // all or nothing: the parent lost exactly the child's 300 calls, not one refused take
        Budget parent = requests.get(graph).get(1).get(0);
        int parentLeft = 0;
        while (probe.take(List.of(List.of(parent))) instanceof Taken) {
          parentLeft++;
        }
        assertThat(parentLeft).as(graph).isEqualTo(700);
      }
    }
  }

  @Test
  void anApproval_isConsumedOnce_over16ThreadsAndTwoStores() throws Exception {
    String prefix = TestRedis.prefix();
    AuthorizationRequest call =
        AuthorizationRequest.of("t", "tool.call", "tool:github/merge").withArgs(Map.of("pr", 7));
    try (RedisStore a = store(cluster.uri(), prefix);
        RedisStore b = store(cluster.uri(), prefix)) {
      ApprovalRace.consumedExactlyOnce(a, b, call);
    }
  }

  @Test
  void aRevocation_reachesAnotherProcess_andItsGrantIsRefused() throws Exception {
    String prefix = TestRedis.prefix();
    try (Orchestrator o = new Orchestrator(cluster.uri(), prefix, BOUND, "tool.call tool:**");
        RedisStore toolStore = store(cluster.uri(), prefix);
        RedisRevocationRegistry toolRevocations =
            RedisRevocationRegistry.newBuilder(toolStore).stalenessBound(BOUND).build()) {
      GrantAuthorizer tools = tools(toolRevocations, toolStore.budgetLedger());
      String t = o.grant("t");
      assertThat(toolRevocations.isCurrent()).isTrue();
      assertThat(tools.authorize(t, "tool.call", "tool:x/y").isPermit()).isTrue();
      o.graph.revoke("t", "revoked on a cluster");
      assertThat(await(tools, t, 10, d -> !d.isPermit())).isEqualTo(Reason.REVOKED);
      assertThat(toolRevocations.isCurrent()).isTrue();
    }
  }

  @Test
  void aMasterStoppedMidRun_deniesUnavailable_neverPermitsARevokedNode_andRecovers()
      throws Exception {
    try (TestCluster own = TestCluster.start()) {
      String prefix = "stop";
      try (Orchestrator o = new Orchestrator(own.uri(), prefix, BOUND, "tool.call tool:**");
          RedisStore toolStore = store(own.uri(), prefix);
          RedisRevocationRegistry toolRevocations =
              RedisRevocationRegistry.newBuilder(toolStore).stalenessBound(BOUND).build()) {
        for (String id : List.of("before", "during", "alive")) {
          o.graph.spawn(
              "s",
              NodeSpec.builder(id)
                  .principal("agent:" + id)
                  .capabilities("tool.call tool:** maxCalls=1000")
                  .ttl(Duration.ofMinutes(5))
                  .build());
        }
        GrantAuthorizer tools = tools(toolRevocations, toolStore.budgetLedger());
        String before = o.grant("before");
        String during = o.grant("during");
        String alive = o.grant("alive");
        assertThat(toolRevocations.isCurrent()).isTrue();
        o.graph.revoke("before", "revoked before the outage");
        assertThat(await(tools, before, 10, d -> !d.isPermit())).isEqualTo(Reason.REVOKED);
        assertThat(tools.authorize(alive, "tool.call", "tool:x/y").isPermit()).isTrue();

        // stop the master holding the revocation registry's slot
        TestRedis stopped = own.masterOf(toolRevocations.keys().get(0));
        stopped.stop();
        Instant at = Instant.now();
        assertThat(await(tools, alive, 15, d -> !d.isPermit())).isEqualTo(Reason.UNAVAILABLE);
        assertThat(Duration.between(at, Instant.now()))
            .isLessThan(BOUND.plus(Duration.ofMillis(2500)));
        // the budget ledger may refuse first; once the copy is stale, the registry says why
        Instant stale = Instant.now().plusSeconds(10);
        while (toolRevocations.isCurrent() && Instant.now().isBefore(stale)) {
          Thread.sleep(5);
        }
        Decision.Deny deny = (Decision.Deny) tools.authorize(alive, "tool.call", "tool:x/y");
        assertThat(deny.reason()).isEqualTo(Reason.UNAVAILABLE);
        assertThat(deny.detail()).contains("not current (", "cannot reach ", "over its bound");

        Throwable t = catchRevoke(o, "during");
        assertThat(t).isNotNull(); // the revoker is told its revocation is not shared yet

        stopped.startAgain();
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
          assertThat(tools.authorize(before, "tool.call", "tool:x/y").isPermit()).isFalse();
          assertThat(tools.authorize(during, "tool.call", "tool:x/y").isPermit()).isFalse();
          if (tools.authorize(alive, "tool.call", "tool:x/y").isPermit()) {
            break;
          }
          Thread.sleep(5);
        }
        assertThat(tools.authorize(alive, "tool.call", "tool:x/y").isPermit()).isTrue();
        assertThat(reason(tools.authorize(during, "tool.call", "tool:x/y")))
            .isEqualTo(Reason.REVOKED);
        assertThat(reason(tools.authorize(before, "tool.call", "tool:x/y")))
            .isEqualTo(Reason.REVOKED);
      }
    }
  }

  private static Throwable catchRevoke(Orchestrator o, String node) {
    try {
      o.graph.revoke(node, "revoked during the outage");
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private static GrantAuthorizer tools(RedisRevocationRegistry revocations, BudgetLedger ledger) {
    return GrantAuthorizer.newBuilder()
        .verifier(
            GrantVerifier.newBuilder()
                .keys(PublicKeySet.of(Orchestrator.KEY))
                .issuer(Orchestrator.ISSUER)
                .audience(Orchestrator.AUDIENCE)
                .revocations(revocations)
                .build())
        .authorizer(
            Authorizer.newBuilder()
                .budgetLedger(
                    ledger == null ? BudgetLedger.inMemory(InstantSource.system()) : ledger)
                .policyEngine(PolicyEngine.permitAll()))
        .build();
  }

  private static Instant far() {
    return Instant.now().plus(Duration.ofHours(1));
  }

  private static Reason reason(Decision d) {
    return d instanceof Decision.Deny deny ? deny.reason() : null;
  }

  private static Reason await(
      GrantAuthorizer tools, String token, int seconds, Predicate<Decision> p)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(seconds);
    Decision d = tools.authorize(token, "tool.call", "tool:x/y");
    while (!p.test(d) && Instant.now().isBefore(deadline)) {
      Thread.sleep(5);
      d = tools.authorize(token, "tool.call", "tool:x/y");
    }
    return reason(d);
  }
}
