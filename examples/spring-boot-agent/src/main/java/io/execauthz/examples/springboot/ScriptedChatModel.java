package io.execauthz.examples.springboot;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/** A chat model that follows a script and records what it was shown and what it read. */
final class ScriptedChatModel implements ChatModel {
  private final AgentApplication.Transcript transcript;
  private final Deque<AssistantMessage> script = new ArrayDeque<>();
  private final DefaultToolCallingManager definitions = DefaultToolCallingManager.builder().build();
  private boolean first = true;

  ScriptedChatModel(AgentApplication.Transcript transcript) {
    this.transcript = transcript;
  }

  ScriptedChatModel call(String tool, String arguments) {
    script.add(
        AssistantMessage.builder()
            .content("")
            .toolCalls(
                List.of(
                    new AssistantMessage.ToolCall(
                        "call-" + script.size(), "function", tool, arguments)))
            .build());
    return this;
  }

  ScriptedChatModel answer(String text) {
    script.add(new AssistantMessage(text));
    return this;
  }

  @Override
  public ChatOptions getOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    if (first && prompt.getOptions() instanceof ToolCallingChatOptions options) {
      transcript.add(
          "model is shown "
              + definitions.resolveToolDefinitions(options).stream().map(d -> d.name()).toList());
      first = false;
    }
    List<Message> messages = prompt.getInstructions();
    if (messages.get(messages.size() - 1) instanceof ToolResponseMessage r) {
      r.getResponses().forEach(x -> transcript.add("  model reads: " + x.responseData()));
    }
    AssistantMessage next = script.poll();
    if (next.hasToolCalls()) {
      transcript.add("  model calls " + next.getToolCalls().get(0).name());
    }
    return new ChatResponse(List.of(new Generation(next)));
  }
}
