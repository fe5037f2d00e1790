package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, item 3, end to end: a forbid that starts at a given second, reading the time under an
 * escaped spelling of {@code now}. With the decision cache on, a PERMIT cached before that second
 * must not be served after it.
 */
final class TimeReadingCacheTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest
  @ValueSource(strings = {"context.now", "context[\"\\u{6e}ow\"]", "context[\"\\x6eow\"]"})
  void cachedPermit_doesNotOutliveATimeBasedForbid(String now) {
    long cutoff = T0.getEpochSecond() + 10;
    PolicyStore store =
        PolicyStore.of(
            "@id(\"baseline\") permit(principal, action, resource);\n"
                + "@id(\"after-cutoff\") forbid(principal, action, resource) when { "
                + now
                + " >= "
                + cutoff
                + " };\n");
    TestClock clock = new TestClock(T0);
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    CedarPolicyEngine engine = CedarPolicyEngine.of(store);
    Authorizer authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(engine).decisionCache(1_000).build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:**")
            .ttl(Duration.ofHours(1))
            .build());
    assertThat(engine.readsTime()).isTrue();

    for (int i = 0; i < 3; i++) {
      assertThat(authorizer.authorize("session", "tool.call", "tool:github/x").isPermit()).isTrue();
    }
    assertThat(authorizer.cacheStats().hits()).as("the cache is on and served").isPositive();

    clock.advance(Duration.ofSeconds(11));
    Decision d = authorizer.authorize("session", "tool.call", "tool:github/x");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class, deny -> assertThat(deny.reason()).isEqualTo(Reason.POLICY));
    assertThat(d.determiningPolicies()).containsExactly("after-cutoff");
    store.close();
  }
}
