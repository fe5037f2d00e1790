package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue point 7: cedar-java's native policy-set cache is global to the JVM (1,024 sets by default)
 * and freed only by garbage collection. Stores and engines made after it is full keep deciding
 * correctly, uncached, and say so in their stats.
 */
final class NativeCacheTest {

  @Test
  void fullNativeCache_fallsBackToUncachedEvaluation() throws Exception {
    // first let the collector free what earlier tests left: an entry freed while this test fills
    // the cache would make room for a store it expects uncached
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // the collector's cleaner thread, not the code under test
    }
    List<PolicyStore> stores = new ArrayList<>();
    try {
      PolicyStore last = null;
      for (int i = 0; i < 1_500; i++) {
        last = PolicyStore.of("@id(\"s" + i + "\") permit(principal, action, resource);");
        last.close(); // its parsing threads; its policies stay usable
        stores.add(last);
        if (!last.nativelyCached()) {
          break;
        }
      }
      assertThat(last.nativelyCached()).as("the native cache filled up").isFalse();
      assertThat(last.cacheFailures()).isEqualTo(1);

      PolicyStore store =
          PolicyStore.of(
              """
              @id("no-shell") forbid(principal, action, resource == Tool::"shell/exec")
                unless { context.approved };
              @id("any") permit(principal, action, resource);
              """);
      stores.add(store);
      assertThat(store.nativelyCached()).isFalse();
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      PolicyTester t = PolicyTester.of(engine);
      PolicyTester.Request shell = PolicyTester.request("agent:a", "tool.call", "tool:shell/exec");
      assertThat(t.assertDeniedBy(shell, "no-shell").nativelyCached()).isFalse();
      t.assertPermittedBy(shell.approved(), "any");
      assertThat(engine.stats().uncachedEvaluations()).isEqualTo(2);
      assertThat(engine.stats().cachedEvaluations()).isZero();
      assertThat(engine.stats().cacheFailures()).isEqualTo(1);

      // a reload while full keeps working too
      assertThat(
              store
                  .replacePolicies(java.util.Map.of("p", "forbid(principal, action, resource);"))
                  .applied())
          .isTrue();
      t.assertDeny(shell.approved());
      assertThat(store.cacheFailures()).isEqualTo(2);
    } finally {
      stores.clear();
      freeNativeCache();
    }
  }

  /** Lets the garbage collector free the native entries, so later tests run cached again. */
  private static void freeNativeCache() throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      System.gc();
      PolicyStore probe = PolicyStore.of("permit(principal, action, resource);");
      probe.close();
      if (probe.nativelyCached()) {
        return;
      }
      Thread.sleep(100); // waiting for the collector's cleaner thread, not for the code under test
    }
  }
}
