package io.execauthz.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A LangChain4j chat model that answers from a script — tool calls, then a final text — and records
 * the tool specifications it was shown and the tool results it read, request by request.
 */
final class ScriptedModel implements ChatModel {
  private final Deque<Object> script = new ArrayDeque<>();
  final List<List<String>> shown = new ArrayList<>();
  final List<String> toolResults = new ArrayList<>();
  private int calls;

  /** Next, the model asks for this tool with these JSON arguments. */
  ScriptedModel call(String tool, String arguments) {
    return then(
        AiMessage.from(
            ToolExecutionRequest.builder()
                .id("call-" + script.size())
                .name(tool)
                .arguments(arguments)
                .build()));
  }

  /** Next, the model answers with this text (and the loop ends). */
  ScriptedModel answer(String text) {
    return then(AiMessage.from(text));
  }

  /** Runs {@code action} when the model is asked for its next step (an operator acting). */
  ScriptedModel meanwhile(Runnable action) {
    script.add(action);
    return this;
  }

  private ScriptedModel then(AiMessage m) {
    script.add(m);
    return this;
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    List<String> names = new ArrayList<>();
    List<ToolSpecification> specs = request.toolSpecifications();
    if (specs != null) {
      specs.forEach(s -> names.add(s.name()));
    }
    shown.add(names);
    List<ChatMessage> messages = request.messages();
    List<String> latest = new ArrayList<>();
    for (int i = messages.size() - 1;
        i >= 0 && messages.get(i) instanceof ToolExecutionResultMessage r;
        i--) {
      latest.add(0, r.text());
    }
    toolResults.addAll(latest);
    Object next = script.poll();
    while (next instanceof Runnable action) {
      action.run();
      next = script.poll();
    }
    calls++;
    if (next == null) {
      throw new AssertionError("the script ran out at model call " + calls);
    }
    return ChatResponse.builder().aiMessage((AiMessage) next).build();
  }
}
