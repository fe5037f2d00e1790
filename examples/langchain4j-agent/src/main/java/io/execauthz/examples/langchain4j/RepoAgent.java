package io.execauthz.examples.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.UserMessage;
import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.langchain4j.ExecAuthzTools;
import io.execauthz.langchain4j.NodeScope;
import io.execauthz.spi.PolicyEngine;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A lead agent that delegates research to a sub-agent, on LangChain4j's own {@code AiServices}
 * loop. Each model is shown only what its execution node may call; the sub-agent runs in a child
 * node that collapses when it returns; a revoked node's next call is refused.
 *
 * <p>The models are scripted so the example runs anywhere without a key: replace {@code Scripted}
 * with any LangChain4j {@code ChatModel} (OpenAI, Anthropic, Ollama...) and nothing else changes.
 */
public final class RepoAgent {
  private RepoAgent() {}

  /** The AI service: the node travels with each call, in its invocation parameters. */
  public interface Assistant {
    String chat(@UserMessage String message, InvocationParameters parameters);
  }

  /** The tools of the repository. */
  public static final class RepoTools {
    @Tool("Searches the code")
    public String search(@P("query") String query) {
      return "3 hits for '" + query + "'";
    }

    @Tool("Reads a file")
    public String read_file(@P("path") String path) {
      return "contents of " + path;
    }

    @Tool("Deletes the repository")
    public String delete_repo() {
      throw new IllegalStateException("never reached: no node in this example may delete");
    }
  }

  /** The lead's own tool: research, done by a sub-agent in a narrower child node. */
  public static final class Lead {
    private final ExecutionGraph graph;
    private final Assistant researcher;
    private final PrintStream out;
    private int children;

    Lead(ExecutionGraph graph, Assistant researcher, PrintStream out) {
      this.graph = graph;
      this.researcher = researcher;
      this.out = out;
    }

    @Tool("Researches a question with a sub-agent that may only search")
    public String research(@P("question") String question, InvocationParameters caller) {
      NodeSpec spec =
          NodeSpec.builder("research-" + ++children)
              .kind("task")
              .capabilities("tool.call tool:repo/search")
              .build();
      try (NodeScope child = NodeScope.open(graph, caller, spec)) {
        out.println(
            "  spawned "
                + child.nodeId()
                + " under "
                + ExecAuthzTools.nodeOf(caller).orElseThrow());
        return researcher.chat(question, child.parameters());
      }
    }
  }

  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the example, printing what each model was shown and read. */
  public static void run(PrintStream out) {
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    Authorizer authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:repo/*", "tool.call tool:lead/*")
            .ttl(Duration.ofHours(1))
            .build());
    graph.spawn(
        "session",
        NodeSpec.builder("lead")
            .kind("batch")
            .capabilities(
                "tool.call tool:repo/search",
                "tool.call tool:repo/read_file",
                "tool.call tool:lead/research")
            .build());

    ExecAuthzTools repo =
        ExecAuthzTools.newBuilder()
            .authorizer(authorizer)
            .toolset("repo")
            .tools(new RepoTools())
            .build();

    Scripted researcherModel =
        new Scripted("researcher", out)
            .call("read_file", "{\"path\":\"secrets.env\"}") // not shown to it: refused
            .call("search", "{\"query\":\"auth\"}")
            .answer("auth lives in Auth.java");
    Assistant researcher = agent(researcherModel, repo);

    Lead lead = new Lead(graph, researcher, out);
    ExecAuthzTools leadTools =
        ExecAuthzTools.newBuilder().authorizer(authorizer).toolset("lead").tools(lead).build();
    Scripted leadModel =
        new Scripted("lead", out)
            .call("research", "{\"question\":\"where is auth?\"}")
            .call("delete_repo", "{}") // outside the lead's node: refused, it re-plans
            .answer("auth is in Auth.java; I may not delete the repository");
    Assistant leader = agent(leadModel, leadTools);

    out.println("lead answered: " + leader.chat("find auth", ExecAuthzTools.parameters("lead")));
    out.println("research-1 is now " + graph.node("research-1").state());

    graph.revoke("lead", "operator stopped the run");
    Scripted after =
        new Scripted("lead", out).call("research", "{\"question\":\"again\"}").answer("stopped");
    out.println(
        "after revocation: "
            + agent(after, leadTools).chat("again", ExecAuthzTools.parameters("lead")));
  }

  private static Assistant agent(ChatModel model, ExecAuthzTools tools) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(tools)
        .hallucinatedToolNameStrategy(ExecAuthzTools.hiddenToolStrategy())
        .build();
  }

  /** A chat model that follows a script and prints what it was shown and what it read. */
  static final class Scripted implements ChatModel {
    private final String name;
    private final PrintStream out;
    private final Deque<AiMessage> script = new ArrayDeque<>();
    private boolean first = true;

    Scripted(String name, PrintStream out) {
      this.name = name;
      this.out = out;
    }

    Scripted call(String tool, String arguments) {
      script.add(
          AiMessage.from(
              ToolExecutionRequest.builder()
                  .id(name + "-" + script.size())
                  .name(tool)
                  .arguments(arguments)
                  .build()));
      return this;
    }

    Scripted answer(String text) {
      script.add(AiMessage.from(text));
      return this;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      if (first) {
        out.println(
            name
                + " model is shown "
                + request.toolSpecifications().stream().map(s -> s.name()).toList());
        first = false;
      }
      List<ChatMessage> messages = request.messages();
      if (messages.get(messages.size() - 1) instanceof ToolExecutionResultMessage r) {
        out.println("  " + name + " reads: " + r.text());
      }
      AiMessage next = script.poll();
      if (next.hasToolExecutionRequests()) {
        out.println("  " + name + " calls " + next.toolExecutionRequests().get(0).name());
      }
      return ChatResponse.builder().aiMessage(next).build();
    }
  }
}
