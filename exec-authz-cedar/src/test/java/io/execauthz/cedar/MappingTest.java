package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every mapping rule of CONTRACT §3, each checked by a policy that permits only if the mapping is
 * right, against the real native library and the default schema unless said otherwise.
 */
final class MappingTest {
  private static final String SCHEMA_WITH_ARGS =
      PolicyStore.defaultSchema()
          .replace(
              "type ExecContext = {",
              "type ToolArgs = { branch?: String, force?: Bool, retries?: Long, opts?: { mode: String } };\n"
                  + "type ToolContext = {\n  args: ToolArgs,\n  execution: Execution,\n  kind: String,\n"
                  + "  depth: Long,\n  approved: Bool,\n  delegators: Set<String>,\n  now: Long,\n};\n"
                  + "type ExecContext = {")
          .replace(
              "resource: [Tool],\n  context: ExecContext,",
              "resource: [Tool],\n  context: ToolContext,");

  private static PolicyTester tester(String policies) {
    return PolicyTester.of(policies);
  }

  private static PolicyTester noSchema(String policies) {
    return PolicyTester.of(
        PolicyStore.newBuilder().policies("p.cedar", policies).noSchema().build());
  }

  private static PolicyTester.Request call(String principal) {
    return PolicyTester.request(principal, "tool.call", "tool:github/create_issue")
        .node("s", "session")
        .node("batch-2", "batch")
        .node("t7", "task");
  }

  @Test
  void principal_userAgentWorkload_mapByPrefix() {
    PolicyTester t =
        tester(
            """
            @id("alice") permit(principal == User::"alice", action, resource);
            @id("planner") permit(principal == Agent::"planner", action, resource);
            @id("wl") permit(principal == Workload::"spiffe://acme.org/ns/prod/sa/coder", action, resource);
            """);
    t.assertPermittedBy(call("user:alice"), "alice");
    t.assertPermittedBy(call("agent:planner"), "planner");
    t.assertPermittedBy(call("spiffe://acme.org/ns/prod/sa/coder"), "wl");
    t.assertDeny(call("user:bob"));
    t.assertDeny(call("agent:alice"));
  }

  @Test
  void principal_withoutKnownPrefix_isAnError() {
    PolicyTester t = tester("permit(principal, action, resource);");
    CedarDecision d = t.assertError(call("service:x"));
    assertThat(d.errors().get(0)).contains("no Cedar mapping").contains("user:");
  }

  @Test
  void action_isActionEntityOfTheActionText() {
    PolicyTester t =
        tester(
            """
            permit(principal, action == Action::"fs.read", resource);
            """);
    t.assertPermit(PolicyTester.request("user:alice", "fs.read", "fs:/repo/a.md"));
    t.assertDeny(PolicyTester.request("user:alice", "fs.write", "fs:/repo/a.md"));
  }

  @Test
  void resource_typeByScheme_idAfterFirstColon() {
    PolicyTester t =
        tester(
            """
            @id("tool") permit(principal, action, resource == Tool::"github/create_issue");
            @id("path") permit(principal, action, resource == Path::"/repo/src/a.java");
            @id("host") permit(principal, action, resource == Host::"api.example.com:443");
            @id("secret") permit(principal, action, resource == Secret::"GITHUB_TOKEN");
            """);
    t.assertPermittedBy(
        PolicyTester.request("user:a", "tool.call", "tool:github/create_issue"), "tool");
    t.assertPermittedBy(PolicyTester.request("user:a", "fs.write", "fs:/repo/src/a.java"), "path");
    t.assertPermittedBy(
        PolicyTester.request("user:a", "net.connect", "net:api.example.com:443"), "host");
    t.assertPermittedBy(
        PolicyTester.request("user:a", "secret.read", "secret:GITHUB_TOKEN"), "secret");
    t.assertDeny(PolicyTester.request("user:a", "tool.call", "tool:github/delete_repo"));
  }

  @Test
  void resource_unknownScheme_isResourceEntity() {
    PolicyTester t = noSchema("permit(principal, action, resource == Resource::\"queue/jobs:1\");");
    t.assertPermit(PolicyTester.request("user:a", "mq.send", "mq:queue/jobs:1"));
    t.assertDeny(PolicyTester.request("user:a", "mq.send", "mq:queue/other"));
  }

  @Test
  void execution_entityHierarchy_followsLineage() {
    PolicyTester t =
        tester(
            """
            permit(principal, action, resource) when { context.execution in Execution::"batch-2" };
            """);
    t.assertPermit(call("user:alice"));
    t.assertPermit(
        PolicyTester.request("user:alice", "tool.call", "tool:x")
            .node("s", "session")
            .node("batch-2", "batch"));
    t.assertDeny(
        PolicyTester.request("user:alice", "tool.call", "tool:x")
            .node("s", "session")
            .node("batch-3", "batch")
            .node("t8", "task"));
  }

  @Test
  void execution_attributes_kindAndDepth_ofNodeAndAncestors() {
    PolicyTester t =
        tester(
            """
            permit(principal, action, resource) when {
              context.execution.kind == "task" && context.execution.depth == 2 &&
              Execution::"batch-2".kind == "batch" && Execution::"batch-2".depth == 1 &&
              Execution::"s".depth == 0
            };
            """);
    t.assertPermit(call("user:alice"));
  }

  @Test
  void entitySlice_holdsOnlyNodeAndAncestors() {
    // an entity outside the lineage is not sent: reading it is an evaluation error, so a deny
    PolicyTester t =
        tester(
            """
            permit(principal, action, resource) when { Execution::"batch-3".kind == "batch" };
            """);
    t.assertError(call("user:alice"));
  }

  @Test
  void context_kindDepthApprovedNow() {
    PolicyTester t =
        tester(
            """
            permit(principal, action, resource) when {
              context.kind == "task" && context.depth <= 3 && context.approved && context.now == 1767225600
            };
            """);
    PolicyTester.Request r = call("user:alice").at(Instant.parse("2026-01-01T00:00:00Z"));
    t.assertDeny(r);
    t.assertPermit(r.approved());
    PolicyTester.Request deep = r.node("d3", "task").node("d4", "task").approved(); // depth 4
    t.assertDeny(deep);
  }

  @Test
  void context_delegators_areTheTextFormsRootDown() {
    PolicyTester t =
        tester(
            """
            permit(principal, action, resource) when {
              context.delegators.contains("user:alice") && context.delegators.contains("agent:planner")
            };
            """);
    t.assertPermit(call("agent:coder").delegators("user:alice", "agent:planner", "agent:coder"));
    t.assertDeny(call("agent:coder").delegators("user:bob", "agent:planner"));
  }

  @Test
  void context_args_withoutSchema() {
    PolicyTester t =
        noSchema(
            """
            permit(principal, action, resource) when {
              context.args.branch == "main" && context.args.retries == 3 &&
              context.args.opts.mode == "fast" && context.args.tags.contains("x") &&
              context.args.ratio == decimal("0.25")
            };
            """);
    Map<String, Object> args =
        Map.of(
            "branch",
            "main",
            "retries",
            3,
            "opts",
            Map.of("mode", "fast"),
            "tags",
            List.of("x", "y"),
            "ratio",
            0.25);
    t.assertPermit(call("user:alice").args(args));
    t.assertDeny(call("user:alice").args(Map.of("branch", "dev")));
  }

  @Test
  void context_args_withUserSchemaDeclaringThem() {
    PolicyTester t =
        PolicyTester.of(
            PolicyStore.newBuilder()
                .schema("tools.cedarschema", SCHEMA_WITH_ARGS)
                .policies(
                    "p.cedar",
                    """
                    permit(principal, action == Action::"tool.call", resource)
                    when { context.args has branch && context.args.branch == "main" };
                    permit(principal, action == Action::"fs.read", resource);
                    """)
                .build());
    t.assertPermit(call("user:alice").args(Map.of("branch", "main")));
    t.assertDeny(call("user:alice").args(Map.of("branch", "dev")));
    t.assertDeny(call("user:alice"));
    // a type the schema does not allow: fail closed
    t.assertError(call("user:alice").args(Map.of("branch", 42)));
    // fs.read declares no args: they are not sent, so validation passes
    t.assertPermit(
        PolicyTester.request("user:a", "fs.read", "fs:/x").args(Map.of("anything", "goes")));
  }

  @Test
  void context_args_notDeclaredByDefaultSchema_areNotSent() {
    PolicyTester t = tester("permit(principal, action, resource) when { context.depth >= 0 };");
    t.assertPermit(call("user:alice").args(Map.of("branch", "main")));
  }

  @Test
  void identifiers_neverInject() {
    PolicyTester t =
        tester(
            """
            permit(principal, action, resource == Tool::"github/read");
            """);
    // text that would widen the permit if it were spliced into policy or entity text
    t.assertDeny(PolicyTester.request("user:a", "tool.call", "tool:github/read\" || true || \""));
    t.assertDeny(
        PolicyTester.request(
            "user:a", "tool.call", "tool:x\"); permit(principal, action, resource"));
    t.assertDeny(PolicyTester.request("user:a\"", "tool.call", "tool:github/readx"));
    PolicyTester same = tester("permit(principal == User::\"a\\\" || \\\"\", action, resource);");
    same.assertPermit(PolicyTester.request("user:a\" || \"", "tool.call", "tool:t"));
    same.assertDeny(PolicyTester.request("user:a", "tool.call", "tool:t"));
  }

  @Test
  void undeclaredAction_withDefaultSchema_isAnError() {
    PolicyTester t = tester("permit(principal, action, resource);");
    t.assertError(PolicyTester.request("user:a", "db.drop", "tool:x"));
  }
}
