package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue point 4: every Cedar error is a deny, never a permit. */
final class FailClosedTest {
  private static final PolicyTester.Request CALL =
      PolicyTester.request("user:alice", "tool.call", "tool:shell/exec");

  @Test
  void erroringForbid_deniesEvenWhenAPermitMatches() {
    // without a schema nothing stops a policy from reading an attribute that is not there;
    // cedar-java skips the erroring forbid and answers Allow — we answer deny, with the error
    PolicyTester t =
        PolicyTester.of(
            PolicyStore.newBuilder()
                .noSchema()
                .policies(
                    "p.cedar",
                    """
                    @id("allow-all") permit(principal, action, resource);
                    @id("no-force") forbid(principal, action, resource) when { context.args.force };
                    """)
                .build());
    CedarDecision d = t.assertError(CALL);
    assertThat(d.permitted()).isFalse();
    assertThat(d.errors())
        .singleElement()
        .asString()
        .startsWith(
            "policy 'no-force' (p.cedar:2) errored: record does not have the attribute `force`");
    t.assertDeniedBy(CALL.args(Map.of("force", true)), "no-force");
    t.assertPermittedBy(CALL.args(Map.of("force", false)), "allow-all");
  }

  @Test
  void contextTheSchemaRejects_isAnError() {
    String schema =
        PolicyStore.defaultSchema()
            .replace("  now: Long,\n};", "  now: Long,\n  args: { force: Bool },\n};");
    PolicyTester t =
        PolicyTester.of(
            PolicyStore.newBuilder()
                .schema("s.cedarschema", schema)
                .policies("p", "permit(principal, action, resource) unless { context.args.force };")
                .build());
    t.assertPermit(CALL.args(Map.of("force", false)));
    assertThat(t.assertError(CALL.args(Map.of("force", "yes"))).errors().get(0))
        .startsWith("request rejected:");
    t.assertError(CALL.args(Map.of()));
  }

  @Test
  void principalOrResourceTheSchemaRejects_isAnError() {
    PolicyTester t = PolicyTester.of("permit(principal, action, resource);");
    // tool.call applies to Tool resources only
    t.assertError(PolicyTester.request("user:a", "tool.call", "fs:/etc/passwd"));
    t.assertError(PolicyTester.request("user:a", "tool.call", "noscheme"));
  }

  @Test
  void errorsReachThePolicyDecision() {
    CedarPolicyEngine engine =
        CedarPolicyEngine.of(PolicyStore.of("permit(principal, action, resource);"));
    var d =
        engine.evaluate(PolicyTester.request("robot:x", "tool.call", "tool:t").toPolicyRequest());
    assertThat(d.permitted()).isFalse();
    assertThat(d.errors()).isNotEmpty();
    assertThat(engine.stats().rejectedRequests()).isEqualTo(1);
    assertThat(engine.stats().errors()).isEqualTo(1);
  }
}
