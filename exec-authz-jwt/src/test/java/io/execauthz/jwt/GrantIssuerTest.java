package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.ExecutionNode;
import io.execauthz.ExecutionView;
import io.execauthz.NodeSpec;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.ResourcePattern;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class GrantIssuerTest {
  private final Fixture f = new Fixture();

  @Test
  void mint_writesTheClaimsOfContract4() {
    ExecutionNode b1 = f.graph.node("b1");
    GrantToken g = f.mintB1();
    Map<String, Object> h = Fixture.header(g.compact());
    assertThat(h)
        .containsEntry("alg", "EdDSA")
        .containsEntry("kid", "ed-1")
        .containsEntry("typ", "exec-grant+jwt");
    Map<String, Object> c = Fixture.claims(g.compact());
    long now = Fixture.START.getEpochSecond();
    assertThat(c)
        .containsEntry("iss", Fixture.ISSUER)
        .containsEntry("sub", "agent:planner")
        .containsEntry("aud", Fixture.AUDIENCE)
        .containsEntry("iat", now)
        .containsEntry("nbf", now)
        .containsEntry("exp", now + 300)
        .containsEntry("jti", g.id())
        .containsEntry("ctx", "b1")
        .containsEntry("path", List.of("s", "b1"))
        .containsEntry("cap", List.of("fs.read fs:/repo/**", "tool.call tool:github/*"))
        .containsEntry("act", Map.of("sub", "user:alice"))
        .containsEntry("traceparent", b1.trace().traceparent())
        .containsEntry("atr", Map.of("team", "docs"))
        .doesNotContainKeys("pgr", "gch");
    assertThat(g.id()).hasSize(22); // 128 random bits
    assertThat(f.mintB1().id()).isNotEqualTo(g.id());
  }

  @Test
  void verify_rebuildsTheNodesView() {
    ExecutionNode b1 = f.graph.node("b1");
    VerifiedGrant v = f.verifier.verify(f.mintB1().compact());
    ExecutionView expected = b1.view();
    assertThat(v.view())
        .isEqualTo(
            new ExecutionView(
                expected.graphId(),
                expected.nodeId(),
                expected.kind(),
                expected.depth(),
                expected.principal(),
                expected.path(),
                expected.lineage(),
                expected.delegators(),
                expected.attributes(),
                expected.capabilities(),
                Fixture.START.plusSeconds(300 + 5),
                expected.trace(),
                expected.budgetScopes()));
    assertThat(v.delegators()).containsExactly("user:alice", "agent:planner");
    assertThat(v.grantChain()).isEmpty();
    assertThat(v.parentId()).isEmpty();
    assertThat(v.algorithm()).isEqualTo(GrantAlgorithm.EDDSA);
  }

  @Test
  void exp_isAtMostTheNodesDeadline_andTheMaximumLifetime() {
    f.graph.spawn(
        "b1",
        NodeSpec.builder("short")
            .capabilities("fs.read fs:/repo/a")
            .ttl(Duration.ofSeconds(90))
            .build());
    assertThat(f.issuer.mint(f.graph.node("short"), Fixture.AUDIENCE).expiresAt())
        .isEqualTo(Fixture.START.plusSeconds(90));
    assertThat(f.issuer.mint(f.graph.node("b1"), Fixture.AUDIENCE, Duration.ofHours(2)).expiresAt())
        .isEqualTo(Fixture.START.plus(Duration.ofMinutes(5)));
    assertThat(
            f.issuer.mint(f.graph.node("b1"), Fixture.AUDIENCE, Duration.ofSeconds(30)).expiresAt())
        .isEqualTo(Fixture.START.plusSeconds(30));
  }

  @Test
  void exp_roundsDownToWholeSeconds_neverPastTheDeadline() {
    f.clock.set(Fixture.START.plusMillis(700));
    f.graph.spawn(
        "b1",
        NodeSpec.builder("frac")
            .capabilities("fs.read fs:/repo/a")
            .ttl(Duration.ofMillis(10_500))
            .build());
    ExecutionNode frac = f.graph.node("frac");
    GrantToken g = f.issuer.mint(frac, Fixture.AUDIENCE);
    assertThat(g.expiresAt()).isEqualTo(Fixture.START.plusSeconds(11));
    assertThat(g.expiresAt()).isBeforeOrEqualTo(frac.deadline());
    assertThat(g.issuedAt()).isEqualTo(Fixture.START);
  }

  @Test
  void maxLifetime_isConfigurable() {
    GrantIssuer longer =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .maxLifetime(Duration.ofMinutes(20))
            .build();
    assertThat(longer.mint(f.graph.node("b1"), Fixture.AUDIENCE).expiresAt())
        .isEqualTo(Fixture.START.plus(Duration.ofMinutes(20)));
  }

  @Test
  void attenuate_neverExtendsExp() {
    GrantToken parent = f.issuer.mint(f.graph.node("b1"), Fixture.AUDIENCE, Duration.ofMinutes(2));
    f.clock.advance(Duration.ofSeconds(30));
    GrantToken child =
        f.issuer.attenuate(
            parent, CapabilitySet.parse("fs.read fs:/repo/docs/**"), Duration.ofHours(1));
    assertThat(child.expiresAt()).isEqualTo(parent.expiresAt());
    GrantToken grandchild =
        f.issuer.attenuate(
            child, CapabilitySet.parse("fs.read fs:/repo/docs/x"), Duration.ofSeconds(10));
    assertThat(grandchild.expiresAt()).isEqualTo(Fixture.START.plusSeconds(40));
    VerifiedGrant v = f.verifier.verify(grandchild.compact());
    assertThat(v.parentId()).contains(child.id());
    assertThat(v.grantChain()).containsExactly(parent.id(), child.id());
    assertThat(v.nodeId()).isEqualTo("b1");
    assertThat(v.delegators()).containsExactly("user:alice", "agent:planner");
    assertThat(Fixture.claims(grandchild.compact())).containsEntry("pgr", child.id());
  }

  @Test
  void attenuate_ofAnExpiredParent_isRefused() {
    GrantToken parent = f.issuer.mint(f.graph.node("b1"), Fixture.AUDIENCE, Duration.ofSeconds(10));
    f.clock.advance(Duration.ofSeconds(10)); // within the skew: authentic, but no time left
    assertThatThrownBy(
            () -> f.issuer.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> assertThat(e.error()).isEqualTo(IssuanceError.INACTIVE));
    f.clock.advance(Duration.ofSeconds(5));
    assertThatThrownBy(
            () -> f.issuer.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.EXPIRED));
  }

  @Test
  void attenuate_ofARevokedParent_isRefused() {
    GrantToken parent = f.mintB1();
    f.revocations.revokeGrant(parent.id(), parent.expiresAt());
    assertThatThrownBy(
            () -> f.issuer.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.REVOKED));
  }

  @Test
  void attenuate_ofAnotherIssuersGrant_isRefused() {
    GrantIssuer other =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer("https://other.test")
            .clock(f.clock)
            .build();
    GrantToken foreign = other.mint(f.graph.node("b1"), Fixture.AUDIENCE);
    assertThatThrownBy(
            () -> f.issuer.attenuate(foreign, foreign.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.ISSUER));
  }

  @Test
  void mint_forAnInactiveNode_isRefused() {
    f.graph.spawn("b1", NodeSpec.builder("t").capabilities("fs.read fs:/repo/a").build());
    f.graph.complete("t");
    assertThatThrownBy(() -> f.issuer.mint(f.graph.node("t"), Fixture.AUDIENCE))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.INACTIVE);
              assertThat(e.getMessage()).contains("'t'", "COMPLETED");
            });
    f.graph.revoke("s", "incident");
    assertThatThrownBy(() -> f.mintB1())
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> assertThat(e.error()).isEqualTo(IssuanceError.INACTIVE));
  }

  @Test
  void attenuate_forANodeThatEnded_isRefused_namingTheNodeAndItsState() {
    GrantToken parent = f.mintB1();
    f.graph.revoke("b1", "incident");
    assertThatThrownBy(
            () ->
                f.issuer.attenuate(
                    parent, CapabilitySet.parse("fs.read fs:/repo/a"), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.INACTIVE);
              assertThat(e.getMessage()).contains("'b1'", "REVOKED");
            });
  }

  @Test
  void attenuate_withoutARegistry_stillChecksTheNodeItMintedFor_live() {
    GrantIssuer plain =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .build();
    f.graph.spawn("b1", NodeSpec.builder("t").capabilities("fs.read fs:/repo/**").build());
    GrantToken parent = plain.mint(f.graph.node("t"), Fixture.AUDIENCE);
    assertThat(
            plain.attenuate(
                parent, CapabilitySet.parse("fs.read fs:/repo/a"), Duration.ofSeconds(5)))
        .isNotNull();
    f.graph.complete("b1"); // t completes with its parent; no registry hears of it here
    assertThatThrownBy(() -> plain.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.INACTIVE);
              assertThat(e.getMessage()).contains("'t'", "COMPLETED");
            });
  }

  @Test
  void attenuate_ofAGrantMintedElsewhere_needsARegistry_orAnExplicitOptOut() {
    GrantToken parent = f.mintB1(); // minted by another replica, as far as these issuers know
    GrantIssuer blind =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .build();
    assertThatThrownBy(() -> blind.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.UNAVAILABLE);
              assertThat(e.getMessage()).contains("'b1'");
            });
    GrantIssuer replica =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .revocations(f.revocations)
            .build();
    assertThat(replica.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)).nodeId())
        .isEqualTo("b1");
    GrantIssuer optedOut =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .withoutRevocationChecks()
            .build();
    f.graph.revoke("s", "incident");
    assertThatThrownBy(
            () -> replica.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.INACTIVE);
              assertThat(e.getMessage()).contains("'s'", "REVOKED");
            });
    // the documented cost of opting out: the revoked node's grant is still attenuated
    assertThat(optedOut.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)).nodeId())
        .isEqualTo("b1");
  }

  @Test
  void attenuate_whileTheRegistryIsNotCurrent_isRefusedAsUnavailable() {
    RevocationRegistry full = RevocationRegistry.inMemory(f.clock, Duration.ofMinutes(1), 1);
    full.revokeGrant("some-other-grant", Fixture.START.plus(Duration.ofHours(1)));
    try {
      full.revokeGrant("and-another", Fixture.START.plus(Duration.ofHours(1)));
    } catch (IllegalStateException expected) {
      assertThat(expected.getMessage()).contains("catchUp()");
    }
    assertThat(full.isCurrent()).isFalse();
    GrantIssuer replica =
        GrantIssuer.newBuilder()
            .signingKey(Fixture.ED)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .revocations(full)
            .build();
    GrantToken parent = f.mintB1();
    assertThatThrownBy(
            () -> replica.attenuate(parent, parent.capabilities(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> assertThat(e.error()).isEqualTo(IssuanceError.UNAVAILABLE));
  }

  @Test
  void grants_carryTheGraphId_andAttenuationsCopyIt() {
    GrantToken parent = f.mintB1();
    GrantToken child =
        f.issuer.attenuate(
            parent, CapabilitySet.parse("fs.read fs:/repo/a"), Duration.ofSeconds(5));
    assertThat(Fixture.claims(parent.compact())).containsEntry("gid", f.graph.id());
    assertThat(Fixture.claims(child.compact())).containsEntry("gid", f.graph.id());
    assertThat(f.verifier.verify(child.compact()).view().graphId()).isEqualTo(f.graph.id());
    // a grant without gid (minted without a graph) is scoped by its issuer
    Map<String, Object> c = new java.util.LinkedHashMap<>(Fixture.claims(parent.compact()));
    c.remove("gid");
    String t = Fixture.sign(Fixture.header(parent.compact()), c, Fixture.ED);
    assertThat(f.verifier.verify(t).view().graphId()).isEqualTo("iss:" + Fixture.ISSUER);
  }

  @Test
  void mint_past_theSizeBound_isRefused() {
    String[] caps = new String[200];
    for (int i = 0; i < caps.length; i++) {
      caps[i] = "fs.read fs:/repo/some/rather/long/directory/name/number-" + i + "/**";
    }
    f.graph.spawn("s", NodeSpec.builder("wide").capabilities(caps).build());
    assertThatThrownBy(() -> f.issuer.mint(f.graph.node("wide"), Fixture.AUDIENCE))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> assertThat(e.error()).isEqualTo(IssuanceError.TOO_LARGE));
  }

  @Test
  void es256_isSupported() {
    Fixture ec = new Fixture(Fixture.EC);
    GrantToken g = ec.mintB1();
    assertThat(Fixture.header(g.compact()))
        .containsEntry("alg", "ES256")
        .containsEntry("kid", "ec-1");
    VerifiedGrant v = ec.verifier.verify(g.compact());
    assertThat(v.algorithm()).isEqualTo(GrantAlgorithm.ES256);
    assertThat(ec.tools.authorize(g.compact(), "tool.call", "tool:github/create_issue").isPermit())
        .isTrue();
  }

  @Test
  void aMergeNodesGrant_carriesEveryAncestor() {
    f.graph.spawn(
        "s", NodeSpec.builder("b2").kind("batch").capabilities("fs.read fs:/repo/**").build());
    f.graph.join(
        List.of("b1", "b2"),
        NodeSpec.builder("m").kind("merge").capabilities("fs.read fs:/repo/docs/**").build());
    VerifiedGrant v =
        f.verifier.verify(f.issuer.mint(f.graph.node("m"), Fixture.AUDIENCE).compact());
    assertThat(v.path()).containsExactly("s", "b1", "m");
    assertThat(v.view().lineage())
        .extracting(ExecutionView.Lineage::id)
        .containsExactlyInAnyOrder("m", "b1", "b2", "s");
    assertThat(v.view().lineage().get(0).parents()).containsExactly("b1", "b2");
    // resource patterns by their equals: their segments are split lazily, on first use
    assertThat(GrantProperties.withoutOwnScope(v.view()))
        .usingRecursiveComparison()
        .withEqualsForType(ResourcePattern::equals, ResourcePattern.class)
        .ignoringFields("deadline")
        // capability sets compare by their canonical text, not by their (lazily filled) fields
        .withEqualsForType(Object::equals, io.execauthz.capability.CapabilitySet.class)
        .isEqualTo(f.graph.node("m").view());
  }

  @Test
  void builder_requiresKeyAndIssuer_andSetsEachOptionOnce() {
    assertThatThrownBy(() -> GrantIssuer.newBuilder().issuer("x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("signingKey");
    assertThatThrownBy(() -> GrantIssuer.newBuilder().issuer("x").issuer("y"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("issuer was already set");
    assertThatThrownBy(() -> GrantIssuer.newBuilder().maxLifetime(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.issuer.mint(f.graph.node("b1"), Fixture.AUDIENCE, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void grantWithoutTraceparent_getsATraceDerivedFromItsId() {
    Map<String, Object> c = new java.util.LinkedHashMap<>(Fixture.claims(f.mintB1().compact()));
    c.remove("traceparent");
    String t = Fixture.sign(Fixture.header(f.mintB1().compact()), c, Fixture.ED);
    VerifiedGrant v = f.verifier.verify(t);
    assertThat(v.traceparent()).isEmpty();
    assertThat(v.view().trace()).isEqualTo(f.verifier.verify(t).view().trace());
    assertThat(v.expiresAt()).isEqualTo(Instant.ofEpochSecond((Long) c.get("exp")));
  }
}
