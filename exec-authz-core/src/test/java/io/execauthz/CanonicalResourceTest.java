package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reproductions of issue 9 item 6 ("resources are matched as text"), each through a real {@link
 * Authorizer} on a real {@link ExecutionGraph}: no spelling of a resource may reach further than
 * its canonical form.
 */
final class CanonicalResourceTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final ExecutionGraph graph =
      ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(7)).build();

  private Authorizer authorizer(PolicyEngine engine) {
    return Authorizer.newBuilder().graph(graph).policyEngine(engine).build();
  }

  private static Decision.Deny assertDeny(Decision d, Reason reason) {
    assertThat(d).as("decision").isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) d;
    assertThat(deny.reason()).as("reason of %s", deny).isEqualTo(reason);
    return deny;
  }

  /** A writer holding fs.write on fs:/repo/src/** only. */
  private void srcWriter() {
    graph.spawn(
        NodeSpec.builder("w")
            .principal("user:alice")
            .capabilities("fs.write fs:/repo/src/**")
            .build());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fs:/repo/src/%2e%2e/%2e%2e/etc/passwd",
        "fs:/repo/src/%2E%2E/%2E%2E/etc/passwd",
        "fs:/repo/src/..\\..\\etc\\passwd",
        "fs:/repo/src/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "fs:/repo/src/a/%2e%2e%5c%2e%2e%5c..%5cetc%5cpasswd",
      })
  void fsWrite_escapedOrBackslashedTraversal_neverLeavesTheCapability(String resource) {
    srcWriter();

    Decision.Deny d =
        assertDeny(
            authorizer(PolicyEngine.permitAll()).authorize("w", "fs.write", resource),
            Reason.ERROR);

    assertThat(d.detail()).contains("not in canonical form").contains("position");
  }

  @Test
  void fsWrite_plainPathInsideTheCapability_isStillPermitted() {
    srcWriter();

    assertThat(
            authorizer(PolicyEngine.permitAll())
                .authorize("w", "fs.write", "fs:/repo/src/main/App.java"))
        .isInstanceOf(Decision.Permit.class);
  }

  /** s holds the repo; b1 claims fs:/repo/src/**; b2, a sibling, holds the same authority. */
  private void claimedSrc() {
    graph.spawn(
        NodeSpec.builder("s").principal("user:alice").capabilities("fs.* fs:/repo/**").build());
    graph.spawn(
        "s",
        NodeSpec.builder("b1").capabilities("fs.* fs:/repo/**").claims("fs:/repo/src/**").build());
    graph.spawn("s", NodeSpec.builder("b2").capabilities("fs.* fs:/repo/**").build());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fs:/repo/%73rc/b.java",
        "fs:/repo/src%2fb.java",
        "fs:/repo/sr%63/b.java",
        "fs:/repo/src\\b.java",
        "fs:/repo/./src/b.java",
        "fs:/repo/x/../src/b.java",
      })
  void siblingWrite_escapedSpellingOfAClaimedPath_neverWritesAroundTheClaim(String resource) {
    claimedSrc();
    Authorizer authz = authorizer(PolicyEngine.permitAll());

    Decision d = authz.authorize("b2", "fs.write", resource);

    assertThat(d).as("decision on %s", resource).isInstanceOf(Decision.Deny.class);
    assertThat(((Decision.Deny) d).reason()).isIn(Reason.ERROR, Reason.CLAIMED);
    assertDeny(authz.authorize("b2", "fs.write", "fs:/repo/src/b.java"), Reason.CLAIMED);
  }

  /** The stand-in for {@code forbid (...) when { resource == Path::"/repo/src/.env" }}. */
  private static final PolicyEngine FORBID_DOT_ENV =
      request ->
          request.resource().equals("fs:/repo/src/.env")
              ? new PolicyDecision(false, List.of("forbid-dot-env"), List.of())
              : new PolicyDecision(true, List.of("permit-all"), List.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fs:/repo/src/%2eenv",
        "fs:/repo/src/%2Eenv",
        "fs:/repo/src/.%65nv",
        "fs:/repo/src/.e\u0000nv",
        "fs:/repo/src/.en\u200bv",
        "FS:/repo/src/.env",
      })
  void policyForbidOnAPath_isNotBypassedByAnotherSpelling(String resource) {
    srcWriter();
    Authorizer authz = authorizer(FORBID_DOT_ENV);

    Decision d = authz.authorize("w", "fs.write", resource);

    assertThat(d).as("decision on %s", resource).isInstanceOf(Decision.Deny.class);
    assertThat(((Decision.Deny) d).reason()).isIn(Reason.ERROR, Reason.POLICY);
    assertDeny(authz.authorize("w", "fs.write", "fs:/repo/src/.env"), Reason.POLICY);
  }
}
