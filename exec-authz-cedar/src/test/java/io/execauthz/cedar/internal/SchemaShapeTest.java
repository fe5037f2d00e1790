package io.execauthz.cedar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.cedar.PolicyStore;
import org.junit.jupiter.api.Test;

/**
 * Which requests may leave the schema out ({@link SchemaInfo#mayOmit}): only those the schema types
 * exactly as the mapping does. Every variation that would make the schema matter (a declared {@code
 * args}, an optional or extra attribute, an enumerated type, an action group, a namespace) keeps
 * the schema in the call.
 */
final class SchemaShapeTest {
  private static final String DEFAULT = PolicyStore.defaultSchema();

  private static SchemaInfo parse(String text) {
    return SchemaInfo.parse("test", text);
  }

  @Test
  void theDefaultSchema_mayBeOmittedForTheTypesItAllows() {
    SchemaInfo s = parse(DEFAULT);
    assertThat(s.actionGroups()).isFalse();
    assertThat(s.mayOmit("tool.call", "Agent", "Tool")).isTrue();
    assertThat(s.mayOmit("tool.call", "User", "Tool")).isTrue();
    assertThat(s.mayOmit("fs.write", "Workload", "Path")).isTrue();
    assertThat(s.mayOmit("secret.read", "Agent", "Secret")).isTrue();
  }

  @Test
  void aRequestTheSchemaWouldReject_keepsTheSchema() {
    SchemaInfo s = parse(DEFAULT);
    assertThat(s.mayOmit("tool.call", "Agent", "Path")).isFalse(); // wrong resource type
    assertThat(s.mayOmit("fs.read", "Agent", "Resource")).isFalse();
    assertThat(s.mayOmit("custom.do", "Agent", "Resource")).isFalse(); // undeclared action
  }

  @Test
  void anActionDeclaringArgs_keepsTheSchema() {
    SchemaInfo s =
        parse(
            DEFAULT
                + "action \"custom.do\" appliesTo { principal: [Agent], resource: [Resource],"
                + " context: { execution: Execution, kind: String, depth: Long, approved: Bool,"
                + " delegators: Set<String>, now: Long, args: { n: Long } } };");
    assertThat(s.mayOmit("custom.do", "Agent", "Resource")).isFalse();
    assertThat(s.mayOmit("tool.call", "Agent", "Tool")).isTrue();
  }

  @Test
  void aContextTypedOtherwise_keepsTheSchema() {
    String[] contexts = {
      // optional attribute
      "{ execution: Execution, kind?: String, depth: Long, approved: Bool, delegators: Set<String>, now: Long }",
      // a different type
      "{ execution: Execution, kind: String, depth: Long, approved: Bool, delegators: Set<Long>, now: Long }",
      // an attribute missing
      "{ execution: Execution, kind: String, depth: Long, approved: Bool, now: Long }",
      // an extension type
      "{ execution: Execution, kind: String, depth: Long, approved: Bool, delegators: Set<String>, now: Long, ip: ipaddr }",
      // no context at all
      null
    };
    for (String c : contexts) {
      String text =
          DEFAULT
              + "action \"custom.do\" appliesTo { principal: [Agent], resource: [Resource]"
              + (c == null ? "" : ", context: " + c)
              + " };";
      assertThat(parse(text).mayOmit("custom.do", "Agent", "Resource")).as(text).isFalse();
    }
  }

  @Test
  void anExecutionTypeOtherThanTheDefault_keepsTheSchemaForEveryAction() {
    SchemaInfo s =
        parse(DEFAULT.replace("  depth: Long,\n};", "  depth: Long,\n  owner: String,\n};"));
    assertThat(s.mayOmit("tool.call", "Agent", "Tool")).isFalse();
  }

  @Test
  void anEnumeratedResourceType_keepsTheSchema() {
    SchemaInfo s =
        parse(
            DEFAULT.replace(
                "entity Tool, Path,", "entity Tool enum [\"a\", \"b\"];\nentity Path,"));
    assertThat(s.mayOmit("tool.call", "Agent", "Tool")).isFalse();
    assertThat(s.mayOmit("fs.read", "Agent", "Path")).isTrue();
  }

  @Test
  void actionGroups_keepTheSchemaForEveryAction() {
    SchemaInfo s =
        parse(
            DEFAULT.replace(
                "action \"tool.call\" appliesTo",
                "action \"all\";\naction \"tool.call\" in [\"all\"] appliesTo"));
    assertThat(s.actionGroups()).isTrue();
    assertThat(s.mayOmit("tool.call", "Agent", "Tool")).isFalse();
    assertThat(s.mayOmit("fs.read", "Agent", "Path")).isFalse();
  }

  @Test
  void aNamespacedSchema_keepsTheSchema() {
    SchemaInfo s = parse("namespace Acme {\n" + DEFAULT + "\n}");
    assertThat(s.mayOmit("tool.call", "Agent", "Tool")).isFalse();
    assertThat(s.actionGroups()).isTrue();
  }

  @Test
  void commonTypeAliases_areResolved() {
    String context =
        "{ execution: Execution, kind: Str, depth: Num, approved: Bool, delegators: Set<Str>,"
            + " now: Num }";
    String action =
        "action \"custom.do\" appliesTo { principal: [Agent], resource: [Resource], context: "
            + context
            + " };";
    assertThat(
            parse("type Str = String;\ntype Num = Long;\n" + DEFAULT + action)
                .mayOmit("custom.do", "Agent", "Resource"))
        .as("aliases of the mapping's types")
        .isTrue();
    assertThat(
            parse("type Str = String;\ntype Num = String;\n" + DEFAULT + action)
                .mayOmit("custom.do", "Agent", "Resource"))
        .as("a number typed as a string")
        .isFalse();
  }
}
