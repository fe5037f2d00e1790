package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 3: what a policy set reads is found from its parsed form, so no spelling of {@code
 * now} hides a read of the time, and no mention of the word invents one.
 */
final class PolicyReadsTest {

  private static PolicyReads reads(String... conditions) {
    StringBuilder sb = new StringBuilder();
    for (String c : conditions) {
      sb.append("permit(principal, action, resource) when { ").append(c).append(" };\n");
    }
    try (PolicyStore store =
        PolicyStore.newBuilder().noSchema().policies("p", sb.toString()).build()) {
      return store.policyReads();
    }
  }

  @Test
  void escapedSpellingsOfNow_readTheTime() {
    for (String c :
        List.of(
            "context.now > 0",
            "context[\"now\"] > 0",
            "context[\"\\u{6e}ow\"] > 0",
            "context[\"\\x6eow\"] > 0",
            "context[\"\\u{6E}\\u{6F}\\u{77}\"] > 0",
            "context has now",
            "context has \"\\x6eow\"")) {
      PolicyReads r = reads(c);
      assertThat(r.readsTime()).as(c).isTrue();
      assertThat(r.allContext()).as(c).isFalse();
      assertThat(r.contextPaths()).as(c).containsExactly(List.of("now"));
    }
  }

  @Test
  void theWordNowInStringsCommentsAndArgs_doesNotReadTheTime() {
    PolicyReads r =
        reads(
            "context.kind == \"now\" // now, right now\n",
            "context.args.now == 1 && context.args has now",
            "context.args[\"\\x6eow\"] == 2");
    assertThat(r.readsTime()).isFalse();
    assertThat(r.contextPaths()).containsExactlyInAnyOrder(List.of("kind"), List.of("args", "now"));
  }

  @Test
  void contextUsedAsAWhole_readsEverything() {
    for (String c :
        List.of(
            "context == {}",
            "{a: context}.a has x",
            "[context].contains(context)",
            "(if true then context else {}).depth > 1",
            "context has surprise")) {
      PolicyReads r = reads(c);
      assertThat(r.allContext()).as(c).isTrue();
      assertThat(r.readsTime()).as(c).isTrue();
      assertThat(r.mayReadContext("anything", "at", "all")).as(c).isTrue();
    }
  }

  @Test
  void like_has_ifThenElse_setsAndRecords_readWhatTheyName() {
    PolicyReads r =
        reads(
            "context.args.repo like \"acme/*\"",
            "context.args has branch",
            "if context.approved then context.depth > 2 else principal.team == \"ops\"",
            "[context.kind, \"x\"].contains(\"y\")",
            "{flags: context.args.flags, n: 1}.n == 1",
            "context.delegators.containsAny([\"user:alice\"])");
    assertThat(r.allContext()).isFalse();
    assertThat(r.contextPaths())
        .containsExactlyInAnyOrder(
            List.of("args", "repo"),
            List.of("args", "branch"),
            List.of("args", "flags"),
            List.of("approved"),
            List.of("depth"),
            List.of("kind"),
            List.of("delegators"));
    assertThat(r.contextFields())
        .containsExactlyInAnyOrder("args", "approved", "depth", "kind", "delegators");
    assertThat(r.readsTime()).isFalse();
    assertThat(r.mayReadContext("args")).isTrue();
    assertThat(r.mayReadContext("args", "repo", "name")).isTrue();
    assertThat(r.mayReadContext("args", "force")).isFalse();
    assertThat(r.mayReadContext("execution")).isFalse();
    assertThat(r.entityAttributes()).containsExactly("team");
    assertThat(r.entityHierarchy()).isFalse();
  }

  @Test
  void aWholeRecordCoversItsFields() {
    PolicyReads r = reads("context.args.repo == \"x\"", "context.args == {}");
    assertThat(r.contextPaths()).containsExactly(List.of("args"));
  }

  @Test
  void execution_isAnEntity_itsAttributesAndAncestryAreEntityReads() {
    PolicyReads r =
        reads("context.execution.kind == \"batch\"", "context.execution in Execution::\"b-1\"");
    assertThat(r.contextPaths()).containsExactly(List.of("execution"));
    assertThat(r.entityAttributes()).containsExactly("kind");
    assertThat(r.entityHierarchy()).isTrue();
    assertThat(r.readsTime()).isFalse();
  }

  @Test
  void extensionCallsOverContext_readTheirArguments() {
    PolicyReads r =
        reads(
            "decimal(\"1.5\").lessThan(decimal(\"2.0\"))",
            "ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))",
            "context.args.limit.lessThan(decimal(\"9.5\"))");
    assertThat(r.contextPaths()).containsExactly(List.of("args", "limit"));
    assertThat(r.readsTime()).isFalse();
  }

  @Test
  void tags_readAnyEntityAttribute() {
    PolicyReads r = reads("principal.hasTag(\"x\")");
    assertThat(r.allEntityAttributes()).isTrue();
    assertThat(r.mayReadEntityAttribute("whatever")).isTrue();
  }

  @Test
  void scopeIn_isAnAncestryRead_andPoliciesWithoutConditionsReadNothing() {
    try (PolicyStore s =
        PolicyStore.of(
            "permit(principal, action == Action::\"tool.call\", resource == Tool::\"x\");")) {
      assertThat(s.policyReads()).isEqualTo(PolicyReads.nothing());
      assertThat(s.readsTime()).isFalse();
    }
    try (PolicyStore s =
        PolicyStore.of("permit(principal in User::\"admins\", action, resource);")) {
      assertThat(s.policyReads().entityHierarchy()).isTrue();
    }
  }

  @Test
  void theSetReadsTheUnionOfItsPolicies_andTheEngineSaysSo() {
    try (PolicyStore store =
        PolicyStore.of(
            """
            @id("a") permit(principal, action, resource) when { context.depth < 3 };
            @id("b") forbid(principal, action, resource) when { context["\\u{6e}ow"] > 5 };
            """)) {
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      assertThat(engine.readsTime()).isTrue();
      assertThat(engine.policyReads().contextPaths())
          .containsExactlyInAnyOrder(List.of("depth"), List.of("now"));
    }
  }

  @Test
  void value_copiesNormalizesAndValidates() {
    PolicyReads r =
        new PolicyReads(
            false,
            Set.of(List.of("args"), List.of("args", "x"), List.of("now")),
            false,
            Set.of("kind"),
            false);
    assertThat(r.contextPaths()).containsExactlyInAnyOrder(List.of("args"), List.of("now"));
    assertThat(PolicyReads.everything().readsTime()).isTrue();
    assertThat(PolicyReads.nothing().readsTime()).isFalse();
    assertThat(r.union(PolicyReads.everything())).isEqualTo(PolicyReads.everything());
    assertThatThrownBy(() -> new PolicyReads(false, Set.of(List.of()), false, Set.of(), false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
