package io.execauthz.examples.springboot;

import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.springai.ExecAuthzToolCallbacks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with one Spring AI agent. The starter configures the execution graph,
 * the authorizer and the Cedar policies of {@code application.properties}, and guards the tool
 * beans; the application spawns a node per task and passes it in the request's tool context.
 *
 * <p>The chat model is scripted so the example runs anywhere without a key: add a Spring AI model
 * starter (OpenAI, Anthropic, Ollama...) and delete the {@code chatModel} bean.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class AgentApplication {

  public static void main(String[] args) {
    SpringApplication.run(AgentApplication.class, args);
  }

  /** The repository's tools, as plain {@code @Tool} methods. */
  public static class RepoTools {
    final List<String> ran = new CopyOnWriteArrayList<>();

    @Tool(description = "Searches the code")
    public String search(String query) {
      ran.add("search");
      return "3 hits for '" + query + "'";
    }

    @Tool(description = "Reads a file")
    public String read_file(String path) {
      ran.add("read_file");
      return "contents of " + path;
    }

    @Tool(description = "Deletes the repository")
    public String delete_repo() {
      ran.add("delete_repo");
      return "deleted";
    }
  }

  /** What happened, line by line (printed, and read by the test). */
  public static class Transcript {
    final List<String> lines = new CopyOnWriteArrayList<>();

    public void add(String line) {
      lines.add(line);
      System.out.println(line);
    }

    public List<String> lines() {
      return List.copyOf(lines);
    }
  }

  @Bean
  Transcript transcript() {
    return new Transcript();
  }

  @Bean
  RepoTools repoTools() {
    return new RepoTools();
  }

  /** A tool bean like any other: the starter replaces it by its guarded form. */
  @Bean
  ToolCallbackProvider repoToolCallbacks(RepoTools tools) {
    return MethodToolCallbackProvider.builder().toolObjects(tools).build();
  }

  @Bean
  ChatModel chatModel(Transcript transcript) {
    return new ScriptedChatModel(transcript)
        .call("delete_repo", "{}") // the graph allows it, the policy forbids it: never shown
        .call("search", "{\"query\":\"TODO\"}")
        .answer("found 3 TODOs; deleting the repository is not allowed");
  }

  /**
   * Spring AI's own tool loop. Its manager resolves a tool the model was not shown through the
   * guard, so such a call is refused (and audited) instead of failing the request.
   */
  @Bean
  ChatClient chatClient(ChatModel model, ExecAuthzToolCallbacks tools) {
    return ChatClient.builder(model)
        .defaultAdvisors(
            ToolCallingAdvisor.builder()
                .toolCallingManager(
                    DefaultToolCallingManager.builder()
                        .toolCallbackResolver(tools.resolver())
                        .resolutionFallbackEnabled(true)
                        .build())
                .build())
        .build();
  }

  /** One task: its own node, narrower than the session, passed in the request's tool context. */
  @Bean
  ApplicationRunner agent(
      ExecutionGraph graph, ChatClient chat, ExecAuthzToolCallbacks tools, Transcript transcript) {
    return args -> {
      graph.spawn(
          NodeSpec.builder("session")
              .principal("user:alice")
              .capabilities("tool.call tool:repo/*")
              .ttl(Duration.ofHours(1))
              .build());
      graph.spawn(
          "session",
          NodeSpec.builder("task-1")
              .kind("task")
              .capabilities("tool.call tool:repo/search", "tool.call tool:repo/delete_repo")
              .build());
      String answer =
          chat.prompt("find the TODOs, then clean up")
              .tools(tools.visibleTo("task-1"))
              .toolContext(ExecAuthzToolCallbacks.toolContext("task-1"))
              .call()
              .content();
      transcript.add("agent answered: " + answer);
      graph.complete("task-1");
      transcript.add("task-1 is now " + graph.node("task-1").state());
    };
  }
}
