package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class AuthorizerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final List<AuditRecord> audit = new ArrayList<>();
  private final ExecutionGraph graph =
      ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(42)).build();

  private Authorizer authorizer() {
    return authorizer(PolicyEngine.permitAll());
  }

  private Authorizer authorizer(PolicyEngine engine) {
    return authorizer(graph, engine, audit::add);
  }

  private static Authorizer authorizer(ExecutionGraph g, PolicyEngine engine, AuditSink sink) {
    return Authorizer.newBuilder().graph(g).policyEngine(engine).auditSink(sink).build();
  }

  private static NodeSpec.Builder spec(String id, String... capabilities) {
    return NodeSpec.builder(id).capabilities(capabilities);
  }

  private void root(String id, String... capabilities) {
    graph.spawn(spec(id, capabilities).principal("user:alice").build());
  }

  private void spawn(String parent, String id, String... capabilities) {
    graph.spawn(parent, spec(id, capabilities).build());
  }

  /** s: tools and the repo, for one hour. */
  private void session() {
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .kind("session")
            .capabilities("tool.call tool:**", "fs.* fs:/repo/**")
            .build());
  }

  private static Decision.Permit assertPermit(Decision d) {
    assertThat(d).as("decision").isInstanceOf(Decision.Permit.class);
    return (Decision.Permit) d;
  }

  private static Decision.Deny assertDeny(Decision d, Reason reason) {
    assertThat(d).as("decision").isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) d;
    assertThat(deny.reason()).as("reason of %s", deny).isEqualTo(reason);
    return deny;
  }

  private static PolicyEngine engine(boolean permitted, String... policies) {
    return r -> new PolicyDecision(permitted, List.of(policies), List.of());
  }

  // ---------------------------------------------------------------- permit

  @Test
  void authorize_coveredRequest_isPermittedWithPathAndPolicies() {
    session();
    spawn("s", "b", "tool.call tool:github/*");

    Decision.Permit p = assertPermit(authorizer().authorize("b", "tool.call", "tool:github/x"));

    assertThat(p.nodePath()).containsExactly("s", "b");
    assertThat(p.determiningPolicies()).containsExactly("permit-all");
    assertThat(p.decisionId()).isNotBlank();
  }

  // ---------------------------------------------------------------- liveness

  @Test
  void unknownNode_isDeniedAsUnknownNode() {
    Decision.Deny d =
        assertDeny(authorizer().authorize("ghost", "tool.call", "tool:x"), Reason.UNKNOWN_NODE);
    assertThat(d.detail()).contains("'ghost'");
    assertThat(d.nodePath()).isEmpty();
  }

  @Test
  void unknownNode_withMalformedRequest_isStillUnknownNode() {
    assertDeny(authorizer().authorize("ghost", "tool..call", "no-colon"), Reason.UNKNOWN_NODE);
  }

  /** s with b1 claiming fs:/repo/docs/** and b2 held behind it. */
  private void heldB2(Duration b1Ttl) {
    session();
    NodeSpec.Builder b1 = spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**");
    if (b1Ttl != null) {
      b1.ttl(b1Ttl);
    }
    graph.spawn("s", b1.build());
    graph.spawn(
        "s",
        spec("b2", "fs.* fs:/repo/**").claims("fs:/repo/docs/api/**").holdOnConflict().build());
  }

  @Test
  void heldNode_isDeniedAsHeld_untilItStarts() {
    heldB2(null);
    Authorizer authz = authorizer();

    Decision.Deny d = assertDeny(authz.authorize("b2", "fs.read", "fs:/repo/a"), Reason.HELD);
    assertThat(d.detail()).contains("'b2'");
    assertThat(d.nodePath()).containsExactly("s", "b2");

    graph.complete("b1");
    assertPermit(authz.authorize("b2", "fs.read", "fs:/repo/a"));
  }

  @Test
  void heldNode_whoseBlockerExpired_isPermittedWithoutAnExplicitSweep() {
    heldB2(Duration.ofMinutes(10));
    Authorizer authz = authorizer();
    assertDeny(authz.authorize("b2", "fs.read", "fs:/repo/a"), Reason.HELD);

    clock.advance(Duration.ofMinutes(10));

    assertPermit(authz.authorize("b2", "fs.write", "fs:/repo/docs/api/x"));
    assertThat(graph.node("b2").state()).isEqualTo(NodeState.ACTIVE);
  }

  @Test
  void heldNode_whoseParentEnded_isDeniedAsCancelled() {
    session();
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    spawn("s", "p", "fs.* fs:/repo/**");
    graph.spawn(
        "p", spec("h", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").holdOnConflict().build());
    graph.complete("p");

    Decision.Deny d =
        assertDeny(authorizer().authorize("h", "fs.read", "fs:/repo/a"), Reason.CANCELLED);
    assertThat(d.detail()).contains("'h'");
  }

  @Test
  void revokedNode_isDeniedAsRevoked_detailNamingItAndTheReason() {
    session();
    spawn("s", "b", "tool.call tool:**");
    graph.revoke("b", "prompt injection");

    Decision.Deny d =
        assertDeny(authorizer().authorize("b", "tool.call", "tool:x"), Reason.REVOKED);
    assertThat(d.detail()).contains("'b'").contains("prompt injection");
    assertThat(d.nodePath()).containsExactly("s", "b");
  }

  @Test
  void nodeUnderRevokedAncestor_isDeniedAsRevoked_detailNamingTheAncestor() {
    session();
    spawn("s", "b", "tool.call tool:**");
    spawn("b", "t", "tool.call tool:x");
    graph.revoke("s", "incident-42");

    Decision.Deny d =
        assertDeny(authorizer().authorize("t", "tool.call", "tool:x"), Reason.REVOKED);
    assertThat(d.detail()).contains("ancestor 's'").contains("incident-42");
  }

  @Test
  void completedNode_isDeniedAsCompleted() {
    session();
    spawn("s", "b", "tool.call tool:**");
    graph.complete("b");

    Decision.Deny d =
        assertDeny(authorizer().authorize("b", "tool.call", "tool:x"), Reason.COMPLETED);
    assertThat(d.detail()).contains("'b'");
    assertPermit(authorizer().authorize("s", "tool.call", "tool:x"));
  }

  @Test
  void nodeUnderCompletedAncestor_isDeniedAsCompleted_detailNamingTheAncestor() {
    session();
    spawn("s", "b", "tool.call tool:**");
    spawn("b", "t", "tool.call tool:x");
    graph.complete("b");

    Decision.Deny d =
        assertDeny(authorizer().authorize("t", "tool.call", "tool:x"), Reason.COMPLETED);
    assertThat(d.detail()).contains("ancestor 'b'");
  }

  @Test
  void node_pastItsOwnTtl_isDeniedAsExpired() {
    session();
    graph.spawn("s", spec("b", "tool.call tool:**").ttl(Duration.ofMinutes(10)).build());
    Authorizer authz = authorizer();

    clock.advance(Duration.ofMinutes(10).minusNanos(1));
    assertPermit(authz.authorize("b", "tool.call", "tool:x"));

    clock.advance(Duration.ofNanos(1));
    Decision.Deny d = assertDeny(authz.authorize("b", "tool.call", "tool:x"), Reason.EXPIRED);
    assertThat(d.detail()).contains("'b'").contains(T0.plus(Duration.ofMinutes(10)).toString());
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));
  }

  @Test
  void node_pastItsAncestorsDeadline_isDeniedAsExpired_evenWithALongerTtl() {
    graph.spawn(
        spec("s", "tool.call tool:**").principal("user:alice").ttl(Duration.ofMinutes(5)).build());
    graph.spawn("s", spec("b", "tool.call tool:**").ttl(Duration.ofHours(3)).build());
    spawn("b", "t", "tool.call tool:x");

    clock.advance(Duration.ofMinutes(5));

    assertDeny(authorizer().authorize("t", "tool.call", "tool:x"), Reason.EXPIRED);
    assertDeny(authorizer().authorize("b", "tool.call", "tool:x"), Reason.EXPIRED);
  }

  @Test
  void mergeNode_pastItsEarliestParentsDeadline_isDeniedAsExpired() {
    session();
    graph.spawn("s", spec("a", "tool.call tool:**").ttl(Duration.ofMinutes(30)).build());
    graph.spawn("s", spec("b", "tool.call tool:**").ttl(Duration.ofMinutes(20)).build());
    graph.join(List.of("a", "b"), spec("m", "tool.call tool:x").build());

    clock.advance(Duration.ofMinutes(20));

    assertDeny(authorizer().authorize("m", "tool.call", "tool:x"), Reason.EXPIRED);
    assertPermit(authorizer().authorize("a", "tool.call", "tool:x"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "b"})
  void mergeNode_revokeOfEitherParent_isDeniedAsRevoked(String parent) {
    session();
    spawn("s", "a", "fs.* fs:/repo/**");
    spawn("s", "b", "fs.read fs:/repo/**");
    graph.join(List.of("a", "b"), spec("m", "fs.read fs:/repo/docs/**").build());
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("m", "fs.read", "fs:/repo/docs/x"));

    graph.revoke(parent, "incident");

    Decision.Deny d =
        assertDeny(authz.authorize("m", "fs.read", "fs:/repo/docs/x"), Reason.REVOKED);
    assertThat(d.detail()).contains("'" + parent + "'");
  }

  // ---------------------------------------------------------------- capability gate

  @Test
  void requestOutsideTheCapabilities_isDeniedAsOutOfScope() {
    session();
    spawn("s", "b", "fs.read fs:/repo/**", "tool.call tool:github/*");
    Authorizer authz = authorizer();

    Decision.Deny d =
        assertDeny(authz.authorize("b", "fs.write", "fs:/repo/a.md"), Reason.OUT_OF_SCOPE);
    assertThat(d.detail()).contains("'b'").contains("fs.write").contains("fs:/repo/a.md");
    assertDeny(authz.authorize("b", "fs.read", "fs:/etc/passwd"), Reason.OUT_OF_SCOPE);
    assertDeny(authz.authorize("b", "tool.call", "tool:github/a/b"), Reason.OUT_OF_SCOPE);
    assertDeny(authz.authorize("b", "tool.call", "tool:slack/post"), Reason.OUT_OF_SCOPE);
    assertDeny(authz.authorize("b", "net.connect", "net:example.com:443"), Reason.OUT_OF_SCOPE);
    // the parent still may
    assertPermit(authz.authorize("s", "fs.write", "fs:/repo/a.md"));
  }

  @Test
  void nodeWithoutCapabilities_isDeniedEverythingAsOutOfScope() {
    session();
    spawn("s", "empty");
    assertDeny(authorizer().authorize("empty", "tool.call", "tool:x"), Reason.OUT_OF_SCOPE);
  }

  @Test
  void capabilityPastItsUntil_isOutOfScope() {
    root("s", "tool.call tool:** until=2026-01-01T00:10:00Z");
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));

    clock.advance(Duration.ofMinutes(10));

    Decision.Deny d = assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.OUT_OF_SCOPE);
    assertThat(d.detail()).contains("tool:x");
  }

  @Test
  void capabilityPastItsUntil_anotherStillValidCapabilityPermits() {
    root("s", "tool.call tool:** until=2026-01-01T00:10:00Z", "tool.call tool:x");
    clock.advance(Duration.ofMinutes(20));
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));
    assertDeny(authz.authorize("s", "tool.call", "tool:y"), Reason.OUT_OF_SCOPE);
  }

  // ---------------------------------------------------------------- claims

  /** s; b1 claims fs:/repo/docs/** (with a child t); b2 a sibling with the same authority. */
  private void claimedDocs() {
    session();
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    spawn("b1", "t", "fs.write fs:/repo/docs/**");
    spawn("s", "b2", "fs.* fs:/repo/**");
  }

  @Test
  void writeInsideAnotherNodesClaim_isDeniedAsClaimed_namingHolderAndClaim() {
    claimedDocs();

    Decision.Deny d =
        assertDeny(authorizer().authorize("b2", "fs.write", "fs:/repo/docs/a.md"), Reason.CLAIMED);

    assertThat(d.detail())
        .contains("'b1'")
        .contains("fs:/repo/docs/**")
        .contains("fs:/repo/docs/a.md");
  }

  @Test
  void claimHolderAndItsDescendants_areNotClaimed() {
    claimedDocs();
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("b1", "fs.write", "fs:/repo/docs/a.md"));
    assertPermit(authz.authorize("t", "fs.write", "fs:/repo/docs/a.md"));
  }

  @Test
  void claimHoldersAncestor_isClaimed() {
    claimedDocs();
    assertDeny(authorizer().authorize("s", "fs.write", "fs:/repo/docs/a.md"), Reason.CLAIMED);
  }

  @Test
  void readActions_passThroughClaims() {
    claimedDocs();
    root("other", "* fs:/repo/**");
    Authorizer authz = authorizer();

    assertPermit(authz.authorize("b2", "fs.read", "fs:/repo/docs/a.md"));
    assertPermit(authz.authorize("other", "read", "fs:/repo/docs/a.md"));
    assertPermit(authz.authorize("other", "fs.meta.read", "fs:/repo/docs/a.md"));
    assertDeny(authz.authorize("other", "write", "fs:/repo/docs/a.md"), Reason.CLAIMED);
  }

  @Test
  void actionsMerelyEndingInRead_areStillClaimed() {
    claimedDocs();
    root("other", "* fs:/repo/**");
    Authorizer authz = authorizer();
    assertDeny(authz.authorize("other", "fs.unread", "fs:/repo/docs/a.md"), Reason.CLAIMED);
    assertDeny(authz.authorize("other", "fs.read_write", "fs:/repo/docs/a.md"), Reason.CLAIMED);
    assertDeny(authz.authorize("other", "reader", "fs:/repo/docs/a.md"), Reason.CLAIMED);
  }

  @Test
  void resourceOutsideTheClaim_isNotClaimed() {
    claimedDocs();
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("b2", "fs.write", "fs:/repo/src/a.java"));
    // a final ** also matches zero further segments (CONTRACT §1)
    assertDeny(authz.authorize("b2", "fs.write", "fs:/repo/docs"), Reason.CLAIMED);
  }

  @Test
  void claimOfAnEndedHolder_noLongerApplies() {
    claimedDocs();
    Authorizer authz = authorizer();
    assertDeny(authz.authorize("b2", "fs.write", "fs:/repo/docs/a.md"), Reason.CLAIMED);

    graph.complete("b1");

    assertPermit(authz.authorize("b2", "fs.write", "fs:/repo/docs/a.md"));
  }

  @Test
  void claimOfAnExpiredHolder_noLongerApplies_evenBeforeASweep() {
    session();
    graph.spawn(
        "s",
        spec("b1", "fs.* fs:/repo/**")
            .claims("fs:/repo/docs/**")
            .ttl(Duration.ofMinutes(5))
            .build());
    spawn("s", "b2", "fs.* fs:/repo/**");
    clock.advance(Duration.ofMinutes(5));

    assertPermit(authorizer().authorize("b2", "fs.write", "fs:/repo/docs/a.md"));
  }

  @Test
  void claimOfAHeldNode_appliesOnlyOnceItStarts() {
    session();
    graph.spawn("s", spec("b1", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    graph.spawn(
        "s", spec("b2", "fs.* fs:/repo/**").claims("fs:/repo/*/api/**").holdOnConflict().build());
    spawn("s", "b3", "fs.* fs:/repo/**");
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("b3", "fs.write", "fs:/repo/src/api/x"));

    graph.revoke("b1", "x");

    assertThat(graph.node("b2").state()).isEqualTo(NodeState.ACTIVE);
    Decision.Deny d =
        assertDeny(authz.authorize("b3", "fs.write", "fs:/repo/src/api/x"), Reason.CLAIMED);
    assertThat(d.detail()).contains("'b2'");
    assertPermit(authz.authorize("b3", "fs.write", "fs:/repo/docs/other"));
  }

  // ---------------------------------------------------------------- approval

  @Test
  void capabilityNeedingApproval_withoutIt_isDeniedAsApprovalRequired_withItPermitted() {
    root("s", "tool.call tool:deploy/* approval", "tool.call tool:read/*");
    Authorizer authz = authorizer();

    Decision.Deny d =
        assertDeny(authz.authorize("s", "tool.call", "tool:deploy/prod"), Reason.APPROVAL_REQUIRED);
    assertThat(d.detail()).contains("tool:deploy/prod").contains("approval");

    assertPermit(
        authz.authorize(
            AuthorizationRequest.of("s", "tool.call", "tool:deploy/prod").withApproval()));
    assertPermit(authz.authorize("s", "tool.call", "tool:read/x"));
  }

  @Test
  void anotherCoveringCapabilityWithoutApproval_permitsWithoutApproval() {
    root("s", "tool.call tool:** approval", "tool.call tool:deploy/staging");
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("s", "tool.call", "tool:deploy/staging"));
    assertDeny(authz.authorize("s", "tool.call", "tool:deploy/prod"), Reason.APPROVAL_REQUIRED);
  }

  @Test
  void approvalFlag_isPassedToThePolicyEngine() {
    root("s", "tool.call tool:** approval");
    AtomicReference<PolicyRequest> seen = new AtomicReference<>();
    Authorizer authz =
        authorizer(
            r -> {
              seen.set(r);
              return new PolicyDecision(true, List.of(), List.of());
            });
    assertPermit(
        authz.authorize(AuthorizationRequest.of("s", "tool.call", "tool:x").withApproval()));
    assertThat(seen.get().approved()).isTrue();
  }

  // ---------------------------------------------------------------- budgets

  @Test
  void budgetOnTheNode_permitsMaxCallsThenDeniesAsBudgetExhausted() {
    root("s", "tool.call tool:** maxCalls=2");
    Authorizer authz = authorizer();

    assertPermit(authz.authorize("s", "tool.call", "tool:a"));
    assertPermit(authz.authorize("s", "tool.call", "tool:b"));
    Decision.Deny d =
        assertDeny(authz.authorize("s", "tool.call", "tool:c"), Reason.BUDGET_EXHAUSTED);
    assertThat(d.detail()).contains("'s'").contains("maxCalls=2");
  }

  @Test
  void budgetOfZero_deniesTheFirstCall() {
    root("s", "tool.call tool:** maxCalls=0");
    assertDeny(authorizer().authorize("s", "tool.call", "tool:a"), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void budgetOnTheNode_doesNotLimitOtherCapabilities() {
    root("s", "tool.call tool:x maxCalls=1", "tool.call tool:y");
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
    for (int i = 0; i < 5; i++) {
      assertPermit(authz.authorize("s", "tool.call", "tool:y"));
    }
  }

  @Test
  void budgetOnAnAncestor_isSharedByTwoChildren() {
    root("s", "tool.call tool:** maxCalls=3");
    spawn("s", "a", "tool.call tool:** maxCalls=2");
    spawn("s", "b", "tool.call tool:** maxCalls=2");
    Authorizer authz = authorizer();

    assertPermit(authz.authorize("a", "tool.call", "tool:x"));
    assertPermit(authz.authorize("a", "tool.call", "tool:x"));
    assertDeny(authz.authorize("a", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED); // a's own
    assertPermit(authz.authorize("b", "tool.call", "tool:x"));
    Decision.Deny d =
        assertDeny(authz.authorize("b", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
    assertThat(d.detail()).contains("'s'");
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void budgetOnAnAncestor_isConsumedByTheParentsOwnCallsToo() {
    root("s", "tool.call tool:** maxCalls=2");
    spawn("s", "a", "tool.call tool:** maxCalls=2");
    Authorizer authz = authorizer();
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));
    assertPermit(authz.authorize("a", "tool.call", "tool:x"));
    assertDeny(authz.authorize("a", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void budgetOnAnAncestor_isNotBypassedThroughItsApprovalOnlyCapability() {
    // s may call tool:deploy once without approval (the budgeted capability), or any number of
    // times with approval; its subtree shares that.
    root("s", "tool.call tool:** maxCalls=1", "tool.call tool:deploy approval");
    spawn("s", "a", "tool.call tool:** maxCalls=1");
    spawn("s", "b", "tool.call tool:** maxCalls=1");
    Authorizer authz = authorizer();

    assertPermit(authz.authorize("a", "tool.call", "tool:deploy"));
    assertDeny(authz.authorize("b", "tool.call", "tool:deploy"), Reason.BUDGET_EXHAUSTED);
    assertDeny(authz.authorize("s", "tool.call", "tool:deploy"), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void budget_isNotConsumedByCallsThePolicyDenies() {
    root("s", "tool.call tool:** maxCalls=1");
    java.util.concurrent.atomic.AtomicBoolean permit =
        new java.util.concurrent.atomic.AtomicBoolean();
    // an engine that changes its mind says so through version(), as the decision cache requires
    PolicyEngine changesItsMind =
        new PolicyEngine() {
          @Override
          public PolicyDecision evaluate(PolicyRequest r) {
            return new PolicyDecision(permit.get(), List.of("p"), List.of());
          }

          @Override
          public long version() {
            return permit.get() ? 1 : 0;
          }
        };
    Authorizer authz = authorizer(changesItsMind);

    for (int i = 0; i < 3; i++) {
      assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.POLICY);
    }
    permit.set(true);
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void budget_isNotConsumedByCallsDeniedEarlier() {
    graph.spawn(
        spec("s", "fs.* fs:/repo/** maxCalls=1", "tool.call tool:x maxCalls=1 approval")
            .principal("user:alice")
            .build());
    graph.spawn(
        "s", spec("holder", "fs.* fs:/repo/** maxCalls=1").claims("fs:/repo/docs/**").build());
    Authorizer authz = authorizer();

    assertDeny(authz.authorize("s", "fs.write", "fs:/repo/docs/a"), Reason.CLAIMED);
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.APPROVAL_REQUIRED);
    assertDeny(authz.authorize("s", "tool..call", "tool:x"), Reason.ERROR);

    assertPermit(authz.authorize("s", "fs.write", "fs:/repo/src/a"));
    assertPermit(
        authz.authorize(AuthorizationRequest.of("s", "tool.call", "tool:x").withApproval()));
  }

  @Test
  void budget_isRefundedWhenTheAuditSinkFails() {
    root("s", "tool.call tool:** maxCalls=1");
    spawn("s", "a", "tool.call tool:** maxCalls=1");
    AtomicInteger failures = new AtomicInteger(1);
    Authorizer authz =
        authorizer(
            graph,
            PolicyEngine.permitAll(),
            r -> {
              if (r.permitted() && failures.getAndDecrement() > 0) {
                throw new IOException("disk full");
              }
              audit.add(r);
            });

    assertDeny(authz.authorize("a", "tool.call", "tool:x"), Reason.ERROR);
    assertPermit(authz.authorize("a", "tool.call", "tool:x")); // both a's and s's budget refunded
    assertDeny(authz.authorize("a", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.BUDGET_EXHAUSTED);
  }

  // ---------------------------------------------------------------- policy

  @Test
  void denyAllEngine_isDeniedAsPolicy_withTheDeterminingPolicy() {
    session();
    Decision.Deny d =
        assertDeny(
            authorizer(PolicyEngine.denyAll()).authorize("s", "tool.call", "tool:x"),
            Reason.POLICY);
    assertThat(d.determiningPolicies()).containsExactly("deny-all");
    assertThat(d.detail()).contains("deny-all");
    assertThat(d.errors()).isEmpty();
  }

  @Test
  void customEngine_forbidding_isDeniedAsPolicy_withItsPolicies() {
    session();
    PolicyEngine engine =
        r ->
            r.resource().equals("tool:github/delete_repo")
                ? new PolicyDecision(false, List.of("forbid-delete", "team-rules"), List.of())
                : new PolicyDecision(true, List.of("allow-github"), List.of());
    Authorizer authz = authorizer(engine);

    Decision.Deny d =
        assertDeny(authz.authorize("s", "tool.call", "tool:github/delete_repo"), Reason.POLICY);
    assertThat(d.determiningPolicies()).containsExactly("forbid-delete", "team-rules");
    assertThat(d.detail()).contains("forbid-delete");

    Decision.Permit p = assertPermit(authz.authorize("s", "tool.call", "tool:github/create_issue"));
    assertThat(p.determiningPolicies()).containsExactly("allow-github");
  }

  @Test
  void engineWithNoPermittingPolicy_isDeniedAsPolicy() {
    session();
    Decision.Deny d =
        assertDeny(authorizer(engine(false)).authorize("s", "tool.call", "tool:x"), Reason.POLICY);
    assertThat(d.determiningPolicies()).isEmpty();
    assertThat(d.detail()).contains("tool.call").contains("tool:x");
  }

  @Test
  void engine_isNotConsultedForRequestsTheGraphDenies() {
    session();
    spawn("s", "b", "fs.read fs:/repo/**");
    AtomicInteger calls = new AtomicInteger();
    Authorizer authz =
        authorizer(
            r -> {
              calls.incrementAndGet();
              return new PolicyDecision(true, List.of(), List.of());
            });
    authz.authorize("b", "fs.write", "fs:/repo/a");
    authz.authorize("ghost", "fs.read", "fs:/repo/a");
    graph.revoke("b", "x");
    authz.authorize("b", "fs.read", "fs:/repo/a");
    assertThat(calls).hasValue(0);
  }

  @Test
  void policyEngine_seesTheExecutionView() {
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .kind("session")
            .capabilities("tool.call tool:**")
            .build());
    graph.spawn(
        "s", spec("p", "tool.call tool:**").principal("agent:planner").kind("batch").build());
    graph.spawn("s", spec("q", "tool.call tool:github/*").build());
    graph.join(
        List.of("p", "q"),
        spec("m", "tool.call tool:github/*")
            .kind("merge")
            .attributes(Map.of("team", "infra"))
            .ttl(Duration.ofMinutes(5))
            .build());
    clock.advance(Duration.ofSeconds(7));
    AtomicReference<PolicyRequest> seen = new AtomicReference<>();
    Authorizer authz =
        authorizer(
            r -> {
              seen.set(r);
              return new PolicyDecision(true, List.of(), List.of());
            });

    assertPermit(
        authz.authorize(
            AuthorizationRequest.of("m", "tool.call", "tool:github/create_issue")
                .withArgs(Map.of("repo", "acme/api", "count", 2L))));

    PolicyRequest r = seen.get();
    assertThat(r.action()).isEqualTo("tool.call");
    assertThat(r.resource()).isEqualTo("tool:github/create_issue");
    assertThat(r.args()).containsEntry("repo", "acme/api").containsEntry("count", 2L);
    assertThat(r.approved()).isFalse();
    assertThat(r.now()).isEqualTo(T0.plusSeconds(7));
    ExecutionView v = r.view();
    assertThat(v.nodeId()).isEqualTo("m");
    assertThat(v.kind()).isEqualTo("merge");
    assertThat(v.depth()).isEqualTo(2);
    assertThat(v.principal()).isEqualTo("agent:planner");
    assertThat(v.path()).containsExactly("s", "p", "m");
    assertThat(v.delegators()).containsExactly("user:alice", "agent:planner");
    assertThat(v.lineage()).extracting(ExecutionView.Lineage::id).first().isEqualTo("m");
    assertThat(v.lineage())
        .extracting(ExecutionView.Lineage::id)
        .containsExactlyInAnyOrder("m", "p", "q", "s");
    assertThat(v.attributes()).containsEntry("team", "infra");
    assertThat(v.capabilities().texts()).containsExactly("tool.call tool:github/*");
    assertThat(v.deadline()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(v.trace()).isEqualTo(graph.node("m").trace());
  }

  // ---------------------------------------------------------------- errors (fail closed)

  @Test
  void engineThatThrows_isDeniedAsError() {
    session();
    Authorizer authz =
        authorizer(
            r -> {
              throw new IllegalStateException("policy store unavailable");
            });

    Decision.Deny d = assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.ERROR);
    assertThat(d.detail()).contains("policy store unavailable");
    assertThat(d.errors()).hasSize(1);
    assertThat(d.errors().get(0)).contains("policy store unavailable");
    assertThat(d.nodePath()).containsExactly("s");
  }

  @Test
  void engineReportingErrors_isDeniedAsError_evenIfItSaysPermitted() {
    session();
    Authorizer authz =
        authorizer(r -> new PolicyDecision(true, List.of("p1"), List.of("attribute missing")));

    Decision.Deny d = assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.ERROR);
    assertThat(d.errors()).containsExactly("attribute missing");
    assertThat(d.detail()).contains("attribute missing");
  }

  @Test
  void engineReturningNull_isDeniedAsError() {
    session();
    Decision.Deny d =
        assertDeny(authorizer(r -> null).authorize("s", "tool.call", "tool:x"), Reason.ERROR);
    assertThat(d.errors()).isNotEmpty();
  }

  @Test
  void auditSinkFailingOnAPermit_turnsItIntoAnErrorDeny() {
    session();
    List<AuditRecord> recorded = new ArrayList<>();
    Authorizer authz =
        authorizer(
            graph,
            PolicyEngine.permitAll(),
            r -> {
              if (r.permitted()) {
                throw new IOException("disk full");
              }
              recorded.add(r);
            });

    Decision.Deny d = assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.ERROR);

    assertThat(d.detail()).contains("audit").contains("disk full");
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).decisionId()).isEqualTo(d.decisionId());
    assertThat(recorded.get(0).reason()).isEqualTo(Reason.ERROR);
  }

  @Test
  void auditSinkFailingOnADeny_stillDenies() {
    session();
    Authorizer authz =
        authorizer(
            graph,
            PolicyEngine.permitAll(),
            r -> {
              throw new IOException("disk full");
            });
    assertDeny(authz.authorize("s", "fs.write", "fs:/etc/x"), Reason.OUT_OF_SCOPE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tool..call", "tool.*", "*", "", "tool call", "tool.call!"})
  void malformedAction_isDeniedAsError(String action) {
    session();
    Decision.Deny d = assertDeny(authorizer().authorize("s", action, "tool:x"), Reason.ERROR);
    assertThat(d.detail()).contains("malformed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "no-colon",
        "tool:",
        ":x",
        "fs:/repo/*",
        "fs:/repo/**",
        "fs:/repo/../etc/passwd",
        "fs:/repo//a",
        "fs:/repo/a b"
      })
  void malformedResource_isDeniedAsError(String resource) {
    session();
    Decision.Deny d = assertDeny(authorizer().authorize("s", "fs.read", resource), Reason.ERROR);
    assertThat(d.detail()).contains("malformed");
  }

  @Test
  void clockFailure_isDeniedAsError_neverPermitted() {
    MutableClock time = new MutableClock(T0);
    AtomicBoolean broken = new AtomicBoolean();
    InstantSource source =
        () -> {
          if (broken.get()) {
            throw new IllegalStateException("clock unavailable");
          }
          return time.instant();
        };
    ExecutionGraph g =
        ExecutionGraph.newBuilder().clock(source).random(new SplittableRandom(3)).build();
    g.spawn(
        spec("s", "tool.call tool:**").principal("user:alice").ttl(Duration.ofMinutes(1)).build());
    Authorizer authz = authorizer(g, PolicyEngine.permitAll(), audit::add);
    time.advance(Duration.ofHours(1)); // s has expired
    broken.set(true);

    Decision d = authz.authorize("s", "tool.call", "tool:x");

    assertDeny(d, Reason.ERROR);
  }

  // ---------------------------------------------------------------- order of checks

  @Test
  void revokedAndOutOfScope_isRevoked() {
    session();
    graph.revoke("s", "x");
    assertDeny(authorizer().authorize("s", "net.connect", "net:evil.example:443"), Reason.REVOKED);
  }

  @Test
  void revokedAndExpired_isRevoked_completedAndExpired_isCompleted() {
    session();
    spawn("s", "a", "tool.call tool:**");
    spawn("s", "b", "tool.call tool:**");
    graph.revoke("a", "x");
    graph.complete("b");
    clock.advance(Duration.ofHours(2));
    Authorizer authz = authorizer();
    assertDeny(authz.authorize("a", "tool.call", "tool:x"), Reason.REVOKED);
    assertDeny(authz.authorize("b", "tool.call", "tool:x"), Reason.COMPLETED);
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.EXPIRED);
  }

  @Test
  void heldAndOutOfScope_isHeld() {
    heldB2(null);
    assertDeny(authorizer().authorize("b2", "net.connect", "net:x:1"), Reason.HELD);
  }

  @Test
  void expiredAndMalformed_isExpired() {
    session();
    clock.advance(Duration.ofHours(1));
    assertDeny(authorizer().authorize("s", "tool..call", "no-colon"), Reason.EXPIRED);
  }

  @Test
  void outOfScopeAndClaimed_isOutOfScope() {
    claimedDocs();
    spawn("s", "src", "fs.write fs:/repo/src/**");
    assertDeny(
        authorizer().authorize("src", "fs.write", "fs:/repo/docs/a.md"), Reason.OUT_OF_SCOPE);
  }

  @Test
  void claimedAndApprovalMissing_isClaimed() {
    graph.spawn(spec("s", "fs.* fs:/repo/**").principal("user:alice").build());
    graph.spawn("s", spec("holder", "fs.* fs:/repo/**").claims("fs:/repo/docs/**").build());
    spawn("s", "b", "fs.write fs:/repo/** approval");
    assertDeny(authorizer().authorize("b", "fs.write", "fs:/repo/docs/a"), Reason.CLAIMED);
  }

  @Test
  void approvalMissingAndBudgetExhausted_isApprovalRequired() {
    root("s", "tool.call tool:deploy maxCalls=1 approval");
    Authorizer authz = authorizer();
    assertPermit(
        authz.authorize(AuthorizationRequest.of("s", "tool.call", "tool:deploy").withApproval()));

    assertDeny(authz.authorize("s", "tool.call", "tool:deploy"), Reason.APPROVAL_REQUIRED);
    assertDeny(
        authz.authorize(AuthorizationRequest.of("s", "tool.call", "tool:deploy").withApproval()),
        Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void budgetExhaustedAndPolicyDeny_isBudgetExhausted() {
    root("s", "tool.call tool:** maxCalls=0");
    assertDeny(
        authorizer(PolicyEngine.denyAll()).authorize("s", "tool.call", "tool:x"),
        Reason.BUDGET_EXHAUSTED);
  }

  // ---------------------------------------------------------------- trace and audit

  @Test
  void auditRecord_carriesTheNodesTraceparent_orTheRequestsWhenGiven() {
    session();
    spawn("s", "b", "tool.call tool:**");
    Authorizer authz = authorizer();
    String callTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    authz.authorize("b", "tool.call", "tool:x");
    authz.authorize(AuthorizationRequest.of("b", "tool.call", "tool:x").withTraceparent(callTrace));
    authz.authorize("ghost", "tool.call", "tool:x");

    assertThat(audit).hasSize(3);
    assertThat(audit.get(0).traceparent()).isEqualTo(graph.node("b").trace().traceparent());
    assertThat(audit.get(0).traceparent())
        .contains(graph.node("s").trace().traceId())
        .doesNotContain(graph.node("s").trace().spanId());
    assertThat(audit.get(1).traceparent()).isEqualTo(callTrace);
    assertThat(audit.get(2).traceparent()).isNull();
  }

  @Test
  void audit_recordsExactlyOneRecordPerDecision_withItsFields() {
    graph.spawn(spec("s", "tool.call tool:**", "fs.* fs:/repo/**").principal("user:alice").build());
    graph.spawn("s", spec("p", "tool.call tool:**").principal("agent:planner").build());
    spawn("p", "t", "tool.call tool:github/*");
    clock.advance(Duration.ofSeconds(30));
    Authorizer authz = authorizer();

    List<Decision> decisions = new ArrayList<>();
    decisions.add(authz.authorize("t", "tool.call", "tool:github/create_issue"));
    decisions.add(authz.authorize("t", "tool.call", "tool:slack/post"));
    decisions.add(authz.authorize("ghost", "tool.call", "tool:x"));
    decisions.add(authz.authorize("t", "tool..call", "tool:x"));

    assertThat(audit).hasSize(decisions.size());
    for (int i = 0; i < decisions.size(); i++) {
      assertThat(audit.get(i).decisionId()).isEqualTo(decisions.get(i).decisionId());
      assertThat(audit.get(i).nodePath()).isEqualTo(decisions.get(i).nodePath());
      assertThat(audit.get(i).permitted()).isEqualTo(decisions.get(i).isPermit());
    }

    AuditRecord permit = audit.get(0);
    assertThat(permit.decision()).isEqualTo("PERMIT");
    assertThat(permit.time()).isEqualTo(T0.plusSeconds(30));
    assertThat(permit.nodePath()).containsExactly("s", "p", "t");
    assertThat(permit.principal()).isEqualTo("agent:planner");
    assertThat(permit.delegators()).containsExactly("user:alice", "agent:planner");
    assertThat(permit.action()).isEqualTo("tool.call");
    assertThat(permit.resource()).isEqualTo("tool:github/create_issue");
    assertThat(permit.reason()).isNull();
    assertThat(permit.detail()).isEmpty();
    assertThat(permit.determiningPolicies()).containsExactly("permit-all");
    assertThat(permit.grantId()).isNull();

    AuditRecord deny = audit.get(1);
    assertThat(deny.decision()).isEqualTo("DENY");
    assertThat(deny.reason()).isEqualTo(Reason.OUT_OF_SCOPE);
    assertThat(deny.detail()).isEqualTo(((Decision.Deny) decisions.get(1)).detail());
    assertThat(deny.resource()).isEqualTo("tool:slack/post");
    assertThat(deny.principal()).isEqualTo("agent:planner");

    AuditRecord unknown = audit.get(2);
    assertThat(unknown.reason()).isEqualTo(Reason.UNKNOWN_NODE);
    assertThat(unknown.principal()).isNull();
    assertThat(unknown.nodePath()).isEmpty();
    assertThat(unknown.delegators()).isEmpty();

    assertThat(audit.get(3).reason()).isEqualTo(Reason.ERROR);
    assertThat(audit.get(3).action()).isEqualTo("tool..call");
  }

  @Test
  void audit_recordsDeniesOfEveryKind() {
    session();
    spawn("s", "r", "tool.call tool:**");
    graph.revoke("r", "x");
    Authorizer authz = authorizer(PolicyEngine.denyAll());

    authz.authorize("r", "tool.call", "tool:x");
    authz.authorize("s", "tool.call", "tool:x");
    authz.authorize("s", "tool.call", "tool:x");

    assertThat(audit)
        .extracting(AuditRecord::reason)
        .containsExactly(Reason.REVOKED, Reason.POLICY, Reason.POLICY);
    assertThat(audit.get(1).determiningPolicies()).containsExactly("deny-all");
  }

  @Test
  void decisionIds_areUniqueWithinAnAuthorizer() {
    session();
    Authorizer authz = authorizer();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      ids.add(authz.authorize("s", "tool.call", "tool:x").decisionId());
      ids.add(authz.authorize("ghost", "tool.call", "tool:x").decisionId());
    }
    assertThat(ids).hasSize(200);
  }

  // ---------------------------------------------------------------- isolation

  @Test
  void twoAuthorizersOnTwoGraphs_neverAffectEachOther() {
    List<AuditRecord> audit1 = new ArrayList<>();
    List<AuditRecord> audit2 = new ArrayList<>();
    ExecutionGraph g1 =
        ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(1)).build();
    ExecutionGraph g2 =
        ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(2)).build();
    for (ExecutionGraph g : List.of(g1, g2)) {
      g.spawn(spec("s", "tool.call tool:** maxCalls=2").principal("user:alice").build());
      g.spawn("s", spec("t", "tool.call tool:** maxCalls=1").build());
    }
    Authorizer a1 = authorizer(g1, PolicyEngine.permitAll(), audit1::add);
    Authorizer a2 = authorizer(g2, PolicyEngine.denyAll(), audit2::add);

    Decision d1 = a1.authorize("t", "tool.call", "tool:x");
    g1.revoke("s", "incident");
    assertPermit(d1);

    assertDeny(a1.authorize("t", "tool.call", "tool:x"), Reason.REVOKED);
    assertThat(g2.node("t").state()).isEqualTo(NodeState.ACTIVE);
    assertDeny(a2.authorize("t", "tool.call", "tool:x"), Reason.POLICY); // a2's own engine

    Authorizer a2permit = authorizer(g2, PolicyEngine.permitAll(), audit2::add);
    assertPermit(a2permit.authorize("t", "tool.call", "tool:x")); // t's budget in g2 untouched

    assertThat(audit1).hasSize(2);
    assertThat(audit2).hasSize(2);
    Set<String> ids = new HashSet<>();
    for (AuditRecord r : audit1) {
      ids.add(r.decisionId());
    }
    for (AuditRecord r : audit2) {
      ids.add(r.decisionId());
    }
    assertThat(ids).hasSize(4);
  }

  @Test
  void twoAuthorizersOnOneGraph_giveDistinctDecisionIds() {
    session();
    Authorizer a = authorizer();
    Authorizer b = authorizer();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      ids.add(a.authorize("s", "tool.call", "tool:x").decisionId());
      ids.add(b.authorize("s", "tool.call", "tool:x").decisionId());
    }
    assertThat(ids).hasSize(20);
  }

  // ---------------------------------------------------------------- builder

  @Test
  void builder_optionSetTwice_isRefusedNamingTheOption() {
    Authorizer.Builder b =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(PolicyEngine.permitAll())
            .auditSink(AuditSink.discarding());

    assertThatThrownBy(() -> b.graph(graph))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("graph");
    assertThatThrownBy(() -> b.policyEngine(PolicyEngine.denyAll()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policyEngine");
    assertThatThrownBy(() -> b.auditSink(AuditSink.discarding()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("auditSink");
    assertThat(b.build().graph()).isSameAs(graph);
  }

  @Test
  void build_withoutEngine_isRefused() {
    assertThatThrownBy(() -> Authorizer.newBuilder().graph(graph).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policyEngine");
    assertThatThrownBy(() -> Authorizer.newBuilder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policyEngine");
  }

  @Test
  void build_withoutGraph_givesAToolServerAuthorizerThatKnowsNoNode() {
    session();
    Authorizer authz =
        Authorizer.newBuilder()
            .policyEngine(PolicyEngine.permitAll())
            .clock(clock)
            .auditSink(audit::add)
            .build();

    assertThatThrownBy(authz::graph)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("graph");
    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.UNKNOWN_NODE);
    assertThat(audit).hasSize(1);
  }

  @Test
  void builder_graphAndClock_conflictNamingBoth() {
    assertThatThrownBy(() -> Authorizer.newBuilder().graph(graph).clock(clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clock")
        .hasMessageContaining("graph");
    assertThatThrownBy(() -> Authorizer.newBuilder().clock(clock).graph(graph))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clock")
        .hasMessageContaining("graph");
    assertThatThrownBy(() -> Authorizer.newBuilder().clock(clock).clock(clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clock");
  }

  // ---------------------------------------------------------------- views without a graph

  // the views a test grant source vouches for, by token
  private final java.util.Map<String, ExecutionView> grants = new java.util.HashMap<>();

  private final io.execauthz.spi.GrantSource grantSource =
      token ->
          grants.containsKey(token)
              ? new io.execauthz.spi.GrantSource.Accepted(grants.get(token), token)
              : new io.execauthz.spi.GrantSource.Rejected(
                  Reason.INVALID_GRANT, "unknown token", null, null);

  /** A token the test grant source accepts as carrying {@code view}. */
  private String grant(ExecutionView view, String token) {
    grants.put(token, view);
    return token;
  }

  private Authorizer toolServer(PolicyEngine engine) {
    return Authorizer.newBuilder()
        .policyEngine(engine)
        .clock(clock)
        .grantSource(grantSource)
        .auditSink(audit::add)
        .build();
  }

  /** The view of node t (under s, principal agent:planner) as a tool server rebuilds it. */
  private ExecutionView viewOfT(String... capabilities) {
    graph.spawn(spec("s", "tool.call tool:**", "fs.* fs:/repo/**").principal("user:alice").build());
    graph.spawn(
        "s",
        spec("t", capabilities).principal("agent:planner").ttl(Duration.ofMinutes(10)).build());
    return graph.node("t").view();
  }

  @Test
  void view_coveredRequest_isPermittedAndAuditedWithTheGrantId() {
    ExecutionView v = viewOfT("tool.call tool:github/*");
    Authorizer authz = toolServer(PolicyEngine.permitAll());

    Decision.Permit p =
        assertPermit(
            authz.authorize(
                grant(v, "jti-1"), AuthorizationRequest.of("t", "tool.call", "tool:github/x")));

    assertThat(p.nodePath()).containsExactly("s", "t");
    assertThat(audit).hasSize(1);
    AuditRecord r = audit.get(0);
    assertThat(r.grantId()).isEqualTo("jti-1");
    assertThat(r.decisionId()).isEqualTo(p.decisionId());
    assertThat(r.principal()).isEqualTo("agent:planner");
    assertThat(r.delegators()).containsExactly("user:alice", "agent:planner");
    assertThat(r.traceparent()).isEqualTo(v.trace().traceparent());
  }

  @Test
  void view_runsTheSamePipeline_outOfScopeApprovalPolicy() {
    ExecutionView v = viewOfT("tool.call tool:github/*", "tool.call tool:deploy approval");
    Authorizer authz = toolServer(PolicyEngine.denyAll());

    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool.call", "tool:slack/x")),
        Reason.OUT_OF_SCOPE);
    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool.call", "tool:deploy")),
        Reason.APPROVAL_REQUIRED);
    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool.call", "tool:github/x")),
        Reason.POLICY);
    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool..call", "tool:github/x")),
        Reason.ERROR);
    assertThat(audit).hasSize(4);
  }

  @Test
  void view_pastItsDeadline_isDeniedAsExpired() {
    ExecutionView v = viewOfT("tool.call tool:**");
    Authorizer authz = toolServer(PolicyEngine.permitAll());
    clock.advance(Duration.ofMinutes(10));

    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool.call", "tool:x")),
        Reason.EXPIRED);
  }

  @Test
  void view_ofAnotherNodeThanTheRequest_isDeniedAsInvalidGrant() {
    ExecutionView v = viewOfT("tool.call tool:**");
    Decision.Deny d =
        assertDeny(
            toolServer(PolicyEngine.permitAll())
                .authorize(grant(v, "j"), AuthorizationRequest.of("s", "tool.call", "tool:x")),
            Reason.INVALID_GRANT);
    assertThat(d.detail()).contains("'s'").contains("'t'");
  }

  @Test
  void view_budget_belongsToTheNode_notToTheGrant() {
    ExecutionView v = viewOfT("tool.call tool:** maxCalls=2");
    Authorizer authz = toolServer(PolicyEngine.permitAll());
    AuthorizationRequest r = AuthorizationRequest.of("t", "tool.call", "tool:x");

    // three grants of one node: one budget
    assertPermit(authz.authorize(grant(v, "j1"), r));
    assertPermit(authz.authorize(grant(v, "j2"), r));
    assertDeny(authz.authorize(grant(v, "j3"), r), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void view_budget_isSharedWithTheGraph_throughOneLedger() {
    ExecutionView v = viewOfT("tool.call tool:** maxCalls=3");
    Authorizer server =
        Authorizer.newBuilder()
            .policyEngine(PolicyEngine.permitAll())
            .clock(clock)
            .grantSource(grantSource)
            .budgetLedger(graph.budgetLedger())
            .build();
    Authorizer inProcess =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    AuthorizationRequest r = AuthorizationRequest.of("t", "tool.call", "tool:x");

    assertPermit(inProcess.authorize(r));
    assertPermit(server.authorize(grant(v, "j1"), r));
    assertPermit(server.authorize(grant(v, "j2"), r));
    assertDeny(inProcess.authorize(r), Reason.BUDGET_EXHAUSTED);
    assertDeny(server.authorize(grant(v, "j3"), r), Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void view_ancestorBudget_bindsTheSubtree_throughAGrant() {
    graph.spawn(spec("s", "tool.call tool:** maxCalls=2").principal("user:alice").build());
    graph.spawn("s", spec("a", "tool.call tool:x maxCalls=2").build());
    graph.spawn("s", spec("b", "tool.call tool:x maxCalls=2").build());
    Authorizer server =
        Authorizer.newBuilder()
            .policyEngine(PolicyEngine.permitAll())
            .clock(clock)
            .grantSource(grantSource)
            .budgetLedger(graph.budgetLedger())
            .build();
    Authorizer inProcess =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();

    assertPermit(
        server.authorize(
            grant(graph.node("a").view(), "ja"),
            AuthorizationRequest.of("a", "tool.call", "tool:x")));
    assertPermit(inProcess.authorize("b", "tool.call", "tool:x"));
    assertDeny(
        server.authorize(
            grant(graph.node("b").view(), "jb"),
            AuthorizationRequest.of("b", "tool.call", "tool:x")),
        Reason.BUDGET_EXHAUSTED);
  }

  @Test
  void grant_withoutAGrantSource_isNeverDecided() {
    ExecutionView v = viewOfT("tool.call tool:**");
    Authorizer authz =
        Authorizer.newBuilder().policyEngine(PolicyEngine.permitAll()).clock(clock).build();
    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool.call", "tool:x")),
        Reason.ERROR);
  }

  @Test
  void grant_rejectedBySource_isDeniedWithItsReason_andAudited() {
    Authorizer authz = toolServer(PolicyEngine.permitAll());
    assertDeny(
        authz.authorize("forged", AuthorizationRequest.of("t", "tool.call", "tool:x")),
        Reason.INVALID_GRANT);
    assertThat(audit).hasSize(1);
  }

  @Test
  void view_claimsAreNotChecked() {
    ExecutionView v = viewOfT("fs.* fs:/repo/**");
    graph.spawn("s", spec("holder", "fs.* fs:/repo/**").claims("fs:/repo/**").build());
    assertPermit(
        toolServer(PolicyEngine.permitAll())
            .authorize(grant(v, "j"), AuthorizationRequest.of("t", "fs.write", "fs:/repo/a")));
  }

  @Test
  void view_clockFailure_isDeniedAsError_neverPermitted() {
    ExecutionView v = viewOfT("tool.call tool:**");
    AtomicBoolean broken = new AtomicBoolean();
    Authorizer authz =
        Authorizer.newBuilder()
            .policyEngine(PolicyEngine.permitAll())
            .clock(
                () -> {
                  if (broken.get()) {
                    throw new IllegalStateException("clock unavailable");
                  }
                  return clock.instant();
                })
            .grantSource(grantSource)
            .build();
    clock.advance(Duration.ofHours(1)); // the view has expired
    broken.set(true);

    assertDeny(
        authz.authorize(grant(v, "j"), AuthorizationRequest.of("t", "tool.call", "tool:x")),
        Reason.ERROR);
  }

  @Test
  void refuse_isAuditedLikeAnyOtherDeny() {
    ExecutionView v = viewOfT("tool.call tool:**");
    Authorizer authz = toolServer(PolicyEngine.permitAll());

    Decision.Deny d =
        authz.refuse(
            AuthorizationRequest.of("t", "tool.call", "tool:x"),
            Reason.INVALID_GRANT,
            "signature",
            v,
            "jti-9");
    Decision.Deny unknown =
        authz.refuse(
            AuthorizationRequest.of("t", "tool.call", "tool:x"),
            Reason.INVALID_GRANT,
            "bad kid",
            null,
            null);

    assertThat(d.reason()).isEqualTo(Reason.INVALID_GRANT);
    assertThat(d.nodePath()).containsExactly("s", "t");
    assertThat(unknown.nodePath()).isEmpty();
    assertThat(audit).hasSize(2);
    assertThat(audit.get(0).decisionId()).isEqualTo(d.decisionId());
    assertThat(audit.get(0).reason()).isEqualTo(Reason.INVALID_GRANT);
    assertThat(audit.get(0).detail()).isEqualTo("signature");
    assertThat(audit.get(0).grantId()).isEqualTo("jti-9");
    assertThat(audit.get(1).principal()).isNull();
    assertThat(d.decisionId()).isNotEqualTo(unknown.decisionId());
  }

  @Test
  void build_withoutAuditSink_discardsRecordsAndStillDecides() {
    session();
    Authorizer authz =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    assertPermit(authz.authorize("s", "tool.call", "tool:x"));
    assertDeny(authz.authorize("s", "net.connect", "net:x:1"), Reason.OUT_OF_SCOPE);
  }

  // ---------------------------------------------------------------- soundness (issue 9, item 7)

  @Test
  void revocationDuringASlowPolicyEvaluation_winsOverThePermit_andRefundsTheBudget() {
    root("s", "tool.call tool:** maxCalls=1");
    PolicyEngine revokesWhileEvaluating =
        r -> {
          graph.revoke("s", "incident"); // lands while the policy is being evaluated
          return new io.execauthz.spi.PolicyDecision(true, List.of("p"), List.of());
        };
    Authorizer authz = authorizer(revokesWhileEvaluating);

    assertDeny(authz.authorize("s", "tool.call", "tool:x"), Reason.REVOKED);
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).permitted()).isFalse();
  }

  @Test
  void completionDuringASlowPolicyEvaluation_winsOverThePermit() {
    root("s", "tool.call tool:**");
    spawn("s", "t", "tool.call tool:x");
    Authorizer authz =
        authorizer(
            r -> {
              graph.complete("s");
              return new io.execauthz.spi.PolicyDecision(true, List.of(), List.of());
            });
    assertDeny(authz.authorize("t", "tool.call", "tool:x"), Reason.COMPLETED);
  }

  @Test
  void grantRevokedDuringASlowPolicyEvaluation_winsOverThePermit() {
    ExecutionView v = viewOfT("tool.call tool:** maxCalls=1");
    java.util.concurrent.atomic.AtomicBoolean revoked =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger evaluations =
        new java.util.concurrent.atomic.AtomicInteger();
    io.execauthz.spi.GrantSource source =
        token ->
            revoked.get()
                ? new io.execauthz.spi.GrantSource.Rejected(
                    Reason.REVOKED, "node 't' was revoked", v, token)
                : new io.execauthz.spi.GrantSource.Accepted(v, token);
    Authorizer authz =
        Authorizer.newBuilder()
            .clock(clock)
            .grantSource(source)
            .policyEngine(
                r -> {
                  revoked.compareAndSet(false, evaluations.getAndIncrement() == 0);
                  return new io.execauthz.spi.PolicyDecision(true, List.of(), List.of());
                })
            .build();
    AuthorizationRequest r = AuthorizationRequest.of("t", "tool.call", "tool:x");
    assertDeny(authz.authorize("tok", r), Reason.REVOKED);
    revoked.set(false);
    // the refused call spent nothing: the one call of the budget is still there
    assertPermit(authz.authorize("tok", r));
  }

  @Test
  void clockSteppingBack_neverRevivesAnExpiredNode() {
    root("s", "tool.call tool:**");
    graph.spawn("s", spec("t", "tool.call tool:x").ttl(Duration.ofMinutes(5)).build());
    Authorizer authz = authorizer();
    clock.advance(Duration.ofMinutes(6));
    assertDeny(authz.authorize("t", "tool.call", "tool:x"), Reason.EXPIRED);

    clock.advance(Duration.ofMinutes(-3)); // NTP steps the clock back
    assertDeny(authz.authorize("t", "tool.call", "tool:x"), Reason.EXPIRED);
    assertThat(graph.node("t").state()).isEqualTo(NodeState.EXPIRED);
  }

  @Test
  void clockSteppingBack_neverRevivesAnExpiredGrantView() {
    ExecutionView v = viewOfT("tool.call tool:**");
    Authorizer authz = toolServer(PolicyEngine.permitAll());
    AuthorizationRequest r = AuthorizationRequest.of("t", "tool.call", "tool:x");
    clock.advance(Duration.ofMinutes(11));
    assertDeny(authz.authorize(grant(v, "j"), r), Reason.EXPIRED);
    clock.advance(Duration.ofMinutes(-5));
    assertDeny(authz.authorize(grant(v, "j"), r), Reason.EXPIRED);
  }

  @Test
  void argumentOfAnUnsupportedType_isRefusedAtTheBoundary_namingWhere() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                AuthorizationRequest.of("s", "tool.call", "tool:x")
                    .withArgs(java.util.Map.of("when", java.time.Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args.when");
  }

  @Test
  void auditRecord_bindsTheExactArguments_byTheirSha256() {
    root("s", "tool.call tool:**");
    Authorizer authz = authorizer();
    authz.authorize(
        AuthorizationRequest.of("s", "tool.call", "tool:x")
            .withArgs(java.util.Map.of("b", 2, "a", List.of("x"))));
    authz.authorize(AuthorizationRequest.of("s", "tool.call", "tool:x"));

    assertThat(audit.get(0).argsSha256())
        .isEqualTo(Args.of(java.util.Map.of("a", List.of("x"), "b", 2L)).sha256())
        .hasSize(64);
    assertThat(audit.get(1).argsSha256()).isNull();
  }
}
