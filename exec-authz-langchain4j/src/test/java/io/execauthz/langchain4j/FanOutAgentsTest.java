package io.execauthz.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.service.AiServices;
import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.FanOutBatch;
import io.execauthz.GraphError;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.TaskOutcome;
import io.execauthz.langchain4j.ExecAuthzToolsTest.Assistant;
import io.execauthz.langchain4j.ExecAuthzToolsTest.RepoTools;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch/merge pattern with LangChain4j's own agent loop: a lead agent's tool fans out to
 * parallel sub-agents ({@code AiServices}, each with its own scripted model), each in its own child
 * node, then a summarizer runs in a merge node joined under them.
 */
final class FanOutAgentsTest {
  private ExecutionGraph graph;
  private ExecAuthzTools repoTools;
  private RepoTools repo;
  private final Map<String, ScriptedModel> models = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() {
    graph = ExecutionGraph.newBuilder().build();
    Authorizer authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:repo/*", "tool.call tool:lead/*", "fs.write fs:/repo/**")
            .ttl(Duration.ofHours(1))
            .build());
    graph.spawn(
        "session",
        NodeSpec.builder("lead")
            .capabilities(
                "tool.call tool:repo/search",
                "tool.call tool:repo/read_file",
                "tool.call tool:lead/review",
                "fs.write fs:/repo/**")
            .build());
    repo = new RepoTools();
    repoTools =
        ExecAuthzTools.newBuilder().authorizer(authorizer).toolset("repo").tools(repo).build();
    lead = new Lead();
    leadTools =
        ExecAuthzTools.newBuilder().authorizer(authorizer).toolset("lead").tools(lead).build();
  }

  private Lead lead;
  private ExecAuthzTools leadTools;

  private Assistant agent(ScriptedModel model, ExecAuthzTools tools) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(tools)
        .hallucinatedToolNameStrategy(ExecAuthzTools.hiddenToolStrategy())
        .build();
  }

  /** A sub-agent with its own scripted model (a model is one conversation, one thread). */
  private String subAgent(String node, ScriptedModel model, String task) {
    models.put(node, model);
    return agent(model, repoTools).chat(task, ExecAuthzTools.parameters(node));
  }

  private static NodeSpec docs() {
    return NodeSpec.builder("docs")
        .capabilities("tool.call tool:repo/search", "fs.write fs:/repo/docs/**")
        .claims("fs:/repo/docs/**")
        .build();
  }

  /** The lead's one tool: review a change with three parallel sub-agents, then merge. */
  final class Lead {
    boolean holdApiDocs;
    final List<TaskOutcome<String>> outcomes = new ArrayList<>();
    final List<String> mergeParents = new ArrayList<>();
    final List<String> widerMergeRefused = new ArrayList<>();

    @Tool("Reviews a change with parallel sub-agents")
    String review(@P("change") String change, InvocationParameters caller) {
      NodeSpec.Builder apiDocs =
          NodeSpec.builder("api-docs")
              .capabilities("tool.call tool:repo/search", "fs.write fs:/repo/docs/api/**")
              .claims("fs:/repo/docs/api/**");
      if (holdApiDocs) {
        apiDocs.holdOnConflict();
      }
      try (FanOutBatch<String> batch =
          NodeScope.<String>fanOut(graph, caller)
              .task(
                  docs(),
                  node ->
                      subAgent(
                          node,
                          new ScriptedModel()
                              .call("read_file", "{\"path\":\"README.md\"}")
                              .call("search", "{\"query\":\"docs\"}")
                              .answer("docs ok"),
                          change))
              .task(
                  NodeSpec.builder("code")
                      .capabilities("tool.call tool:repo/search", "tool.call tool:repo/read_file")
                      .build(),
                  node ->
                      subAgent(
                          node,
                          new ScriptedModel()
                              .call("read_file", "{\"path\":\"Auth.java\"}")
                              .answer("code ok"),
                          change))
              .task(
                  apiDocs.build(),
                  node ->
                      subAgent(
                          node,
                          new ScriptedModel()
                              .call("search", "{\"query\":\"api\"}")
                              .answer("api ok"),
                          change))
              .run()) {
        outcomes.addAll(batch.outcomes());
        mergeParents.addAll(batch.mergeParents());
        try {
          batch.merge(
              NodeSpec.builder("wide-merge").capabilities("tool.call tool:repo/read_file").build());
        } catch (ExecutionGraphException e) {
          widerMergeRefused.add(e.error() + " " + e.getMessage());
        }
        ScriptedModel summarizer =
            new ScriptedModel()
                .call("read_file", "{\"path\":\"secret.txt\"}")
                .call("search", "{\"query\":\"summary\"}")
                .answer("summary: " + String.join(", ", batch.values()));
        models.put("merge", summarizer);
        io.execauthz.NodeScope merge =
            batch.merge(
                NodeSpec.builder("merge")
                    .kind("merge")
                    .capabilities("tool.call tool:repo/search")
                    .build());
        return agent(summarizer, repoTools)
            .chat("summarize", ExecAuthzTools.parameters(merge.nodeId()));
      }
    }
  }

  private String runLead(ScriptedModel leadModel) {
    return agent(leadModel, leadTools).chat("review PR 7", ExecAuthzTools.parameters("lead"));
  }

  @Test
  void parallelSubAgents_seeOnlyTheirNodesTools_andAnOverlappingClaimIsRefused() {
    ScriptedModel leadModel =
        new ScriptedModel().call("review", "{\"change\":\"PR 7\"}").answer("reviewed");

    assertThat(runLead(leadModel)).isEqualTo("reviewed");

    assertThat(leadModel.shown.get(0)).containsExactly("review");
    assertThat(models.get("docs").shown.get(0)).containsExactly("search");
    assertThat(models.get("code").shown.get(0)).containsExactly("search", "read_file");
    // the docs sub-agent reached for a tool outside its node: refused, with the reason
    assertThat(models.get("docs").toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(models.get("code").toolResults).containsExactly("contents of Auth.java");
    // api-docs claims inside docs' claim: refused, its sub-agent never ran
    TaskOutcome<String> apiDocs = lead.outcomes.get(2);
    assertThat(apiDocs).isInstanceOf(TaskOutcome.Refused.class);
    assertThat(((TaskOutcome.Refused<String>) apiDocs).error())
        .isEqualTo(GraphError.CLAIM_CONFLICT);
    assertThat(models).doesNotContainKey("api-docs");
    assertThat(leadModel.toolResults).containsExactly("summary: docs ok, code ok");
    assertMergeAndCollapse(List.of("docs", "code"));
  }

  @Test
  void overlappingClaimWithHold_runsWhenItsSiblingHandsItOn() {
    lead.holdApiDocs = true;
    ScriptedModel leadModel =
        new ScriptedModel().call("review", "{\"change\":\"PR 7\"}").answer("reviewed");

    runLead(leadModel);

    assertThat(lead.outcomes).allMatch(TaskOutcome::isDone);
    assertThat(models.get("api-docs").shown.get(0)).containsExactly("search");
    assertThat(leadModel.toolResults).containsExactly("summary: docs ok, code ok, api ok");
    // docs handed its claim on to api-docs, so the merge joins code and api-docs
    assertThat(graph.node("docs").state()).isEqualTo(NodeState.COMPLETED);
    assertMergeAndCollapse(List.of("code", "api-docs"));
  }

  private void assertMergeAndCollapse(List<String> parents) {
    assertThat(lead.mergeParents).containsExactlyElementsOf(parents);
    assertThat(graph.node("merge").parents()).containsExactlyElementsOf(parents);
    // a merge asking for read_file is refused: not every parent holds it
    assertThat(lead.widerMergeRefused)
        .singleElement()
        .asString()
        .startsWith("ATTENUATION")
        .contains("tool.call tool:repo/read_file");
    // the summarizer in the merge node was shown no more than every parent may call
    ScriptedModel summarizer = models.get("merge");
    assertThat(summarizer.shown.get(0)).containsExactly("search");
    assertThat(summarizer.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(repo.ran).doesNotContain("read_file secret.txt", "read_file README.md");
    // the batch returned: every node it opened has ended; a stale call is shown nothing, refused
    for (String n : List.of("docs", "code", "merge")) {
      assertThat(graph.node(n).state()).as(n).isEqualTo(NodeState.COMPLETED);
    }
    assertThat(graph.liveNodes()).isEqualTo(2); // session and lead
    ScriptedModel stale = new ScriptedModel().call("search", "{\"query\":\"again\"}").answer("x");
    agent(stale, repoTools).chat("again", ExecAuthzTools.parameters("merge"));
    assertThat(stale.shown.get(0)).isEmpty();
    assertThat(stale.toolResults.get(0)).startsWith("DENY ");
  }
}
