package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Decisions made while the policies are reloaded again and again: each decision is made under one
 * version — its determining policies all belong to that version, and its version number is the one
 * that version was loaded under.
 */
final class ConcurrentReloadTest {

  private static String generation(int g) {
    // two permits that both match: a decision mixing versions would name policies of two gens
    return "@id(\"g"
        + g
        + "-a\") permit(principal, action, resource) when { context.depth >= 0 };\n"
        + "@id(\"g"
        + g
        + "-b\") permit(principal, action == Action::\"tool.call\", resource);\n";
  }

  @Test
  void decisionsDuringReloads_neverMixVersions() throws Exception {
    PolicyStore store = PolicyStore.newBuilder().policies("gen.cedar", generation(0)).build();
    CedarPolicyEngine engine = CedarPolicyEngine.of(store);
    Map<Long, Integer> generationOfVersion = new ConcurrentHashMap<>();
    generationOfVersion.put(store.version(), 0);

    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(threads);
    List<Future<List<CedarDecision>>> results = new ArrayList<>();
    PolicyTester.Request call =
        PolicyTester.request("agent:a", "tool.call", "tool:github/x")
            .node("s", "session")
            .node("t", "task");
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                List<CedarDecision> seen = new ArrayList<>();
                started.countDown();
                while (!stop.get()) {
                  seen.add(engine.explain(call.toPolicyRequest()));
                }
                return seen;
              }));
    }
    started.await();
    long last = store.version();
    for (int g = 1; g <= 40; g++) {
      LoadReport r = store.replacePolicies(Map.of("gen.cedar", generation(g)));
      assertThat(r.applied()).isTrue();
      assertThat(r.version()).isGreaterThan(last);
      last = r.version();
      generationOfVersion.put(r.version(), g);
      // a failing reload in between changes nothing
      assertThat(store.replacePolicies(Map.of("gen.cedar", "permit(")).applied()).isFalse();
    }
    stop.set(true);
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    long total = 0;
    for (Future<List<CedarDecision>> f : results) {
      for (CedarDecision d : f.get()) {
        total++;
        assertThat(d.errors()).isEmpty();
        assertThat(d.permitted()).isTrue();
        Integer g = generationOfVersion.get(d.policyVersion());
        assertThat(g).as("version %s was loaded", d.policyVersion()).isNotNull();
        assertThat(d.determiningPolicies()).containsExactly("g" + g + "-a", "g" + g + "-b");
      }
    }
    assertThat(total).isGreaterThan(40);
  }
}
