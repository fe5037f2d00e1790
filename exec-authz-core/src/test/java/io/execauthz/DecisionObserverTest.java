package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.DecisionObserver;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class DecisionObserverTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
  private final List<DecisionObserver.Observation> seen = new ArrayList<>();

  /** Enforcing: permits everything but deploys. */
  private static final PolicyEngine ENFORCING =
      r -> new PolicyDecision(!r.resource().equals("tool:deploy"), List.of("enforcing"), List.of());

  /** Candidate: also forbids shell. */
  private static final PolicyEngine CANDIDATE =
      r ->
          new PolicyDecision(
              !r.resource().equals("tool:deploy") && !r.resource().equals("tool:shell"),
              List.of("candidate"),
              List.of());

  private Authorizer authorizer(PolicyEngine shadow) {
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:*").build());
    Authorizer.Builder b = Authorizer.newBuilder().graph(graph).policyEngine(ENFORCING);
    if (shadow != null) {
      b.shadowPolicyEngine(shadow);
    }
    return b.observer(seen::add).build();
  }

  @Test
  void everyFinalDecision_isObserved_withThePolicyAnswerAndWhereItCameFrom() {
    Authorizer a = authorizer(null);
    a.authorize("t", "tool.call", "tool:git");
    a.authorize("t", "tool.call", "tool:deploy");
    a.authorize("t", "net.connect", "net:x:1");
    a.authorize("ghost", "tool.call", "tool:git");
    a.check(AuthorizationRequest.of("t", "tool.call", "tool:git")); // not observed

    assertThat(seen).hasSize(4);
    assertThat(seen.get(0).decision().isPermit()).isTrue();
    assertThat(seen.get(0).policy().determiningPolicies()).containsExactly("enforcing");
    assertThat(seen.get(1).decision()).isInstanceOf(Decision.Deny.class);
    assertThat(seen.get(2).policy()).isNull(); // out of scope: never reached the policies
    assertThat(seen.get(3).view()).isNull();
    assertThat(seen).allMatch(o -> o.shadow() == null && !o.shadowDisagrees());
    assertThat(seen).allMatch(o -> o.nanos() >= 0);
  }

  @Test
  void aShadowEngine_isAskedBeside_neverDecides_andItsDisagreementsAreVisible() {
    Authorizer a = authorizer(CANDIDATE);
    Decision shell = a.authorize("t", "tool.call", "tool:shell");
    Decision deploy = a.authorize("t", "tool.call", "tool:deploy");
    for (int i = 0; i < 3; i++) {
      a.authorize("t", "tool.call", "tool:shell"); // from the cache, the shadow answer with it
    }

    assertThat(shell.isPermit()).isTrue(); // the candidate would deny: it does not decide
    assertThat(deploy.isPermit()).isFalse();
    assertThat(seen.get(0).shadowDisagrees()).isTrue();
    assertThat(seen.get(1).shadowDisagrees()).isFalse();
    assertThat(seen.subList(2, 5)).allMatch(DecisionObserver.Observation::shadowDisagrees);
    assertThat(seen.get(4).policyFromCache()).isTrue();
  }

  @Test
  void aFailingShadowOrObserver_changesNoDecision() {
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:*").build());
    Authorizer a =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(ENFORCING)
            .shadowPolicyEngine(
                r -> {
                  throw new IllegalStateException("candidate broken");
                })
            .observer(
                o -> {
                  throw new IllegalStateException("metrics backend down");
                })
            .observer(seen::add)
            .build();
    assertThat(a.authorize("t", "tool.call", "tool:git").isPermit()).isTrue();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).shadow().errors()).isNotEmpty();
    assertThat(seen.get(0).shadowDisagrees()).isTrue();
  }

  @Test
  void aGrantRefusedBeforeThePipeline_isObservedToo() {
    Authorizer a =
        Authorizer.newBuilder()
            .clock(clock)
            .policyEngine(ENFORCING)
            .grantSource(
                t ->
                    new io.execauthz.spi.GrantSource.Rejected(
                        Reason.INVALID_GRANT, "SIGNATURE: bad", null, null))
            .observer(seen::add)
            .build();
    a.authorize("forged", AuthorizationRequest.of("", "tool.call", "tool:git"));
    assertThat(seen).hasSize(1);
    assertThat(((Decision.Deny) seen.get(0).decision()).reason()).isEqualTo(Reason.INVALID_GRANT);
  }
}
