package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class DecisionCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
  private final AtomicInteger calls = new AtomicInteger();

  private PolicyEngine engine(boolean readsTime) {
    return new PolicyEngine() {
      @Override
      public PolicyDecision evaluate(PolicyRequest r) {
        calls.incrementAndGet();
        return new PolicyDecision(true, List.of("p"), List.of());
      }

      @Override
      public boolean readsTime() {
        return readsTime;
      }
    };
  }

  private Authorizer authorizer(PolicyEngine engine, int size) {
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:**").build());
    return Authorizer.newBuilder()
        .graph(graph)
        .policyEngine(engine)
        .decisionCache(size)
        .admitEveryAnswer()
        .build();
  }

  @Test
  void anEngineThatDoesNotReadTheTime_isAskedOnceAcrossSeconds() {
    Authorizer a = authorizer(engine(false), 100);
    for (int i = 0; i < 5; i++) {
      assertThat(a.authorize("t", "tool.call", "tool:x").isPermit()).isTrue();
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(calls.get()).isEqualTo(1);
    assertThat(a.cacheStats().hits()).isEqualTo(4);
    assertThat(a.cacheStats().hitRate()).isEqualTo(0.8);
  }

  @Test
  void anEngineThatReadsTheTime_isAskedAgainEverySecond() {
    Authorizer a = authorizer(engine(true), 100);
    for (int i = 0; i < 5; i++) {
      a.authorize("t", "tool.call", "tool:x");
      a.authorize("t", "tool.call", "tool:x");
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(calls.get()).isEqualTo(5);
  }

  @Test
  void aDisabledCache_asksEveryTime_andCountsNothing() {
    Authorizer a = authorizer(engine(false), 0);
    for (int i = 0; i < 3; i++) {
      a.authorize("t", "tool.call", "tool:x");
    }
    assertThat(calls.get()).isEqualTo(3);
    assertThat(a.cacheStats()).isEqualTo(new CacheStats(0, 0, 0, 0));
  }

  @Test
  void aHit_stillSpendsTheBudget_andStillSeesARevocation() {
    graph.spawn(
        NodeSpec.builder("b")
            .principal("agent:x")
            .capabilities("tool.call tool:x maxCalls=2")
            .build());
    Authorizer a =
        Authorizer.newBuilder().graph(graph).policyEngine(engine(false)).admitEveryAnswer().build();
    assertThat(a.authorize("b", "tool.call", "tool:x").isPermit()).isTrue();
    assertThat(a.authorize("b", "tool.call", "tool:x").isPermit()).isTrue();
    assertThat(((Decision.Deny) a.authorize("b", "tool.call", "tool:x")).reason())
        .isEqualTo(Reason.BUDGET_EXHAUSTED);
    assertThat(a.cacheStats().hits()).isEqualTo(2);
    graph.revoke("b", "stop");
    assertThat(((Decision.Deny) a.authorize("b", "tool.call", "tool:x")).reason())
        .isEqualTo(Reason.REVOKED);
  }

  @Test
  void decisionCache_negativeSize_isRefused_andSetTwice_isRefused() {
    Authorizer.Builder b = Authorizer.newBuilder();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.decisionCache(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("decisionCache");
    b.decisionCache(5);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.decisionCache(6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("decisionCache");
  }

  @Test
  void oneOffRequests_areNotKept_andARepeatedOneIsKeptFromItsSecondSighting() {
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:**").build());
    Authorizer a =
        Authorizer.newBuilder().graph(graph).policyEngine(engine(false)).decisionCache(100).build();
    for (int i = 0; i < 50; i++) {
      a.authorize(
          AuthorizationRequest.of("t", "tool.call", "tool:x").withArgs(java.util.Map.of("i", i)));
    }
    // the filter is a bit set: a rare hash collision lets a one-off in (never a wrong answer)
    assertThat(a.cacheStats().size()).isLessThan(5);
    for (int i = 0; i < 4; i++) {
      a.authorize("t", "tool.call", "tool:y");
    }
    long asked = calls.get() - 50; // asked on the first two sightings (one, on a collision)
    assertThat(asked).isBetween(1L, 2L);
    assertThat(a.cacheStats().hits()).isEqualTo(4 - asked);
  }

  @Test
  void evictionRunsOnTheInsertingThread_soTheCacheNeverHoldsMoreThanItsSize() {
    // maintenance is not handed to another thread (a wake-up per insert costs a miss ~15 µs)
    Authorizer a = authorizer(engine(false), 100);
    for (int i = 0; i < 1_000; i++) {
      a.authorize(
          AuthorizationRequest.of("t", "tool.call", "tool:x").withArgs(java.util.Map.of("i", i)));
      assertThat(a.cacheStats().size()).as("after insert %d", i).isLessThanOrEqualTo(100);
    }
    assertThat(a.cacheStats().evictions()).isEqualTo(900);
  }
}
