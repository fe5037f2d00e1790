package io.execauthz.springai;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * A Spring AI chat model that answers from a script — tool calls, then a final text — and records,
 * request by request, the tool definitions it was shown (resolved as real models resolve them) and
 * the tool results it read.
 */
final class ScriptedChatModel implements ChatModel {
  private final Deque<Object> script = new ArrayDeque<>();
  private final DefaultToolCallingManager resolver = DefaultToolCallingManager.builder().build();
  final List<List<String>> shown = new ArrayList<>();
  final List<String> toolResults = new ArrayList<>();

  /** Next, the model asks for this tool with these JSON arguments. */
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

  /** Next, the model answers with this text (and the loop ends). */
  ScriptedChatModel answer(String text) {
    script.add(new AssistantMessage(text));
    return this;
  }

  /** Runs {@code action} when the model is asked for its next step (an operator acting). */
  ScriptedChatModel meanwhile(Runnable action) {
    script.add(action);
    return this;
  }

  @Override
  public ChatOptions getOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    List<String> names = new ArrayList<>();
    if (prompt.getOptions() instanceof ToolCallingChatOptions options) {
      for (ToolDefinition d : resolver.resolveToolDefinitions(options)) {
        names.add(d.name());
      }
    }
    shown.add(names);
    List<Message> messages = prompt.getInstructions();
    if (!messages.isEmpty() && messages.get(messages.size() - 1) instanceof ToolResponseMessage r) {
      r.getResponses().forEach(x -> toolResults.add(x.responseData()));
    }
    Object next = script.poll();
    while (next instanceof Runnable action) {
      action.run();
      next = script.poll();
    }
    if (next == null) {
      throw new AssertionError("the script ran out");
    }
    return new ChatResponse(List.of(new Generation((AssistantMessage) next)));
  }
}
