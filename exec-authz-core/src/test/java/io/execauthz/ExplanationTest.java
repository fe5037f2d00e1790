package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.Explanation.Check;
import io.execauthz.Explanation.Failed;
import io.execauthz.Explanation.Passed;
import io.execauthz.Explanation.Skipped;
import io.execauthz.Explanation.Step;
import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Authorizer#explain}: each check's outcome, side-effect free, and a consistent value. */
final class ExplanationTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
  private final List<AuditRecord> audit = new ArrayList<>();

  /** Forbids {@code fs:/repo/secret}; errs on {@code fs:/repo/broken}. */
  private static final PolicyEngine ENGINE =
      r ->
          switch (r.resource()) {
            case "fs:/repo/secret" -> new PolicyDecision(false, List.of("no-secret"), List.of());
            case "fs:/repo/broken" ->
                new PolicyDecision(true, List.of("base"), List.of("no-secret: attribute missing"));
            default -> new PolicyDecision(true, List.of("base"), List.of());
          };

  private Authorizer authorizer() {
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("fs.* fs:/repo/**", "tool.call tool:files/write maxCalls=1")
            .build());
    graph.spawn(
        "s",
        NodeSpec.builder("t")
            .capabilities(
                "fs.write fs:/repo/**",
                "tool.call tool:files/write maxCalls=1",
                "fs.read fs:/repo/** approval")
            .build());
    graph.spawn(
        "s",
        NodeSpec.builder("other")
            .capabilities("fs.write fs:/repo/locked/**")
            .claims("fs:/repo/locked/**")
            .build());
    return Authorizer.newBuilder().graph(graph).policyEngine(ENGINE).auditSink(audit::add).build();
  }

  private static List<Explanation.Outcome> outcomes(Explanation e) {
    return e.checks().stream().map(Check::outcome).toList();
  }

  @Test
  void explain_permit_passesEveryCheck_andNamesThePermittingPolicies() {
    Explanation e = authorizer().explain(AuthorizationRequest.of("t", "fs.write", "fs:/repo/a"));
    assertThat(e.decision().isPermit()).isTrue();
    assertThat(e.checks()).extracting(Check::step).containsExactly(Step.values());
    assertThat(e.checks()).allMatch(Check::passed);
    assertThat(e.check(Step.POLICY).determiningPolicies()).containsExactly("base");
    assertThat(e.failed()).isEmpty();
  }

  @Test
  void explain_claimedResource_failsTheClaimsCheck_andSkipsTheRest() {
    Explanation e =
        authorizer().explain(AuthorizationRequest.of("t", "fs.write", "fs:/repo/locked/x"));
    assertThat(outcomes(e))
        .startsWith(new Passed(), new Passed(), new Passed())
        .endsWith(new Skipped(Step.CLAIMS), new Skipped(Step.CLAIMS), new Skipped(Step.CLAIMS));
    assertThat(e.check(Step.CLAIMS).outcome())
        .isInstanceOfSatisfying(
            Failed.class,
            f -> {
              assertThat(f.reason()).isEqualTo(Reason.CLAIMED);
              assertThat(f.detail()).contains("held by node 'other'");
            });
    assertThat(((Decision.Deny) e.decision()).reason()).isEqualTo(Reason.CLAIMED);
  }

  @Test
  void explain_forbid_namesTheForbid_andAnEngineError_namesTheError() {
    Authorizer a = authorizer();
    Check forbid =
        a.explain(AuthorizationRequest.of("t", "fs.write", "fs:/repo/secret")).failed().get();
    assertThat(forbid.step()).isEqualTo(Step.POLICY);
    assertThat(forbid.determiningPolicies()).containsExactly("no-secret");
    assertThat(((Failed) forbid.outcome()).reason()).isEqualTo(Reason.POLICY);

    Check erred =
        a.explain(AuthorizationRequest.of("t", "fs.write", "fs:/repo/broken")).failed().get();
    assertThat(erred.step()).isEqualTo(Step.POLICY);
    assertThat(((Failed) erred.outcome()).reason()).isEqualTo(Reason.ERROR);
    assertThat(erred.errors()).containsExactly("no-secret: attribute missing");
  }

  @Test
  void explain_approvalAndLivenessAndUnknownNode_failWhereContractSaysTheyDo() {
    Authorizer a = authorizer();
    assertThat(a.explain(AuthorizationRequest.of("t", "fs.read", "fs:/repo/a")).failed())
        .map(Check::step)
        .contains(Step.APPROVAL);
    assertThat(a.explain(AuthorizationRequest.of("ghost", "fs.read", "fs:/repo/a")).failed())
        .map(Check::step)
        .contains(Step.NODE);
    assertThat(a.explain(AuthorizationRequest.of("t", "fs.write", "fs:relative")).failed())
        .map(Check::step)
        .contains(Step.CAPABILITY);
    graph.revoke("s", "incident");
    Explanation revoked = a.explain(AuthorizationRequest.of("t", "fs.write", "fs:/repo/a"));
    assertThat(revoked.failed()).map(Check::step).contains(Step.LIVENESS);
    assertThat(revoked.failed().get().outcome().toString()).contains("REVOKED");
  }

  @Test
  void explain_spendsNoBudget_writesNoAuditRecord_andFillsNoCache() {
    Authorizer a = authorizer();
    AuthorizationRequest call = AuthorizationRequest.of("t", "tool.call", "tool:files/write");
    CacheStats before = a.cacheStats();
    for (int i = 0; i < 5; i++) {
      assertThat(a.explain(call).decision().isPermit()).isTrue();
    }
    assertThat(audit).isEmpty();
    assertThat(a.cacheStats()).isEqualTo(before);
    assertThat(a.authorize(call).isPermit()).isTrue(); // the one call is still there
    assertThat(((Decision.Deny) a.authorize(call)).reason()).isEqualTo(Reason.BUDGET_EXHAUSTED);
    // like check, explain leaves the live counters out: it answers "could this be allowed"
    assertThat(a.explain(call).decision().isPermit()).isTrue();
  }

  @Test
  void explanation_rejectsChecksThatDisagree() {
    List<Check> passed = new ArrayList<>();
    for (Step s : Step.values()) {
      passed.add(new Check(s, new Passed(), List.of(), List.of()));
    }
    Decision.Deny deny =
        new Decision.Deny("d", Reason.POLICY, "denied", List.of("t"), List.of(), List.of());
    assertThatThrownBy(() -> new Explanation(passed, deny))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after every check passed");
    assertThatThrownBy(() -> new Explanation(passed.subList(0, 3), deny))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one per step");
    List<Check> skippedEarly = new ArrayList<>(passed);
    skippedEarly.set(1, new Check(Step.LIVENESS, new Skipped(Step.NODE), List.of(), List.of()));
    assertThatThrownBy(
            () -> new Explanation(skippedEarly, new Decision.Permit("d", List.of(), List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LIVENESS");
  }
}
