package io.execauthz.springai.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.springai.ExecAuthzToolCallbacks;
import io.execauthz.springai.NodeScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.support.ToolCallbacks;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.annotation.Tool;

/**
 * The exec-authz-spring-ai jar as built (against Spring AI 2.0) on spring-ai-model 1.1.8, Spring
 * 6.2 and Jackson 2: Spring AI 1.1's own tool calling manager executes the calls.
 */
final class SpringAi11CompatibilityTest {
  static final class RepoTools {
    final List<String> ran = new ArrayList<>();

    @Tool(description = "Searches the code")
    String search(String query) {
      ran.add("search " + query);
      return "hits for " + query;
    }

    @Tool(description = "Deletes the repository")
    String delete_repo() {
      ran.add("delete_repo");
      return "deleted";
    }
  }

  private ExecutionGraph graph;
  private RepoTools repo;
  private ExecAuthzToolCallbacks tools;
  private DefaultToolCallingManager manager;

  @BeforeEach
  void setUp() {
    graph = ExecutionGraph.newBuilder().build();
    Authorizer authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:repo/search")
            .build());
    repo = new RepoTools();
    tools =
        ExecAuthzToolCallbacks.newBuilder()
            .authorizer(authorizer)
            .toolset("repo")
            .toolCallbacks(ToolCallbacks.from(repo))
            .build();
    manager = DefaultToolCallingManager.builder().toolCallbackResolver(tools.resolver()).build();
  }

  /** One round of Spring AI 1.1's tool loop: the model asked for these calls; what does it read? */
  private List<String> round(String node, AssistantMessage.ToolCall... calls) {
    ToolCallingChatOptions options =
        ToolCallingChatOptions.builder()
            .toolCallbacks(List.of(tools.visibleTo(node).getToolCallbacks()))
            .toolContext(ExecAuthzToolCallbacks.toolContext(node))
            .internalToolExecutionEnabled(false)
            .build();
    Prompt prompt = new Prompt(List.<Message>of(new UserMessage("go")), options);
    ChatResponse response =
        new ChatResponse(
            List.of(
                new Generation(
                    AssistantMessage.builder().content("").toolCalls(List.of(calls)).build())));
    ToolExecutionResult result = manager.executeToolCalls(prompt, response);
    List<Message> history = result.conversationHistory();
    ToolResponseMessage last = (ToolResponseMessage) history.get(history.size() - 1);
    return last.getResponses().stream()
        .map(ToolResponseMessage.ToolResponse::responseData)
        .toList();
  }

  private static AssistantMessage.ToolCall call(String tool, String json) {
    return new AssistantMessage.ToolCall("id-" + tool, "function", tool, json);
  }

  @Test
  void visibility_execution_andDenials_workOnSpringAi11() {
    assertThat(tools.visibleTo("session").getToolCallbacks())
        .extracting(t -> t.getToolDefinition().name())
        .containsExactly("search");

    List<String> read =
        round("session", call("search", "{\"query\":\"auth\"}"), call("delete_repo", "{}"));

    assertThat(read.get(0)).contains("hits for auth");
    assertThat(read.get(1)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(repo.ran).containsExactly("search auth");
  }

  @Test
  void subAgentScope_collapses_andAStaleNodeIsRefused() {
    String child;
    try (NodeScope scope =
        NodeScope.open(
            graph,
            new ToolContext(ExecAuthzToolCallbacks.toolContext("session")),
            NodeSpec.builder("child").capabilities("tool.call tool:repo/search").build())) {
      child = scope.nodeId();
      assertThat(round(child, call("search", "{\"query\":\"a\"}")).get(0)).contains("hits for a");
    }

    assertThat(tools.visibleTo(child).getToolCallbacks()).isEmpty();
    assertThat(round(child, call("search", "{\"query\":\"b\"}")).get(0))
        .startsWith("DENY COMPLETED: ");
  }

  @Test
  void noNode_andBadArguments_areDenied_withJackson2() {
    ToolCallback guarded = tools.getToolCallbacks()[0];

    assertThat(guarded.call("{\"query\":\"q\"}")).startsWith("DENY UNKNOWN_NODE: ");
    assertThat(
            guarded.call(
                "not json", new ToolContext(Map.<String, Object>of("exec-authz.node", "session"))))
        .startsWith("DENY ERROR: ");
    assertThat(repo.ran).isEmpty();
  }
}
