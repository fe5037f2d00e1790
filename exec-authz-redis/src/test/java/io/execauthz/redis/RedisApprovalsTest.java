package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.Reason;
import io.execauthz.jwt.GrantAuthorizer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.spi.ApprovalStore.Outcome;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** One-time approvals on a real Redis: one call, once, whichever store asks first. */
final class RedisApprovalsTest {
  private final String prefix = TestRedis.prefix();

  private RedisStore store() {
    return RedisStore.newBuilder().uri(TestRedis.sharedUri()).keyPrefix(prefix).build();
  }

  @Test
  void anApproval_isConsumedExactlyOnce_by16ThreadsOverTwoStores() throws Exception {
    AuthorizationRequest call =
        AuthorizationRequest.of("t", "tool.call", "tool:github/merge").withArgs(Map.of("pr", 42));
    try (RedisStore a = store();
        RedisStore b = store()) {
      ApprovalRace.consumedExactlyOnce(a, b, call);
    }
  }

  @Test
  void anApproval_coversOnlyItsOwnCall() {
    AuthorizationRequest call =
        AuthorizationRequest.of("t", "tool.call", "tool:github/merge").withArgs(Map.of("pr", 42));
    try (RedisStore s = store()) {
      RedisApprovals approvals = s.approvals();
      approvals.record(call, Duration.ofMinutes(1));
      assertThat(approvals.consume(call.withArgs(Map.of("pr", 43)))).isEqualTo(Outcome.ABSENT);
      assertThat(approvals.consume(call.onNode("other"))).isEqualTo(Outcome.ABSENT);
      assertThat(approvals.consume(AuthorizationRequest.of("t", "tool.call", "tool:github/close")))
          .isEqualTo(Outcome.ABSENT);
      assertThat(approvals.consume(call)).isEqualTo(Outcome.APPROVED);
      assertThat(approvals.consume(call)).isEqualTo(Outcome.ABSENT);
    }
  }

  @Test
  void throughTheAuthorizer_anApprovalRecordedByTheOrchestrator_permitsOneCallInOneToolServer()
      throws Exception {
    try (Orchestrator o =
            new Orchestrator(
                TestRedis.sharedUri(),
                prefix,
                Duration.ofSeconds(3),
                "tool.call tool:** approval");
        RedisStore a = store();
        RedisStore b = store()) {
      String token = o.grant("t");
      List<GrantAuthorizer> tools = List.of(tool(a), tool(b));
      AuthorizationRequest merge =
          AuthorizationRequest.of("t", "tool.call", "tool:github/merge").withArgs(Map.of("pr", 9));
      for (GrantAuthorizer t : tools) {
        assertThat(reason(t.authorize(token, merge))).isEqualTo(Reason.APPROVAL_REQUIRED);
      }
      o.store.approvals().record(merge, Duration.ofMinutes(1));
      ConcurrentLinkedQueue<Decision> decisions = new ConcurrentLinkedQueue<>();
      Together.run(16, i -> decisions.add(tools.get(i % 2).authorize(token, merge)));
      assertThat(decisions.stream().filter(Decision::isPermit)).hasSize(1);
      assertThat(decisions.stream().filter(d -> reason(d) == Reason.APPROVAL_REQUIRED)).hasSize(15);
    }
  }

  private static GrantAuthorizer tool(RedisStore s) {
    return GrantAuthorizer.newBuilder()
        .verifier(
            GrantVerifier.newBuilder()
                .keys(PublicKeySet.of(Orchestrator.KEY))
                .issuer(Orchestrator.ISSUER)
                .audience(Orchestrator.AUDIENCE)
                .withoutRevocationChecks()
                .build())
        .authorizer(
            Authorizer.newBuilder()
                .budgetLedger(s.budgetLedger())
                .approvalStore(s.approvals())
                .policyEngine(PolicyEngine.permitAll()))
        .build();
  }

  private static Reason reason(Decision d) {
    return d instanceof Decision.Deny deny ? deny.reason() : null;
  }
}
