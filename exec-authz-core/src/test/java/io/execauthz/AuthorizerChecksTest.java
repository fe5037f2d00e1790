package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.GrantSource;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The side-effect-free check and the all-or-nothing decision of several checks of one call. */
final class AuthorizerChecksTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
  private final List<AuditRecord> audit = new ArrayList<>();

  /** Forbids writes to {@code fs:/repo/secret}. */
  private static final PolicyEngine NO_SECRET =
      r ->
          new PolicyDecision(
              !r.resource().equals("fs:/repo/secret"), List.of("no-secret"), List.of());

  private Authorizer authorizer() {
    graph.spawn(
        NodeSpec.builder("t")
            .principal("agent:coder")
            .capabilities("tool.call tool:files/write maxCalls=1", "fs.write fs:/repo/**")
            .build());
    return Authorizer.newBuilder()
        .graph(graph)
        .policyEngine(NO_SECRET)
        .auditSink(audit::add)
        .build();
  }

  private static AuthorizationRequest tool() {
    return AuthorizationRequest.of("t", "tool.call", "tool:files/write");
  }

  private static AuthorizationRequest path(String p) {
    return AuthorizationRequest.of("t", "fs.write", "fs:" + p);
  }

  private static Reason reason(Decision d) {
    return ((Decision.Deny) d).reason();
  }

  @Test
  void check_spendsNoBudget_andWritesNoAuditRecord() {
    Authorizer a = authorizer();
    for (int i = 0; i < 5; i++) {
      assertThat(a.check(tool()).isPermit()).isTrue();
    }
    assertThat(audit).isEmpty();
    assertThat(a.authorize(tool()).isPermit()).isTrue(); // the one call is still there
    assertThat(reason(a.authorize(tool()))).isEqualTo(Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void check_decidesScopePolicyAndLivenessAsAuthorizeDoes() {
    Authorizer a = authorizer();
    assertThat(reason(a.check(AuthorizationRequest.of("t", "tool.call", "tool:shell/run"))))
        .isEqualTo(Reason.OUT_OF_SCOPE);
    assertThat(reason(a.check(path("/repo/secret")))).isEqualTo(Reason.POLICY);
    assertThat(reason(a.check(AuthorizationRequest.of("ghost", "a.b", "tool:x"))))
        .isEqualTo(Reason.UNKNOWN_NODE);
    graph.revoke("t", "stop");
    assertThat(reason(a.check(tool()))).isEqualTo(Reason.REVOKED);
    assertThat(audit).isEmpty();
  }

  @Test
  void authorizeAll_whoseSecondCheckFails_spendsNothing_andAuditsBothAsRefused() {
    Authorizer a = authorizer();
    Decision d = a.authorizeAll(List.of(tool(), path("/repo/secret")));

    assertThat(reason(d)).isEqualTo(Reason.POLICY);
    assertThat(audit).hasSize(2);
    assertThat(audit).noneMatch(AuditRecord::permitted);
    assertThat(audit.get(0).detail()).contains("check 2 of 2 refused");
    // the budget of one call was not spent by the refused call
    assertThat(a.authorize(tool()).isPermit()).isTrue();
  }

  @Test
  void authorizeAll_whereEveryCheckPermits_spendsAndAuditsEach() {
    Authorizer a = authorizer();
    Decision d = a.authorizeAll(List.of(tool(), path("/repo/a.java"), path("/repo/b.java")));

    assertThat(d.isPermit()).isTrue();
    assertThat(audit).hasSize(3).allMatch(AuditRecord::permitted);
    assertThat(reason(a.authorizeAll(List.of(tool(), path("/repo/a.java")))))
        .isEqualTo(Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void authorizeAll_ofNothing_isRefused() {
    Authorizer a = authorizer();
    assertThatThrownBy(() -> a.authorizeAll(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one");
  }

  @Test
  void authorizeAll_whoseAuditFails_spendsNothing() {
    graph.spawn(
        NodeSpec.builder("t")
            .principal("agent:coder")
            .capabilities("tool.call tool:files/write maxCalls=1", "fs.write fs:/repo/**")
            .build());
    int[] records = {0};
    Authorizer a =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(NO_SECRET)
            .auditSink(
                r -> {
                  if (++records[0] == 2) {
                    throw new java.io.UncheckedIOException(new java.io.IOException("disk full"));
                  }
                })
            .build();
    assertThat(reason(a.authorizeAll(List.of(tool(), path("/repo/a"))))).isEqualTo(Reason.ERROR);
    assertThat(a.authorize(tool()).isPermit()).isTrue();
  }

  @Test
  void underAGrant_checkAndAuthorizeAll_keepTheSamePromises() {
    graph.spawn(
        NodeSpec.builder("t")
            .principal("agent:coder")
            .capabilities("tool.call tool:files/write maxCalls=1", "fs.write fs:/repo/**")
            .build());
    ExecutionView view = graph.node("t").view();
    GrantSource source =
        token ->
            token.equals("good")
                ? new GrantSource.Accepted(view, "jti-1")
                : new GrantSource.Rejected(Reason.INVALID_GRANT, "SIGNATURE: bad", null, null);
    Authorizer server =
        Authorizer.newBuilder()
            .clock(clock)
            .grantSource(source)
            .budgetLedger(graph.budgetLedger())
            .policyEngine(NO_SECRET)
            .auditSink(audit::add)
            .build();
    AuthorizationRequest onGrant = AuthorizationRequest.of("", "tool.call", "tool:files/write");

    assertThat(server.check("good", onGrant).isPermit()).isTrue();
    assertThat(reason(server.check("forged", onGrant))).isEqualTo(Reason.INVALID_GRANT);
    assertThat(audit).isEmpty();
    assertThat(
            reason(
                server.authorizeAll(
                    "good",
                    List.of(onGrant, AuthorizationRequest.of("", "fs.write", "fs:/repo/secret")))))
        .isEqualTo(Reason.POLICY);
    assertThat(audit).hasSize(2).allMatch(r -> "jti-1".equals(r.grantId()));
    assertThat(server.authorize("good", onGrant).isPermit()).isTrue();
    assertThat(reason(server.authorize("good", onGrant))).isEqualTo(Reason.BUDGET_EXHAUSTED);
  }
}
