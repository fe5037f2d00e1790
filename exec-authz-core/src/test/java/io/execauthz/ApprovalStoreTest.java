package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.spi.ApprovalStore;
import io.execauthz.spi.ApprovalStore.Approval;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The approval step through an {@link ApprovalStore}: a recorded approval of one call permits that
 * call once; anything else is denied as before; a store that cannot answer is {@code UNAVAILABLE}.
 */
final class ApprovalStoreTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final ExecutionGraph graph =
      ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(7)).build();
  private final ApprovalStore approvals = ApprovalStore.inMemory(clock);

  ApprovalStoreTest() {
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:deploy/* approval", "fs.* fs:/repo/**")
            .build());
    graph.spawn(
        "s",
        NodeSpec.builder("b").capabilities("fs.* fs:/repo/**").claims("fs:/repo/x/**").build());
  }

  private Authorizer authorizer(ApprovalStore store, PolicyEngine engine) {
    return Authorizer.newBuilder().graph(graph).policyEngine(engine).approvalStore(store).build();
  }

  private static AuthorizationRequest deploy(String target) {
    return AuthorizationRequest.of("s", "tool.call", "tool:deploy/" + target)
        .withArgs(Map.of("version", "1.2.3"));
  }

  private static Reason reason(Decision d) {
    return d instanceof Decision.Deny deny ? deny.reason() : null;
  }

  @Test
  void aRecordedApproval_permitsItsCallOnce_thenApprovalIsRequiredAgain() {
    Authorizer authz = authorizer(approvals, PolicyEngine.permitAll());
    assertThat(reason(authz.authorize(deploy("prod")))).isEqualTo(Reason.APPROVAL_REQUIRED);
    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    assertThat(authz.authorize(deploy("prod")).isPermit()).isTrue();
    assertThat(reason(authz.authorize(deploy("prod")))).isEqualTo(Reason.APPROVAL_REQUIRED);
    // an approval given with the request works as ever
    assertThat(authz.authorize(deploy("prod").withApproval()).isPermit()).isTrue();
  }

  @Test
  void explain_seesAWaitingApproval_asCheckDoes_withoutUsingIt() {
    Authorizer authz = authorizer(approvals, PolicyEngine.permitAll());
    Explanation before = authz.explain(deploy("prod"));
    assertThat(before.failed().orElseThrow().step()).isEqualTo(Explanation.Step.APPROVAL);
    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    Explanation after = authz.explain(deploy("prod"));
    assertThat(after.decision().isPermit()).isTrue();
    assertThat(after.check(Explanation.Step.APPROVAL).passed()).isTrue();
    assertThat(authz.check(deploy("prod")).isPermit()).isTrue();
    // neither explain nor check used it up: the call itself still may, once
    assertThat(authz.authorize(deploy("prod")).isPermit()).isTrue();
    assertThat(reason(authz.authorize(deploy("prod")))).isEqualTo(Reason.APPROVAL_REQUIRED);
  }

  @Test
  void anApproval_coversOnlyItsOwnNodeActionResourceAndArguments() {
    Authorizer authz = authorizer(approvals, PolicyEngine.permitAll());
    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    assertThat(reason(authz.authorize(deploy("staging")))).isEqualTo(Reason.APPROVAL_REQUIRED);
    assertThat(reason(authz.authorize(deploy("prod").withArgs(Map.of("version", "9")))))
        .isEqualTo(Reason.APPROVAL_REQUIRED);
    assertThat(reason(authz.authorize(deploy("prod").withArgs(null))))
        .isEqualTo(Reason.APPROVAL_REQUIRED);
    assertThat(approvals.peek(Approval.of(deploy("prod"))))
        .isEqualTo(ApprovalStore.Outcome.APPROVED);
    assertThat(authz.authorize(deploy("prod")).isPermit()).isTrue();
  }

  @Test
  void check_peeksWithoutConsuming() {
    Authorizer authz = authorizer(approvals, PolicyEngine.permitAll());
    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    assertThat(authz.check(deploy("prod")).isPermit()).isTrue();
    assertThat(authz.check(deploy("prod")).isPermit()).isTrue();
    assertThat(authz.authorize(deploy("prod")).isPermit()).isTrue();
    assertThat(reason(authz.check(deploy("prod")))).isEqualTo(Reason.APPROVAL_REQUIRED);
  }

  @Test
  void anExpiredApproval_isAbsent() {
    Authorizer authz = authorizer(approvals, PolicyEngine.permitAll());
    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(5));
    assertThat(reason(authz.authorize(deploy("prod")))).isEqualTo(Reason.APPROVAL_REQUIRED);
  }

  @Test
  void anEarlierRefusal_consumesNothing_aLaterOne_consumesTheApproval() {
    PolicyEngine denyAll = PolicyEngine.denyAll();
    graph.spawn("s", NodeSpec.builder("w").capabilities("fs.write fs:/repo/x/** approval").build());
    AuthorizationRequest write = AuthorizationRequest.of("w", "fs.write", "fs:/repo/x/a");
    approvals.record(Approval.of(write), Duration.ofMinutes(5));
    // claimed by node b: refused before the approval step, the approval stays
    assertThat(reason(authorizer(approvals, PolicyEngine.permitAll()).authorize(write)))
        .isEqualTo(Reason.CLAIMED);
    assertThat(approvals.peek(Approval.of(write))).isEqualTo(ApprovalStore.Outcome.APPROVED);

    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    // refused by the policy after the approval step: spent, never serves twice
    assertThat(reason(authorizer(approvals, denyAll).authorize(deploy("prod"))))
        .isEqualTo(Reason.POLICY);
    assertThat(approvals.peek(Approval.of(deploy("prod")))).isEqualTo(ApprovalStore.Outcome.ABSENT);
  }

  @Test
  void aStoreThatCannotAnswer_isUnavailable_neverAPermit() {
    ApprovalStore down =
        new ApprovalStore() {
          @Override
          public void record(Approval approval, Duration ttl) {
            throw new IllegalStateException("down");
          }

          @Override
          public Outcome consume(Approval approval) {
            return Outcome.UNAVAILABLE;
          }

          @Override
          public Outcome peek(Approval approval) {
            throw new IllegalStateException("down");
          }
        };
    Authorizer authz = authorizer(down, PolicyEngine.permitAll());
    Decision d = authz.authorize(deploy("prod"));
    assertThat(reason(d)).isEqualTo(Reason.UNAVAILABLE);
    assertThat(((Decision.Deny) d).detail()).contains("approval store");
    assertThat(reason(authz.check(deploy("prod")))).isEqualTo(Reason.UNAVAILABLE);
    // a request that needs no approval never asks the store
    assertThat(authz.authorize("s", "fs.read", "fs:/repo/a").isPermit()).isTrue();
    assertThat(authz.authorize(deploy("prod").withApproval()).isPermit()).isTrue();
  }

  @Test
  void oneApproval_16Threads_exactlyOnePermit() throws Exception {
    Authorizer authz = authorizer(approvals, PolicyEngine.permitAll());
    approvals.record(Approval.of(deploy("prod")), Duration.ofMinutes(5));
    ConcurrentLinkedQueue<Boolean> permits = new ConcurrentLinkedQueue<>();
    Together.run(16, i -> permits.add(authz.authorize(deploy("prod")).isPermit()));
    assertThat(permits).hasSize(16);
    assertThat(permits.stream().filter(p -> p)).hasSize(1);
  }

  @Test
  void builderAndStore_refuseBadInput() {
    assertThatThrownBy(
            () -> Authorizer.newBuilder().approvalStore(approvals).approvalStore(approvals))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("approvalStore");
    assertThatThrownBy(() -> approvals.record(Approval.of(deploy("x")), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
    assertThatThrownBy(() -> new Approval("s", "a", null, "h"))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("resource");
  }
}
