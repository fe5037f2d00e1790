package io.execauthz.langchain4j;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.service.tool.AiServiceTool;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;
import dev.langchain4j.service.tool.ToolService;
import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.DenialText;
import io.execauthz.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A LangChain4j {@link ToolProvider} that shows the model only the tools the current execution node
 * may call, and authorizes every call before the tool runs.
 *
 * <pre>{@code
 * ExecAuthzTools tools = ExecAuthzTools.newBuilder()
 *     .authorizer(authorizer)
 *     .toolset("github")            // tool T is "tool.call" on "tool:github/T"
 *     .tools(new GitHubTools())     // objects with @Tool methods, and/or .toolProvider(mcp)
 *     .build();
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .toolProvider(tools)
 *     .hallucinatedToolNameStrategy(ExecAuthzTools.hiddenToolStrategy())
 *     .build();
 * assistant.chat("open an issue", ExecAuthzTools.parameters("task-7"));
 * }</pre>
 *
 * <p>Why a tool provider: LangChain4j asks it for the tools at the start of every AI service
 * invocation, with that invocation's {@link InvocationParameters}. That is where the node comes
 * from (ARCHITECTURE §6, "no ambient authority"): the parameter {@value #NODE_PARAMETER}, passed by
 * the caller with the call itself, never a thread-local and never a default. A call with no node is
 * shown no tools, and each of its tool calls is denied with {@link Reason#UNKNOWN_NODE}.
 *
 * <p>Visibility is decided with {@link Authorizer#check} (no budget spent, nothing audited) and
 * without arguments; every execution is decided with {@link Authorizer#authorize}, arguments
 * included, so a budget, a revocation or a completion that happens between the listing and the call
 * is still enforced. A deny is returned to the model as the tool's result, {@code DENY <REASON>:
 * <detail>}, marked as an error, so the model can read it and re-plan; it never throws out of the
 * agent loop.
 *
 * <p>A tool the node was never shown is unknown to LangChain4j for that invocation; give the AI
 * service {@link #hiddenToolStrategy()} so that such a call is answered with a readable refusal
 * rather than LangChain4j's default exception.
 *
 * <p>Immutable and thread-safe when the wrapped tools are.
 */
public final class ExecAuthzTools implements ToolProvider {
  /** The invocation parameter that names the execution node of an AI service call. */
  public static final String NODE_PARAMETER = "exec-authz.node";

  /** The toolset name used unless {@link Builder#toolset} sets another. */
  public static final String DEFAULT_TOOLSET = "local";

  /** The action every tool call is authorized as. */
  public static final String ACTION = "tool.call";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Authorizer authorizer;
  private final String toolset;
  private final List<AiServiceTool> tools;
  private final List<ToolProvider> providers;

  private ExecAuthzTools(Builder b) {
    this.authorizer = b.authorizer;
    this.toolset = b.toolset == null ? DEFAULT_TOOLSET : b.toolset;
    this.tools = List.copyOf(b.tools);
    this.providers = List.copyOf(b.providers);
  }

  /** Starts configuring; an authorizer and at least one tool source are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Invocation parameters that carry {@code nodeId} as the call's execution node. */
  public static InvocationParameters parameters(String nodeId) {
    Objects.requireNonNull(nodeId, "nodeId");
    return InvocationParameters.from(NODE_PARAMETER, nodeId);
  }

  /** The execution node named in these invocation parameters, if any. */
  public static Optional<String> nodeOf(InvocationParameters parameters) {
    if (parameters == null) {
      return Optional.empty();
    }
    Object node = parameters.asMap().get(NODE_PARAMETER);
    return node instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
  }

  /**
   * A hallucinated-tool-name strategy for {@code AiServices}: a call to a tool this invocation was
   * not shown — one outside its node's authority, or one that does not exist — is answered with
   * {@code DENY OUT_OF_SCOPE: ...}, and no tool runs. LangChain4j hands this strategy only the
   * request (no invocation context), so the refusal names no node and is not audited; nothing ran.
   */
  public static Function<ToolExecutionRequest, ToolExecutionResultMessage> hiddenToolStrategy() {
    return request ->
        ToolExecutionResultMessage.builder()
            .id(request.id())
            .toolName(request.name())
            .text(
                denial(
                    Reason.OUT_OF_SCOPE,
                    "tool '"
                        + request.name()
                        + "' is not among the tools this execution node was shown"))
            .isError(true)
            .build();
  }

  /** The toolset in the resource names of these tools: {@code tool:<toolset>/<tool>}. */
  public String toolset() {
    return toolset;
  }

  /** The resource a tool of this name is authorized on. */
  public String resourceOf(String toolName) {
    return "tool:" + toolset + "/" + toolName;
  }

  /** Not dynamic: LangChain4j asks once per AI service invocation, with its parameters. */
  @Override
  public boolean isDynamic() {
    return false;
  }

  /**
   * The tools the invocation's node may call now, each decorated so its execution is authorized
   * first. No node, an unknown or ended node: no tools.
   */
  @Override
  public ToolProviderResult provideTools(ToolProviderRequest request) {
    ToolProviderResult.Builder out = ToolProviderResult.builder();
    Optional<String> node = request == null ? Optional.empty() : nodeOf(parametersOf(request));
    if (node.isEmpty()) {
      return out.build();
    }
    for (AiServiceTool tool : all(request)) {
      if (visible(node.get(), tool.name())) {
        out.add(
            tool.toBuilder().toolExecutor(new Guarded(tool.name(), tool.toolExecutor())).build());
      }
    }
    return out.build();
  }

  private List<AiServiceTool> all(ToolProviderRequest request) {
    Map<String, AiServiceTool> byName = new LinkedHashMap<>();
    for (AiServiceTool t : tools) {
      byName.putIfAbsent(t.name(), t);
    }
    for (ToolProvider p : providers) {
      ToolProviderResult r = p.provideTools(request);
      if (r != null) {
        for (AiServiceTool t : r.aiServiceTools()) {
          byName.putIfAbsent(t.name(), t);
        }
      }
    }
    return List.copyOf(byName.values());
  }

  private boolean visible(String nodeId, String toolName) {
    if (!NAME.matcher(toolName).matches()) {
      return false; // not a name a capability can cover: never shown, and denied if called
    }
    return authorizer
        .check(AuthorizationRequest.of(nodeId, ACTION, resourceOf(toolName)))
        .isPermit();
  }

  private static InvocationParameters parametersOf(ToolProviderRequest request) {
    return request.invocationContext() == null ? null : request.invocationParameters();
  }

  /** The one text form of a refusal, shared with every adapter: {@link DenialText}. */
  static String denial(Reason reason, String detail) {
    return DenialText.of(reason, detail);
  }

  /** A tool executor that runs the tool only after a permit for the call's own node. */
  private final class Guarded implements ToolExecutor {
    private final String name;
    private final ToolExecutor delegate;

    Guarded(String name, ToolExecutor delegate) {
      this.name = name;
      this.delegate = delegate;
    }

    /** Without an invocation context there is no node: denied, never run under another. */
    @Override
    public String execute(ToolExecutionRequest request, Object memoryId) {
      return refuse(
              "",
              Map.of(),
              Reason.UNKNOWN_NODE,
              "the call carries no invocation context, so no execution node")
          .resultText();
    }

    @Override
    public ToolExecutionResult executeWithContext(
        ToolExecutionRequest request, InvocationContext context) {
      Optional<String> node =
          context == null ? Optional.empty() : nodeOf(context.invocationParameters());
      if (node.isEmpty()) {
        return refuse(
            "",
            Map.of(),
            Reason.UNKNOWN_NODE,
            "the call's invocation parameters name no execution node (" + NODE_PARAMETER + ")");
      }
      if (!NAME.matcher(name).matches()) {
        return refuse(
            node.get(),
            Map.of(),
            Reason.ERROR,
            "tool name '" + name + "' cannot be a resource segment (letters, digits, . - _)");
      }
      AuthorizationRequest ask;
      try {
        Map<String, Object> args =
            request.arguments() == null || request.arguments().isBlank()
                ? Map.of()
                : JSON.readValue(request.arguments(), MAP);
        ask = new AuthorizationRequest(node.get(), ACTION, resourceOf(name), args, false, null);
      } catch (Exception e) {
        return refuse(
            node.get(),
            Map.of(),
            Reason.ERROR,
            "the arguments of tool '" + name + "' are not a JSON object of accepted values");
      }
      Decision d = authorizer.authorize(ask);
      if (d instanceof Decision.Deny deny) {
        return result(denial(deny.reason(), deny.detail()));
      }
      return delegate.executeWithContext(request, context);
    }

    private ToolExecutionResult refuse(
        String nodeId, Map<String, Object> args, Reason reason, String detail) {
      Decision.Deny d =
          authorizer.refuse(
              new AuthorizationRequest(nodeId, ACTION, resourceOf(name), args, false, null),
              reason,
              detail,
              null,
              null);
      return result(denial(d.reason(), d.detail()));
    }

    private ToolExecutionResult result(String text) {
      return ToolExecutionResult.builder().isError(true).resultText(text).build();
    }
  }

  /** Configures {@link ExecAuthzTools}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private Authorizer authorizer;
    private String toolset;
    private final List<AiServiceTool> tools = new ArrayList<>();
    private final List<ToolProvider> providers = new ArrayList<>();
    private boolean objectsSet;
    private boolean providerSet;

    private Builder() {}

    /** The authorizer every listing and every call is decided by (required). */
    public Builder authorizer(Authorizer authorizer) {
      SetOnce.once(this.authorizer, "authorizer");
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * The toolset (or MCP server) name in the resources: {@code tool:<toolset>/<tool>}. Defaults to
     * {@value ExecAuthzTools#DEFAULT_TOOLSET}. Letters, digits, {@code .}, {@code -}, {@code _}.
     */
    public Builder toolset(String toolset) {
      SetOnce.once(this.toolset, "toolset");
      Objects.requireNonNull(toolset, "toolset");
      if (!NAME.matcher(toolset).matches()) {
        throw new IllegalArgumentException(
            "toolset '" + toolset + "' must be letters, digits, '.', '-' or '_'");
      }
      this.toolset = toolset;
      return this;
    }

    /** Objects with {@code @Tool} methods, found as {@code AiServices.tools(...)} finds them. */
    public Builder tools(Object... objectsWithTools) {
      if (objectsSet) {
        throw new IllegalStateException("tools was already set");
      }
      objectsSet = true;
      for (Object o : objectsWithTools) {
        for (AiServiceTool t :
            ToolService.findTools(Objects.requireNonNull(o, "objectsWithTools"))) {
          if (tools.stream().anyMatch(x -> x.name().equals(t.name()))) {
            throw new IllegalArgumentException("two tools are named '" + t.name() + "'");
          }
          tools.add(t);
        }
      }
      return this;
    }

    /**
     * Another provider's tools (an MCP tool provider, for instance), asked with the same request
     * and then filtered and guarded like the others.
     */
    public Builder toolProvider(ToolProvider provider) {
      if (providerSet) {
        throw new IllegalStateException("toolProvider was already set");
      }
      providerSet = true;
      providers.add(Objects.requireNonNull(provider, "toolProvider"));
      return this;
    }

    /**
     * @throws IllegalStateException if the authorizer, or every tool source, is missing
     */
    public ExecAuthzTools build() {
      if (authorizer == null) {
        throw new IllegalStateException("authorizer is required");
      }
      if (!objectsSet && !providerSet) {
        throw new IllegalStateException("tools or toolProvider is required");
      }
      return new ExecAuthzTools(this);
    }
  }
}
