package io.execauthz.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.support.ToolCallbacks;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.annotation.Tool;

/**
 * Spring AI's own agent loop ({@code ChatClient} with its {@code ToolCallingAdvisor} and {@code
 * DefaultToolCallingManager}) driven by a scripted chat model.
 */
final class ExecAuthzToolCallbacksTest {

  /** Tools that count their runs, so a test can prove a refused call never reached them. */
  static final class RepoTools {
    final List<String> ran = new CopyOnWriteArrayList<>();

    @Tool(description = "Searches the code")
    String search(String query) {
      ran.add("search " + query);
      return "3 hits for " + query;
    }

    @Tool(description = "Reads a file")
    String read_file(String path) {
      ran.add("read_file " + path);
      return "contents of " + path;
    }

    @Tool(description = "Deletes the repository")
    String delete_repo() {
      ran.add("delete_repo");
      return "deleted";
    }
  }

  private ExecutionGraph graph;
  private Authorizer authorizer;
  private final List<AuditRecord> audit = new ArrayList<>();
  private RepoTools repo;
  private ExecAuthzToolCallbacks tools;

  @BeforeEach
  void setUp() {
    graph = ExecutionGraph.newBuilder().build();
    AuditSink sink = audit::add;
    authorizer =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(PolicyEngine.permitAll())
            .auditSink(sink)
            .build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities(
                "tool.call tool:repo/search",
                "tool.call tool:repo/read_file",
                "tool.call tool:lead/*")
            .ttl(Duration.ofHours(1))
            .build());
    repo = new RepoTools();
    tools =
        ExecAuthzToolCallbacks.newBuilder()
            .authorizer(authorizer)
            .toolset("repo")
            .toolCallbacks(ToolCallbacks.from(repo))
            .build();
  }

  /** A chat client whose tool calling manager resolves unshown tools through the guard. */
  private static ChatClient client(ScriptedChatModel model, ExecAuthzToolCallbacks guard) {
    return ChatClient.builder(model)
        .defaultAdvisors(
            ToolCallingAdvisor.builder()
                .toolCallingManager(
                    DefaultToolCallingManager.builder()
                        .toolCallbackResolver(guard.resolver())
                        .resolutionFallbackEnabled(true)
                        .build())
                .build())
        .build();
  }

  private String run(ScriptedChatModel model, String node) {
    return client(model, tools)
        .prompt("go")
        .tools(tools.visibleTo(node))
        .toolContext(ExecAuthzToolCallbacks.toolContext(node))
        .call()
        .content();
  }

  @Test
  void model_isShownExactlyTheNodesCallableTools() {
    ScriptedChatModel model = new ScriptedChatModel().answer("nothing to do");

    run(model, "session");

    assertThat(model.shown).hasSize(1);
    assertThat(model.shown.get(0)).containsExactlyInAnyOrder("search", "read_file");
  }

  @Test
  void permittedCall_runs_andTheModelReadsItsResult() {
    ScriptedChatModel model =
        new ScriptedChatModel().call("search", "{\"query\":\"TODO\"}").answer("found them");

    String out = run(model, "session");

    assertThat(out).isEqualTo("found them");
    assertThat(repo.ran).containsExactly("search TODO");
    assertThat(model.toolResults).hasSize(1);
    assertThat(model.toolResults.get(0)).contains("3 hits for TODO");
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).resource()).isEqualTo("tool:repo/search");
    assertThat(audit.get(0).permitted()).isTrue();
  }

  @Test
  void outOfScopeCall_neverReachesTheTool_andTheModelReadsTheAuditedReason() {
    ScriptedChatModel model =
        new ScriptedChatModel()
            .call("delete_repo", "{}")
            .call("no_such_tool", "{}")
            .call("search", "{\"query\":\"x\"}")
            .answer("re-planned");

    String out = run(model, "session");

    assertThat(out).isEqualTo("re-planned");
    assertThat(repo.ran).containsExactly("search x");
    assertThat(model.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(model.toolResults.get(1)).startsWith("DENY OUT_OF_SCOPE: ").contains("no_such_tool");
    assertThat(audit)
        .extracting(AuditRecord::resource, AuditRecord::permitted)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("tool:repo/delete_repo", false),
            org.assertj.core.groups.Tuple.tuple("tool:repo/no_such_tool", false),
            org.assertj.core.groups.Tuple.tuple("tool:repo/search", true));
  }

  @Test
  void shownToolRevokedWhileTheModelThinks_isRefusedWithTheReason() {
    graph.spawn(
        "session",
        NodeSpec.builder("reader").capabilities("tool.call tool:repo/read_file").build());
    ScriptedChatModel model =
        new ScriptedChatModel()
            .call("read_file", "{\"path\":\"a.txt\"}")
            .meanwhile(() -> graph.revoke("reader", "operator stopped it"))
            .call("read_file", "{\"path\":\"b.txt\"}")
            .answer("stopped");

    String out = run(model, "reader");

    assertThat(out).isEqualTo("stopped");
    assertThat(model.shown.get(0)).containsExactly("read_file");
    assertThat(repo.ran).containsExactly("read_file a.txt");
    assertThat(model.toolResults).hasSize(2);
    assertThat(model.toolResults.get(1)).startsWith("DENY REVOKED: ");
  }

  /** A parent agent whose one tool runs a sub-agent in a narrower child node. */
  static final class Delegating {
    final ExecutionGraph graph;
    final ChatClient researcher;
    final ExecAuthzToolCallbacks researcherTools;
    final List<String> childIds = new ArrayList<>();
    final List<NodeState> childStateDuringCall = new ArrayList<>();

    Delegating(ExecutionGraph graph, ChatClient researcher, ExecAuthzToolCallbacks tools) {
      this.graph = graph;
      this.researcher = researcher;
      this.researcherTools = tools;
    }

    @Tool(description = "Researches a question with a sub-agent that may only search")
    String research(String question, ToolContext caller) {
      String id = "research-" + childIds.size();
      childIds.add(id);
      try (NodeScope child =
          NodeScope.open(
              graph,
              caller,
              NodeSpec.builder(id).capabilities("tool.call tool:repo/search").build())) {
        childStateDuringCall.add(graph.node(child.nodeId()).state());
        return researcher
            .prompt(question)
            .tools(researcherTools.visibleTo(child.nodeId()))
            .toolContext(child.toolContext())
            .call()
            .content();
      }
    }
  }

  @Test
  void subAgent_runsInANarrowerChildNode_andItsAuthorityCollapsesWhenItReturns() {
    graph.spawn(
        "session",
        NodeSpec.builder("lead")
            .capabilities(
                "tool.call tool:repo/search",
                "tool.call tool:repo/read_file",
                "tool.call tool:lead/research")
            .build());
    ScriptedChatModel researcherModel =
        new ScriptedChatModel()
            .call("read_file", "{\"path\":\"secret.txt\"}")
            .call("search", "{\"query\":\"auth\"}")
            .answer("auth lives in Auth.java");
    Delegating lead = new Delegating(graph, client(researcherModel, tools), tools);
    ExecAuthzToolCallbacks leadTools =
        ExecAuthzToolCallbacks.newBuilder()
            .authorizer(authorizer)
            .toolset("lead")
            .toolCallbacks(ToolCallbacks.from(lead))
            .build();
    ScriptedChatModel leadModel =
        new ScriptedChatModel()
            .call("research", "{\"question\":\"where is auth?\"}")
            .answer("done");

    String out =
        client(leadModel, leadTools)
            .prompt("find auth")
            .tools(leadTools.visibleTo("lead"))
            .toolContext(ExecAuthzToolCallbacks.toolContext("lead"))
            .call()
            .content();

    assertThat(out).isEqualTo("done");
    assertThat(leadModel.shown.get(0)).containsExactly("research");
    assertThat(researcherModel.shown.get(0)).containsExactly("search");
    assertThat(researcherModel.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(repo.ran).containsExactly("search auth");
    assertThat(leadModel.toolResults.get(0)).contains("auth lives in Auth.java");
    assertThat(lead.childStateDuringCall).containsExactly(NodeState.ACTIVE);
    assertThat(graph.node("research-0").view().path())
        .containsExactly("session", "lead", "research-0");
    assertThat(graph.node("research-0").state()).isEqualTo(NodeState.COMPLETED);
    // a stale handle on the returned sub-agent is shown nothing, and its call is refused
    ScriptedChatModel stale =
        new ScriptedChatModel().call("search", "{\"query\":\"again\"}").answer("x");
    run(stale, "research-0");
    assertThat(stale.shown.get(0)).isEmpty();
    assertThat(stale.toolResults.get(0)).startsWith("DENY COMPLETED: ");
    assertThat(repo.ran).containsExactly("search auth");
  }

  @Test
  void revokedNode_nextCallIsRefused_withTheReason() {
    run(new ScriptedChatModel().call("search", "{\"query\":\"a\"}").answer("ok"), "session");
    graph.revoke("session", "incident 42");
    ScriptedChatModel second =
        new ScriptedChatModel().call("search", "{\"query\":\"b\"}").answer("no");

    run(second, "session");

    assertThat(second.shown.get(0)).isEmpty();
    assertThat(second.toolResults.get(0)).startsWith("DENY REVOKED: ");
    assertThat(repo.ran).containsExactly("search a");
  }

  @Test
  void callWithoutANode_isDeniedAndAudited_neverRunUnderAnotherIdentity() {
    ToolCallback guarded = tools.getToolCallbacks()[0];

    String noContext = guarded.call("{\"query\":\"q\"}");
    String emptyContext = guarded.call("{\"query\":\"q\"}", new ToolContext(Map.of()));

    assertThat(noContext).startsWith("DENY UNKNOWN_NODE: ");
    assertThat(emptyContext).startsWith("DENY UNKNOWN_NODE: ");
    assertThat(repo.ran).isEmpty();
    assertThat(audit).hasSize(2).noneMatch(AuditRecord::permitted);
  }

  @Test
  void arguments_reachThePolicies_asValues() {
    // a policy engine that refuses a search for "secrets": visibility (no arguments) still shows it
    PolicyEngine noSecrets =
        r ->
            new PolicyDecision(
                !"secrets".equals(r.args().get("query")), List.of("no-secrets"), List.of());
    Authorizer strict = Authorizer.newBuilder().graph(graph).policyEngine(noSecrets).build();
    tools =
        ExecAuthzToolCallbacks.newBuilder()
            .authorizer(strict)
            .toolset("repo")
            .toolCallbacks(ToolCallbacks.from(repo))
            .build();
    ScriptedChatModel model =
        new ScriptedChatModel()
            .call("search", "{\"query\":\"secrets\"}")
            .call("search", "{\"query\":\"auth\"}")
            .answer("ok");

    run(model, "session");

    assertThat(model.shown.get(0)).contains("search");
    assertThat(model.toolResults.get(0)).startsWith("DENY POLICY: ");
    assertThat(repo.ran).containsExactly("search auth");
  }

  @Test
  void argumentsThatAreNotJson_areDenied_asAnError() {
    ToolCallback guarded = tools.guard(ToolCallbacks.from(repo)[0]);

    String out =
        guarded.call("not json", new ToolContext(ExecAuthzToolCallbacks.toolContext("session")));

    assertThat(out).startsWith("DENY ERROR: ");
    assertThat(repo.ran).isEmpty();
  }

  @Test
  void guard_isIdempotent_andKeepsTheDefinition() {
    ToolCallback once = tools.guard(ToolCallbacks.from(repo)[0]);

    assertThat(tools.guard(once)).isSameAs(once);
    assertThat(once.getToolDefinition().name())
        .isEqualTo(ToolCallbacks.from(repo)[0].getToolDefinition().name());
  }

  @Test
  void builder_refusesABadToolset_andMissingParts() {
    assertThatThrownBy(() -> ExecAuthzToolCallbacks.newBuilder().toolset("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/b");
    assertThatThrownBy(() -> ExecAuthzToolCallbacks.newBuilder().build())
        .hasMessageContaining("authorizer");
    assertThatThrownBy(() -> ExecAuthzToolCallbacks.newBuilder().toolset("a").toolset("b"))
        .hasMessageContaining("toolset was already set");
    assertThat(ExecAuthzToolCallbacks.newBuilder().authorizer(authorizer).build().resourceOf("x"))
        .isEqualTo("tool:local/x");
  }
}
