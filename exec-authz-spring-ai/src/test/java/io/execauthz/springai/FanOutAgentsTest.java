package io.execauthz.springai;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.FanOutBatch;
import io.execauthz.GraphError;
import io.execauthz.NodeSpec;
import io.execauthz.NodeState;
import io.execauthz.TaskOutcome;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.springai.ExecAuthzToolCallbacksTest.RepoTools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.support.ToolCallbacks;
import org.springframework.ai.tool.annotation.Tool;

/**
 * The batch/merge pattern with Spring AI's own agent loop: a lead agent's tool fans out to parallel
 * sub-agents ({@code ChatClient}, each with its own scripted model), each in its own child node,
 * then a summarizer runs in a merge node joined under them.
 */
final class FanOutAgentsTest {
  private ExecutionGraph graph;
  private ExecAuthzToolCallbacks repoTools;
  private RepoTools repo;
  private Lead lead;
  private ExecAuthzToolCallbacks leadTools;
  private final Map<String, ScriptedChatModel> models = new ConcurrentHashMap<>();

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
        ExecAuthzToolCallbacks.newBuilder()
            .authorizer(authorizer)
            .toolset("repo")
            .toolCallbacks(ToolCallbacks.from(repo))
            .build();
    lead = new Lead();
    leadTools =
        ExecAuthzToolCallbacks.newBuilder()
            .authorizer(authorizer)
            .toolset("lead")
            .toolCallbacks(ToolCallbacks.from(lead))
            .build();
  }

  /** One agent turn in {@code node}: shown the node's tools, each call carrying the node. */
  private static String agent(
      ScriptedChatModel model, ExecAuthzToolCallbacks tools, String node, String prompt) {
    return ChatClient.builder(model)
        .defaultAdvisors(
            ToolCallingAdvisor.builder()
                .toolCallingManager(
                    DefaultToolCallingManager.builder()
                        .toolCallbackResolver(tools.resolver())
                        .resolutionFallbackEnabled(true)
                        .build())
                .build())
        .build()
        .prompt(prompt)
        .tools(tools.visibleTo(node))
        .toolContext(ExecAuthzToolCallbacks.toolContext(node))
        .call()
        .content();
  }

  /** A sub-agent with its own scripted model (a model is one conversation, one thread). */
  private String subAgent(String node, ScriptedChatModel model, String task) {
    models.put(node, model);
    return agent(model, repoTools, node, task);
  }

  /** The lead's one tool: review a change with three parallel sub-agents, then merge. */
  final class Lead {
    boolean holdApiDocs;
    final List<TaskOutcome<String>> outcomes = new ArrayList<>();
    final List<String> mergeParents = new ArrayList<>();
    final List<String> widerMergeRefused = new ArrayList<>();

    @Tool(description = "Reviews a change with parallel sub-agents")
    String review(String change, ToolContext caller) {
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
                  NodeSpec.builder("docs")
                      .capabilities("tool.call tool:repo/search", "fs.write fs:/repo/docs/**")
                      .claims("fs:/repo/docs/**")
                      .build(),
                  node ->
                      subAgent(
                          node,
                          new ScriptedChatModel()
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
                          new ScriptedChatModel()
                              .call("read_file", "{\"path\":\"Auth.java\"}")
                              .answer("code ok"),
                          change))
              .task(
                  apiDocs.build(),
                  node ->
                      subAgent(
                          node,
                          new ScriptedChatModel()
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
        ScriptedChatModel summarizer =
            new ScriptedChatModel()
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
        return agent(summarizer, repoTools, merge.nodeId(), "summarize");
      }
    }
  }

  private String runLead(ScriptedChatModel leadModel) {
    return agent(leadModel, leadTools, "lead", "review PR 7");
  }

  @Test
  void parallelSubAgents_seeOnlyTheirNodesTools_andAnOverlappingClaimIsRefused() {
    ScriptedChatModel leadModel =
        new ScriptedChatModel().call("review", "{\"change\":\"PR 7\"}").answer("reviewed");

    assertThat(runLead(leadModel)).isEqualTo("reviewed");

    assertThat(leadModel.shown.get(0)).containsExactly("review");
    assertThat(models.get("docs").shown.get(0)).containsExactly("search");
    assertThat(models.get("code").shown.get(0)).containsExactly("search", "read_file");
    assertThat(models.get("docs").toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(models.get("code").toolResults.get(0)).contains("contents of Auth.java");
    TaskOutcome<String> apiDocs = lead.outcomes.get(2);
    assertThat(apiDocs).isInstanceOf(TaskOutcome.Refused.class);
    assertThat(((TaskOutcome.Refused<String>) apiDocs).error())
        .isEqualTo(GraphError.CLAIM_CONFLICT);
    assertThat(models).doesNotContainKey("api-docs");
    assertThat(leadModel.toolResults.get(0)).contains("summary: docs ok, code ok");
    assertMergeAndCollapse(List.of("docs", "code"));
  }

  @Test
  void overlappingClaimWithHold_runsWhenItsSiblingHandsItOn() {
    lead.holdApiDocs = true;
    ScriptedChatModel leadModel =
        new ScriptedChatModel().call("review", "{\"change\":\"PR 7\"}").answer("reviewed");

    runLead(leadModel);

    assertThat(lead.outcomes).allMatch(TaskOutcome::isDone);
    assertThat(models.get("api-docs").shown.get(0)).containsExactly("search");
    assertThat(leadModel.toolResults.get(0)).contains("summary: docs ok, code ok, api ok");
    assertThat(graph.node("docs").state()).isEqualTo(NodeState.COMPLETED);
    assertMergeAndCollapse(List.of("code", "api-docs"));
  }

  private void assertMergeAndCollapse(List<String> parents) {
    assertThat(lead.mergeParents).containsExactlyElementsOf(parents);
    assertThat(graph.node("merge").parents()).containsExactlyElementsOf(parents);
    assertThat(lead.widerMergeRefused)
        .singleElement()
        .asString()
        .startsWith("ATTENUATION")
        .contains("tool.call tool:repo/read_file");
    ScriptedChatModel summarizer = models.get("merge");
    assertThat(summarizer.shown.get(0)).containsExactly("search");
    assertThat(summarizer.toolResults.get(0)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(repo.ran).doesNotContain("read_file secret.txt", "read_file README.md");
    for (String n : List.of("docs", "code", "merge")) {
      assertThat(graph.node(n).state()).as(n).isEqualTo(NodeState.COMPLETED);
    }
    assertThat(graph.liveNodes()).isEqualTo(2); // session and lead
    ScriptedChatModel stale =
        new ScriptedChatModel().call("search", "{\"query\":\"again\"}").answer("x");
    agent(stale, repoTools, "merge", "again");
    assertThat(stale.shown.get(0)).isEmpty();
    assertThat(stale.toolResults.get(0)).startsWith("DENY COMPLETED: ");
  }
}
