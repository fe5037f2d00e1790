package io.execauthz.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProviderRequest;
import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's own agent loop ({@code AiServices} with its {@code ToolService}) driven by a
 * scripted chat model: what the model is shown, what runs, and what it reads back.
 */
final class ExecAuthzToolsTest {

  /** The AI service: the node travels in the call's own invocation parameters. */
  interface Assistant {
    String chat(@UserMessage String message, InvocationParameters parameters);
  }

  /** Tools that count their runs, so a test can prove a refused call never reached them. */
  static final class RepoTools {
    final List<String> ran = new CopyOnWriteArrayList<>();

    @Tool("Searches the code")
    String search(@P("query") String query) {
      ran.add("search " + query);
      return "3 hits for " + query;
    }

    @Tool("Reads a file")
    String read_file(@P("path") String path) {
      ran.add("read_file " + path);
      return "contents of " + path;
    }

    @Tool("Deletes the repository")
    String delete_repo() {
      ran.add("delete_repo");
      return "deleted";
    }
  }

  private ExecutionGraph graph;
  private Authorizer authorizer;
  private final List<AuditRecord> audit = new ArrayList<>();
  private RepoTools repo;
  private ExecAuthzTools tools;

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
    tools = ExecAuthzTools.newBuilder().authorizer(authorizer).toolset("repo").tools(repo).build();
  }

  private Assistant assistant(ScriptedModel model) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(tools)
        .hallucinatedToolNameStrategy(ExecAuthzTools.hiddenToolStrategy())
        .build();
  }

  @Test
  void model_isShownExactlyTheNodesCallableTools() {
    ScriptedModel model = new ScriptedModel().answer("nothing to do");

    assistant(model).chat("hello", ExecAuthzTools.parameters("session"));

    assertThat(model.shown).containsExactly(List.of("search", "read_file"));
  }

  @Test
  void permittedCall_runs_andTheModelReadsItsResult() {
    ScriptedModel model =
        new ScriptedModel().call("search", "{\"query\":\"TODO\"}").answer("found them");

    String out = assistant(model).chat("find TODOs", ExecAuthzTools.parameters("session"));

    assertThat(out).isEqualTo("found them");
    assertThat(repo.ran).containsExactly("search TODO");
    assertThat(model.toolResults).containsExactly("3 hits for TODO");
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).resource()).isEqualTo("tool:repo/search");
    assertThat(audit.get(0).permitted()).isTrue();
  }

  @Test
  void outOfScopeCall_neverReachesTheTool_andTheModelReadsTheReason() {
    ScriptedModel model =
        new ScriptedModel()
            .call("delete_repo", "{}")
            .call("search", "{\"query\":\"x\"}")
            .answer("re-planned");

    String out = assistant(model).chat("clean up", ExecAuthzTools.parameters("session"));

    assertThat(out).isEqualTo("re-planned");
    assertThat(repo.ran).containsExactly("search x");
    assertThat(model.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ").contains("delete_repo");
  }

  @Test
  void shownToolDeniedAtCallTime_returnsReasonAndDetail_notAnException() {
    // visible at listing time, then revoked while the model thinks: the executor's own decision
    // (audited) is what the model reads
    graph.spawn(
        "session",
        NodeSpec.builder("reader").capabilities("tool.call tool:repo/read_file").build());
    ScriptedModel model =
        new ScriptedModel()
            .call("read_file", "{\"path\":\"a.txt\"}")
            .meanwhile(() -> graph.revoke("reader", "operator stopped it"))
            .call("read_file", "{\"path\":\"b.txt\"}")
            .answer("stopped");

    String out = assistant(model).chat("read", ExecAuthzTools.parameters("reader"));

    assertThat(out).isEqualTo("stopped");
    assertThat(model.shown.get(0)).containsExactly("read_file");
    assertThat(repo.ran).containsExactly("read_file a.txt");
    assertThat(model.toolResults)
        .hasSize(2)
        .element(1)
        .isEqualTo("DENY REVOKED: node 'reader' (operator stopped it) was revoked");
  }

  /** A parent agent whose one tool runs a sub-agent in a narrower child node. */
  static final class Delegating {
    final ExecutionGraph graph;
    final Assistant researcher;
    final List<String> childIds = new ArrayList<>();
    final List<NodeState> childStateDuringCall = new ArrayList<>();

    Delegating(ExecutionGraph graph, Assistant researcher) {
      this.graph = graph;
      this.researcher = researcher;
    }

    @Tool("Researches a question with a sub-agent that may only search")
    String research(@P("question") String question, InvocationParameters caller) {
      String id = "research-" + childIds.size();
      childIds.add(id);
      try (NodeScope child =
          NodeScope.open(
              graph,
              caller,
              NodeSpec.builder(id).capabilities("tool.call tool:repo/search").build())) {
        childStateDuringCall.add(graph.node(child.nodeId()).state());
        return researcher.chat(question, child.parameters());
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
    ScriptedModel researcherModel =
        new ScriptedModel()
            .call("read_file", "{\"path\":\"secret.txt\"}")
            .call("search", "{\"query\":\"auth\"}")
            .answer("auth lives in Auth.java");
    Assistant researcher = assistant(researcherModel);
    Delegating lead = new Delegating(graph, researcher);
    ExecAuthzTools leadTools =
        ExecAuthzTools.newBuilder().authorizer(authorizer).toolset("lead").tools(lead).build();
    ScriptedModel leadModel =
        new ScriptedModel().call("research", "{\"question\":\"where is auth?\"}").answer("done");
    Assistant leader =
        AiServices.builder(Assistant.class)
            .chatModel(leadModel)
            .toolProvider(leadTools)
            .hallucinatedToolNameStrategy(ExecAuthzTools.hiddenToolStrategy())
            .build();

    String out = leader.chat("find auth", ExecAuthzTools.parameters("lead"));

    assertThat(out).isEqualTo("done");
    assertThat(leadModel.shown.get(0)).containsExactly("research");
    // the sub-agent's model saw only what the child node may call
    assertThat(researcherModel.shown.get(0)).containsExactly("search");
    assertThat(researcherModel.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(repo.ran).containsExactly("search auth");
    assertThat(leadModel.toolResults).containsExactly("auth lives in Auth.java");
    assertThat(lead.childStateDuringCall).containsExactly(NodeState.ACTIVE);
    assertThat(graph.node("research-0").view().path())
        .containsExactly("session", "lead", "research-0");
    // returned: the child is completed, and a stale handle on it is refused
    assertThat(graph.node("research-0").state()).isEqualTo(NodeState.COMPLETED);
    ScriptedModel stale = new ScriptedModel().call("search", "{\"query\":\"again\"}").answer("x");
    assistant(stale).chat("again", ExecAuthzTools.parameters("research-0"));
    assertThat(stale.shown.get(0)).isEmpty();
    assertThat(stale.toolResults.get(0)).startsWith("DENY ");
    assertThat(repo.ran).containsExactly("search auth");
  }

  @Test
  void subAgent_thatFails_stillCollapsesItsNode() {
    graph.spawn(
        "session", NodeSpec.builder("lead").capabilities("tool.call tool:repo/search").build());
    Assistant failing =
        (message, parameters) -> {
          throw new IllegalStateException("the sub-agent's model is down");
        };
    Delegating lead = new Delegating(graph, failing);

    assertThatThrownBy(() -> lead.research("q", ExecAuthzTools.parameters("lead")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(graph.node("research-0").state()).isEqualTo(NodeState.COMPLETED);
  }

  @Test
  void subAgent_askingForMoreThanItsParent_neverStarts() {
    graph.spawn(
        "session", NodeSpec.builder("lead").capabilities("tool.call tool:repo/read_file").build());
    Delegating lead = new Delegating(graph, (m, p) -> "unreachable");

    assertThatThrownBy(() -> lead.research("q", ExecAuthzTools.parameters("lead")))
        .isInstanceOf(ExecutionGraphException.class)
        .hasMessageContaining("tool:repo/search");
    assertThat(graph.find("research-0")).isEmpty();
  }

  @Test
  void scopeOfAChildHeldBehindAClaim_closes_byRevokingIt() {
    graph.spawn(
        NodeSpec.builder("build")
            .principal("user:bob")
            .capabilities("fs.write fs:/repo/**")
            .build());
    graph.spawn(
        "build",
        NodeSpec.builder("holder")
            .capabilities("fs.write fs:/repo/**")
            .claims("fs:/repo/**")
            .build());

    try (NodeScope waiter =
        NodeScope.open(
            graph,
            "build",
            NodeSpec.builder("waiter")
                .capabilities("fs.write fs:/repo/**")
                .claims("fs:/repo/a/**")
                .holdOnConflict()
                .build())) {
      assertThat(graph.node(waiter.nodeId()).state()).isEqualTo(NodeState.HELD);
    }

    assertThat(graph.node("waiter").state()).isEqualTo(NodeState.REVOKED);
  }

  @Test
  void revokedNode_nextCallIsRefused_withTheReason() {
    ScriptedModel first = new ScriptedModel().call("search", "{\"query\":\"a\"}").answer("ok");
    assistant(first).chat("go", ExecAuthzTools.parameters("session"));
    graph.revoke("session", "incident 42");
    ScriptedModel second = new ScriptedModel().call("search", "{\"query\":\"b\"}").answer("no");

    assistant(second).chat("go again", ExecAuthzTools.parameters("session"));

    assertThat(second.shown.get(0)).isEmpty();
    assertThat(second.toolResults.get(0)).startsWith("DENY ");
    assertThat(repo.ran).containsExactly("search a");
  }

  @Test
  void callWithoutANode_isShownNothing_andEveryCallIsDenied() {
    ScriptedModel model = new ScriptedModel().call("search", "{\"query\":\"a\"}").answer("no");

    assistant(model).chat("go", new InvocationParameters());

    assertThat(model.shown.get(0)).isEmpty();
    assertThat(model.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(repo.ran).isEmpty();
  }

  @Test
  void guardedExecutor_withoutANode_isDeniedAndAudited_neverRunUnderAnotherIdentity() {
    ToolExecutor guarded =
        tools
            .provideTools(
                ToolProviderRequest.builder()
                    .userMessage(dev.langchain4j.data.message.UserMessage.from("go"))
                    .invocationContext(
                        dev.langchain4j.invocation.InvocationContext.builder()
                            .invocationParameters(ExecAuthzTools.parameters("session"))
                            .build())
                    .build())
            .aiServiceTools()
            .stream()
            .filter(t -> t.name().equals("search"))
            .findFirst()
            .orElseThrow()
            .toolExecutor();
    ToolExecutionRequest call =
        ToolExecutionRequest.builder()
            .id("1")
            .name("search")
            .arguments("{\"query\":\"q\"}")
            .build();

    String viaMemoryId = guarded.execute(call, "session");
    String viaEmptyContext =
        guarded
            .executeWithContext(
                call,
                dev.langchain4j.invocation.InvocationContext.builder()
                    .invocationParameters(new InvocationParameters())
                    .build())
            .resultText();

    assertThat(viaMemoryId).startsWith("DENY UNKNOWN_NODE: ");
    assertThat(viaEmptyContext).startsWith("DENY UNKNOWN_NODE: ");
    assertThat(repo.ran).isEmpty();
    assertThat(audit).hasSize(2);
  }

  @Test
  void arguments_reachThePolicies_asValues() {
    // a policy engine that refuses a search for "secrets": visibility (no arguments) still shows it
    PolicyEngine noSecrets =
        r ->
            new PolicyDecision(
                !"secrets".equals(r.args().get("query")), List.of("no-secrets"), List.of());
    Authorizer strict = Authorizer.newBuilder().graph(graph).policyEngine(noSecrets).build();
    tools = ExecAuthzTools.newBuilder().authorizer(strict).toolset("repo").tools(repo).build();
    ScriptedModel model =
        new ScriptedModel()
            .call("search", "{\"query\":\"secrets\"}")
            .call("search", "{\"query\":\"auth\"}")
            .answer("ok");

    assistant(model).chat("go", ExecAuthzTools.parameters("session"));

    assertThat(model.shown.get(0)).contains("search");
    assertThat(model.toolResults.get(0)).startsWith("DENY POLICY: ");
    assertThat(repo.ran).containsExactly("search auth");
  }

  @Test
  void argumentsThatAreNotJson_areDenied_asAnError() {
    ScriptedModel model = new ScriptedModel().call("search", "not json").answer("ok");

    assistant(model).chat("go", ExecAuthzTools.parameters("session"));

    assertThat(model.toolResults.get(0)).startsWith("DENY ERROR: ");
    assertThat(repo.ran).isEmpty();
  }

  @Test
  void builder_refusesABadToolset_andMissingParts() {
    assertThatThrownBy(() -> ExecAuthzTools.newBuilder().toolset("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/b");
    assertThatThrownBy(() -> ExecAuthzTools.newBuilder().tools(repo).build())
        .hasMessageContaining("authorizer");
    assertThatThrownBy(() -> ExecAuthzTools.newBuilder().authorizer(authorizer).build())
        .hasMessageContaining("tools");
    assertThatThrownBy(() -> ExecAuthzTools.newBuilder().toolset("a").toolset("b"))
        .hasMessageContaining("toolset was already set");
    assertThat(
            ExecAuthzTools.newBuilder().authorizer(authorizer).tools(repo).build().resourceOf("x"))
        .isEqualTo("tool:local/x");
  }
}
