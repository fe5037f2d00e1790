package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.CapabilitySet;
import io.execauthz.Decision;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.Reason;
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
  void aVerifierWithoutARegistry_checksNoRevocation() {
    GrantVerifier plain =
        GrantVerifier.newBuilder()
            .keys(f.issuer.publicKeys())
            .issuer(Fixture.ISSUER)
            .audience(Fixture.AUDIENCE)
            .clock(f.clock)
            .build();
    String g = f.mintB1().compact();
    f.graph.revoke("s", "incident");
    assertThat(plain.verify(g).nodeId()).isEqualTo("b1");
  }

  @Test
  void inMemoryRegistry_forgetsEntriesOnlyAfterTheirGrantsCannotBeValid() {
    TestClock clock = new TestClock(Fixture.START);
    RevocationRegistry r = RevocationRegistry.inMemory(clock, Duration.ofMinutes(1));
    r.nodeEnded("n", NodeState.REVOKED, Fixture.START.plusSeconds(10));
    r.revokeGrant("g", Fixture.START.plusSeconds(10));
    r.nodeEnded("n", NodeState.COMPLETED, Fixture.START.plusSeconds(20)); // never downgraded
    assertThat(r.nodeState("n")).contains(NodeState.REVOKED);
    clock.advance(Duration.ofSeconds(60));
    for (int i = 0; i < 300; i++) { // writes trigger pruning
      r.revokeGrant("other-" + i, Instant.MAX);
    }
    assertThat(r.isGrantRevoked("g")).isTrue();
    assertThat(r.nodeState("n")).contains(NodeState.REVOKED);
    clock.advance(Duration.ofSeconds(30));
    for (int i = 0; i < 300; i++) {
      r.revokeGrant("more-" + i, Instant.MAX);
    }
    assertThat(r.isGrantRevoked("g")).isFalse();
    assertThat(r.nodeState("n")).isEmpty();
    assertThatThrownBy(() -> r.nodeEnded("x", NodeState.ACTIVE, Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
