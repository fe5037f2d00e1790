package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.NodeSpec;
import io.execauthz.capability.CapabilitySet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class GrantVerifierTest {
  private final Fixture f = new Fixture();

  private GrantVerifier.Builder builder() {
    return GrantVerifier.newBuilder()
        .keys(PublicKeySet.of(Fixture.ED, Fixture.EC))
        .issuer(Fixture.ISSUER)
        .audience(Fixture.AUDIENCE)
        .clock(f.clock)
        .revocations(f.revocations);
  }

  @Test
  void aGrantPresentedAgain_isServedFromTheCache() {
    String g = f.mintB1().compact();
    VerifiedGrant first = f.verifier.verify(g);
    assertThat(f.verifier.verify(g)).isSameAs(first); // no second signature check or parse
    assertThat(f.verifier.cachedGrants()).isEqualTo(1);

    GrantVerifier uncached = builder().cacheSize(0).build();
    assertThat(uncached.verify(g)).isNotSameAs(uncached.verify(g));
    assertThat(uncached.cachedGrants()).isZero();
  }

  @Test
  void theCache_neverServesAGrantPastItsExp() {
    String g = f.mintB1().compact();
    f.verifier.verify(g);
    f.clock.advance(Duration.ofMinutes(5).plusSeconds(4));
    assertThat(f.verifier.verify(g)).isNotNull();
    f.clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> f.verifier.verify(g))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.EXPIRED));
    assertThat(f.verifier.cachedGrants()).isZero();
  }

  @Test
  void theCache_isBounded() {
    GrantVerifier small = builder().cacheSize(3).build();
    for (int i = 0; i < 10; i++) {
      small.verify(f.issuer.mint(f.graph.node("b1"), Fixture.AUDIENCE).compact());
      assertThat(small.cachedGrants()).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void rotation_bothKeysVerifyDuringTheOverlap_thenTheOldOneIsRetired() {
    SigningKey next = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-2");
    PublicKeySet overlap = PublicKeySet.of(Fixture.ED).with(next);
    GrantIssuer rotated =
        GrantIssuer.newBuilder()
            .signingKey(next)
            .issuer(Fixture.ISSUER)
            .clock(f.clock)
            .trustedKeys(PublicKeySet.of(Fixture.ED))
            .build();
    assertThat(rotated.publicKeys().kids()).containsExactly("ed-1", "ed-2");
    String old = f.mintB1().compact();
    String fresh = rotated.mint(f.graph.node("b1"), Fixture.AUDIENCE).compact();
    GrantVerifier v = builder().build().withKeys(overlap);
    assertThat(v.verify(old).keyId()).isEqualTo("ed-1");
    assertThat(v.verify(fresh).keyId()).isEqualTo("ed-2");
    // an old-key grant can still be attenuated (re-signed with the new key) during the overlap
    GrantToken child =
        rotated.attenuate(old, CapabilitySet.parse("fs.read fs:/repo/x"), Duration.ofMinutes(1));
    assertThat(v.verify(child.compact()).keyId()).isEqualTo("ed-2");

    GrantVerifier retired = v.withKeys(overlap.retire("ed-1", f.clock.instant()));
    assertThatThrownBy(() -> retired.verify(old))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.RETIRED_KEY));
    assertThat(retired.verify(fresh).keyId()).isEqualTo("ed-2");
    GrantVerifier dropped = v.withKeys(overlap.without("ed-1"));
    assertThatThrownBy(() -> dropped.verify(old))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.UNKNOWN_KEY));
  }

  @Test
  void theAlgorithmAllowlist_canBeNarrowed() {
    GrantVerifier edOnly = builder().algorithms(GrantAlgorithm.EDDSA).build();
    String es = new Fixture(Fixture.EC).mintB1().compact();
    assertThatThrownBy(() -> edOnly.verify(es))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> {
              assertThat(e.check()).isEqualTo(GrantCheck.ALGORITHM);
              assertThat(e.getMessage()).contains("accepts [EdDSA]");
            });
  }

  @Test
  void skew_andSizeBound_areConfigurable_withinBounds() {
    GrantVerifier strict = builder().clockSkew(Duration.ZERO).maxTokenSize(512).build();
    String g = f.mintB1().compact();
    assertThatThrownBy(() -> strict.verify(g))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.OVERSIZED));
    GrantVerifier noSkew = builder().clockSkew(Duration.ZERO).build();
    f.clock.advance(Duration.ofMinutes(5));
    assertThatThrownBy(() -> noSkew.verify(g))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.EXPIRED));
    assertThatThrownBy(() -> builder().clockSkew(Duration.ofMinutes(6)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clockSkew");
    assertThatThrownBy(() -> builder().maxTokenSize(10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_namesWhatIsMissing_andSetsEachOptionOnce() {
    assertThatThrownBy(() -> GrantVerifier.newBuilder().issuer("i").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[keys, audience]");
    assertThatThrownBy(() -> builder().clock(f.clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clock was already set");
  }

  @Test
  void aRequestForAnotherNode_isRefused() {
    f.graph.spawn("s", NodeSpec.builder("b2").capabilities("fs.read fs:/repo/**").build());
    String g = f.mintB1().compact();
    assertThat(
            f.tools.authorize(
                g, io.execauthz.AuthorizationRequest.of("b2", "fs.read", "fs:/repo/a")))
        .isInstanceOfSatisfying(
            io.execauthz.Decision.Deny.class,
            d -> {
              assertThat(d.reason()).isEqualTo(io.execauthz.Reason.INVALID_GRANT);
              assertThat(d.detail()).startsWith("NODE");
            });
    assertThat(
            f.tools
                .authorize(g, io.execauthz.AuthorizationRequest.of("b1", "fs.read", "fs:/repo/a"))
                .isPermit())
        .isTrue();
  }

  @Test
  void approvalAndArgs_reachThePipeline() {
    GrantToken g =
        f.issuer.attenuate(
            f.graph.node("b1"),
            Fixture.AUDIENCE,
            CapabilitySet.parse("tool.call tool:github/create_pr approval"),
            Duration.ofMinutes(1));
    assertThat(f.tools.authorize(g.compact(), "tool.call", "tool:github/create_pr"))
        .isInstanceOfSatisfying(
            io.execauthz.Decision.Deny.class,
            d -> assertThat(d.reason()).isEqualTo(io.execauthz.Reason.APPROVAL_REQUIRED));
    assertThat(
            f.tools
                .authorize(
                    g.compact(),
                    "tool.call",
                    "tool:github/create_pr",
                    java.util.Map.of("branch", "x"),
                    true)
                .isPermit())
        .isTrue();
    assertThat(f.audit.get(f.audit.size() - 1).grantId()).isEqualTo(g.id());
    assertThat(f.audit.get(f.audit.size() - 1).delegators())
        .containsExactly("user:alice", "agent:planner");
  }
}
