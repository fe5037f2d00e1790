package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.jwt.GrantAuthorizer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped in the middle of a run (SIGKILL) and started again on the same port: tool servers
 * refuse with {@code UNAVAILABLE} within the staleness bound, never permit a grant whose node was
 * revoked before or during the outage, and permit again by themselves once Redis is back. Always on
 * a server of its own (it is stopped), even when {@code EXEC_AUTHZ_REDIS_URL} is set.
 */
final class OutageTest {
  private static final Duration BOUND = Duration.ofSeconds(1);

  @Test
  void redisStoppedMidRun_deniesUnavailableWithinTheBound_neverPermitsARevokedNode_andRecovers()
      throws Exception {
    TestRedis redis = TestRedis.start();
    try (Orchestrator o = new Orchestrator(redis.uri(), "out", BOUND, "tool.call tool:**");
        RedisStore toolStore =
            RedisStore.newBuilder()
                .uri(redis.uri())
                .keyPrefix("out")
                .timeout(Duration.ofMillis(300))
                .build();
        RedisRevocationRegistry toolRevocations =
            RedisRevocationRegistry.newBuilder(toolStore).stalenessBound(BOUND).build()) {
      for (String id : List.of("before", "during", "alive")) {
        o.graph.spawn(
            "s",
            NodeSpec.builder(id)
                .principal("agent:" + id)
                .capabilities("tool.call tool:**")
                .ttl(Duration.ofMinutes(5))
                .build());
      }
      GrantAuthorizer tools =
          GrantAuthorizer.newBuilder()
              .verifier(
                  GrantVerifier.newBuilder()
                      .keys(PublicKeySet.of(Orchestrator.KEY))
                      .issuer(Orchestrator.ISSUER)
                      .audience(Orchestrator.AUDIENCE)
                      .revocations(toolRevocations)
                      .build())
              .authorizer(
                  Authorizer.newBuilder()
                      .budgetLedger(BudgetLedger.inMemory(java.time.InstantSource.system()))
                      .policyEngine(PolicyEngine.permitAll()))
              .build();
      String before = o.grant("before");
      String during = o.grant("during");
      String alive = o.grant("alive");
      assertThat(toolRevocations.isCurrent()).isTrue();

      o.graph.revoke("before", "revoked before the outage");
      assertThat(await(tools, before, 10, d -> !d.isPermit())).isEqualTo(Reason.REVOKED);
      assertThat(tools.authorize(alive, "tool.call", "tool:x/y").isPermit()).isTrue();

      redis.stop();
      Instant stopped = Instant.now();
      assertThat(await(tools, alive, 10, d -> !d.isPermit())).isEqualTo(Reason.UNAVAILABLE);
      // refused within the bound (plus a heartbeat and scheduling slack on a loaded machine)
      assertThat(Duration.between(stopped, Instant.now()))
          .isLessThan(BOUND.plus(Duration.ofMillis(1500)));

      Throwable t = catchThrowable(() -> o.graph.revoke("during", "revoked during the outage"));
      assertThat(t).isNotNull(); // the revoker is told its revocation is not shared yet
      assertThat(o.revocations.isCurrent()).isFalse();

      redis.startAgain();
      // until the tool server permits again, nothing revoked is ever permitted
      Instant deadline = Instant.now().plusSeconds(20);
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
      // the orchestrator's own registry settles too (its write went through: tool servers see it)
      Instant settled = Instant.now().plusSeconds(10);
      while (!o.revocations.isCurrent() && Instant.now().isBefore(settled)) {
        Thread.sleep(10);
      }
      assertThat(o.revocations.isCurrent()).isTrue();
    } finally {
      redis.close();
    }
  }

  @Test
  void budgetLedger_withRedisStopped_isUnavailable_andCountsOnAfterRestart() throws Exception {
    TestRedis redis = TestRedis.start();
    try (RedisStore store =
        RedisStore.newBuilder().uri(redis.uri()).timeout(Duration.ofMillis(200)).build()) {
      BudgetLedger ledger = store.budgetLedger();
      BudgetLedger.Budget b =
          new BudgetLedger.Budget("g", "n", "tool.call tool:x maxCalls=3", 3, farFuture());
      assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(BudgetLedger.Taken.class);
      redis.stop();
      assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(BudgetLedger.Unavailable.class);
      assertThat(ledger.check(List.of(List.of(b)))).isInstanceOf(BudgetLedger.Unavailable.class);
      redis.startAgain();
      BudgetLedger.Outcome o = ledger.take(List.of(List.of(b)));
      Instant deadline = Instant.now().plusSeconds(10);
      while (o instanceof BudgetLedger.Unavailable && Instant.now().isBefore(deadline)) {
        Thread.sleep(20); // the client reconnects by itself
        o = ledger.take(List.of(List.of(b)));
      }
      assertThat(o).isInstanceOf(BudgetLedger.Taken.class);
      assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(BudgetLedger.Taken.class);
      assertThat(ledger.take(List.of(List.of(b)))).isInstanceOf(BudgetLedger.Exhausted.class);
    } finally {
      redis.close();
    }
  }

  static Instant farFuture() {
    return Instant.now().plus(Duration.ofHours(1));
  }

  private static Reason reason(Decision d) {
    return d instanceof Decision.Deny deny ? deny.reason() : null;
  }

  private static Reason await(
      GrantAuthorizer tools, String token, int seconds, java.util.function.Predicate<Decision> p)
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
