package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.Reason;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry, fed by the graph, refuses grants whose jti, ancestor grant or lineage ended. */
final class RevocationTest {
  private final Fixture f = new Fixture();

  private void assertDenied(String token, Reason reason, GrantCheck check) {
    assertThatThrownBy(() -> f.verifier.verify(token))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> {
              assertThat(e.check()).isEqualTo(check);
              assertThat(e.grantId()).isPresent(); // authentic, so its id is known
            });
    Decision d = f.tools.authorize(token, "fs.read", "fs:/repo/a.md");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class,
            deny -> {
              assertThat(deny.reason()).isEqualTo(reason);
              assertThat(deny.nodePath()).isNotEmpty();
            });
    assertThat(f.audit.get(f.audit.size() - 1).grantId()).isNotNull();
  }

  @Test
  void revokingAnAncestor_revokesTheGrant_evenWhenCached() {
    String g = f.mintB1().compact();
    assertThat(f.tools.authorize(g, "fs.read", "fs:/repo/a.md").isPermit()).isTrue(); // cached now
    f.graph.revoke("s", "incident");
    assertDenied(g, Reason.REVOKED, GrantCheck.REVOKED);
  }

  @Test
  void completingTheNode_completesTheGrant() {
    String g = f.mintB1().compact();
    f.verifier.verify(g);
    f.graph.complete("b1");
    assertDenied(g, Reason.COMPLETED, GrantCheck.COMPLETED);
  }

  @Test
  void revocationWinsOverCompletion_asInTheGraph() {
    f.graph.spawn("b1", NodeSpec.builder("t").capabilities("fs.read fs:/repo/a.md").build());
    String g = f.issuer.mint(f.graph.node("t"), Fixture.AUDIENCE).compact();
    f.graph.complete("b1"); // t is now COMPLETED through b1
    f.registryRevokesDirectly("s");
    assertDenied(g, Reason.REVOKED, GrantCheck.REVOKED);
  }

  @Test
  void revokingASecondParentOfAMerge_revokesTheMergesGrant() {
    f.graph.spawn("s", NodeSpec.builder("b2").capabilities("fs.read fs:/repo/**").build());
    f.graph.join(
        List.of("b1", "b2"), NodeSpec.builder("m").capabilities("fs.read fs:/repo/**").build());
    String g = f.issuer.mint(f.graph.node("m"), Fixture.AUDIENCE).compact();
    assertThat(f.tools.authorize(g, "fs.read", "fs:/repo/a.md").isPermit()).isTrue();
    f.graph.revoke("b2", "bad batch"); // not on m's path (s → b1 → m), but in its lineage
    assertThat(f.graph.node("m").state()).isEqualTo(NodeState.REVOKED);
    assertDenied(g, Reason.REVOKED, GrantCheck.REVOKED);
  }

  @Test
  void revokingAGrant_revokesItsAttenuations() {
    GrantToken parent = f.mintB1();
    GrantToken child =
        f.issuer.attenuate(
            parent, CapabilitySet.parse("fs.read fs:/repo/**"), Duration.ofMinutes(1));
    GrantToken grandchild =
        f.issuer.attenuate(
            child, CapabilitySet.parse("fs.read fs:/repo/a.md"), Duration.ofMinutes(1));
    GrantToken sibling =
        f.issuer.attenuate(
            parent, CapabilitySet.parse("fs.read fs:/repo/**"), Duration.ofMinutes(1));
    assertThat(f.tools.authorize(grandchild.compact(), "fs.read", "fs:/repo/a.md").isPermit())
        .isTrue();
    f.revocations.revokeGrant(child.id(), child.expiresAt());
    assertDenied(child.compact(), Reason.REVOKED, GrantCheck.REVOKED);
    assertDenied(grandchild.compact(), Reason.REVOKED, GrantCheck.REVOKED);
    assertThat(f.tools.authorize(sibling.compact(), "fs.read", "fs:/repo/a.md").isPermit())
        .isTrue();
    assertThat(f.tools.authorize(parent.compact(), "fs.read", "fs:/repo/a.md").isPermit()).isTrue();
  }

  @Test
  void aVerifierWithoutARegistry_mustSaySo_andThenChecksNoRevocation() {
    GrantVerifier.Builder noRegistry =
        GrantVerifier.newBuilder()
            .keys(f.issuer.publicKeys())
            .issuer(Fixture.ISSUER)
            .audience(Fixture.AUDIENCE)
            .clock(f.clock);
    assertThatThrownBy(noRegistry::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("revocations is required")
        .hasMessageContaining("withoutRevocationChecks()");
    GrantVerifier plain = noRegistry.withoutRevocationChecks().build();
    String g = f.mintB1().compact();
    f.graph.revoke("s", "incident");
    assertThat(plain.verify(g).nodeId()).isEqualTo("b1"); // the documented cost
    assertThatThrownBy(() -> f.verifier.verify(g))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.REVOKED));
    assertThatThrownBy(
            () -> GrantVerifier.newBuilder().revocations(f.revocations).withoutRevocationChecks())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conflicts");
  }

  @Test
  void twoGraphsThatBothNameANodeSession_neverRevokeEachOthersGrants() {
    // a second orchestrator graph feeding the same registry, with the same node names
    ExecutionGraph other =
        ExecutionGraph.newBuilder()
            .clock(f.clock)
            .listener(f.revocations.graphListener(Fixture.ISSUER))
            .build();
    other.spawn(
        NodeSpec.builder("s")
            .kind("session")
            .principal("user:bob")
            .capabilities("fs.* fs:/repo/**")
            .build());
    other.spawn("s", NodeSpec.builder("b1").capabilities("fs.read fs:/repo/**").build());
    assertThat(other.id()).isNotEqualTo(f.graph.id());
    String mine = f.mintB1().compact();
    String theirs = f.issuer.mint(other.node("b1"), Fixture.AUDIENCE).compact();
    assertThat(Fixture.claims(theirs)).containsEntry("gid", other.id());

    other.revoke("s", "bob's session ends");
    assertDenied(theirs, Reason.REVOKED, GrantCheck.REVOKED);
    assertThat(f.tools.authorize(mine, "fs.read", "fs:/repo/a.md").isPermit()).isTrue();

    f.graph.complete("b1");
    assertDenied(mine, Reason.COMPLETED, GrantCheck.COMPLETED);
  }

  @Test
  void registryEntries_areScopedByIssuer_unlessTheListenerDoesNotKnowIt() {
    TestClock clock = new TestClock(Fixture.START);
    RevocationRegistry r = RevocationRegistry.inMemory(clock);
    r.nodeEnded("iss-a", "g", "session", NodeState.REVOKED, Fixture.START.plusSeconds(60));
    assertThat(r.nodeState("iss-a", "g", "session")).contains(NodeState.REVOKED);
    assertThat(r.nodeState("iss-b", "g", "session")).isEmpty();
    assertThat(r.nodeState("iss-a", "g2", "session")).isEmpty();
    r.nodeEnded(null, "g", "task", NodeState.COMPLETED, Fixture.START.plusSeconds(60));
    assertThat(r.nodeState("iss-a", "g", "task")).contains(NodeState.COMPLETED);
    assertThat(r.nodeState("iss-b", "g", "task")).contains(NodeState.COMPLETED);
    r.nodeEnded("iss-b", "g", "task", NodeState.REVOKED, Fixture.START.plusSeconds(60));
    assertThat(r.nodeState("iss-b", "g", "task")).contains(NodeState.REVOKED);
    assertThat(r.nodeState("iss-a", "g", "task")).contains(NodeState.COMPLETED);
  }

  @Test
  void aRegistryThatCouldNotRecord_refusesEveryGrantWithUnavailable_untilItCatchesUp() {
    // room for two entries: the third revocation cannot be recorded
    RevocationRegistry small = RevocationRegistry.inMemory(f.clock, Duration.ofSeconds(30), 2);
    ExecutionGraph graph =
        ExecutionGraph.newBuilder()
            .clock(f.clock)
            .listener(small.graphListener(Fixture.ISSUER))
            .build();
    graph.spawn(
        NodeSpec.builder("root")
            .principal("user:alice")
            .capabilities("fs.read fs:/repo/**")
            .ttl(Duration.ofHours(1))
            .build());
    for (String id : List.of("short-1", "short-2")) {
      graph.spawn(
          "root",
          NodeSpec.builder(id)
              .capabilities("fs.read fs:/repo/**")
              .ttl(Duration.ofMinutes(1))
              .build());
    }
    graph.spawn("root", NodeSpec.builder("victim").capabilities("fs.read fs:/repo/**").build());
    graph.spawn("root", NodeSpec.builder("bystander").capabilities("fs.read fs:/repo/**").build());
    GrantVerifier verifier =
        GrantVerifier.newBuilder()
            .keys(f.issuer.publicKeys())
            .issuer(Fixture.ISSUER)
            .audience(Fixture.AUDIENCE)
            .clock(f.clock)
            .revocations(small)
            .build();
    GrantAuthorizer tools =
        GrantAuthorizer.newBuilder()
            .verifier(verifier)
            .authorizer(
                Authorizer.newBuilder().clock(f.clock).policyEngine(PolicyEngine.permitAll()))
            .build();
    String victim = f.issuer.mint(graph.node("victim"), Fixture.AUDIENCE).compact();
    String bystander = f.issuer.mint(graph.node("bystander"), Fixture.AUDIENCE).compact();

    graph.complete("short-1");
    graph.complete("short-2");
    assertThat(small.isCurrent()).isTrue();
    try {
      graph.revoke("victim", "incident"); // the listener cannot record it
    } catch (RuntimeException reported) {
      // the graph may report the listener's failure to the caller; the revocation stands
    }
    assertThat(graph.node("victim").state()).isEqualTo(NodeState.REVOKED);
    assertThat(small.isCurrent()).isFalse();
    assertThat(small.nodeState(Fixture.ISSUER, graph.id(), "victim")).isEmpty(); // lost so far

    for (String token : List.of(victim, bystander)) {
      assertThatThrownBy(() -> verifier.verify(token))
          .isInstanceOfSatisfying(
              GrantVerificationException.class,
              e -> assertThat(e.check()).isEqualTo(GrantCheck.UNAVAILABLE));
      Decision d = tools.authorize(token, "fs.read", "fs:/repo/a.md");
      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Deny.class,
              deny -> {
                assertThat(deny.reason()).isEqualTo(Reason.UNAVAILABLE);
                // the registry says why: full, with entries not recorded
                assertThat(deny.detail()).contains("not current (it holds", "its limit");
              });
    }
    assertThat(small.catchUp()).isFalse(); // nothing has expired yet to make room

    f.clock.advance(Duration.ofMinutes(1).plusSeconds(31)); // short-1, short-2 can be forgotten
    assertThat(small.catchUp()).isTrue();
    assertThat(small.nodeState(Fixture.ISSUER, graph.id(), "victim")).contains(NodeState.REVOKED);
    assertThatThrownBy(() -> verifier.verify(victim))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.REVOKED));
    assertThat(tools.authorize(bystander, "fs.read", "fs:/repo/a.md").isPermit()).isTrue();
  }

  @Test
  void inMemoryRegistry_forgetsEntriesOnlyAfterTheirGrantsCannotBeValid() {
    TestClock clock = new TestClock(Fixture.START);
    RevocationRegistry r = RevocationRegistry.inMemory(clock, Duration.ofMinutes(1));
    r.nodeEnded("i", "g", "n", NodeState.REVOKED, Fixture.START.plusSeconds(10));
    r.revokeGrant("g", Fixture.START.plusSeconds(10));
    r.nodeEnded(
        "i", "g", "n", NodeState.COMPLETED, Fixture.START.plusSeconds(20)); // not downgraded
    assertThat(r.nodeState("i", "g", "n")).contains(NodeState.REVOKED);
    clock.advance(Duration.ofSeconds(60));
    for (int i = 0; i < 300; i++) { // writes trigger pruning
      r.revokeGrant("other-" + i, Instant.MAX);
    }
    assertThat(r.isGrantRevoked("g")).isTrue();
    assertThat(r.nodeState("i", "g", "n")).contains(NodeState.REVOKED);
    clock.advance(Duration.ofSeconds(30));
    for (int i = 0; i < 300; i++) {
      r.revokeGrant("more-" + i, Instant.MAX);
    }
    assertThat(r.isGrantRevoked("g")).isFalse();
    assertThat(r.nodeState("i", "g", "n")).isEmpty();
    assertThatThrownBy(() -> r.nodeEnded("i", "g", "x", NodeState.ACTIVE, Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
