package io.execauthz.springai;

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
import java.util.regex.Pattern;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;
import org.springframework.ai.tool.resolution.ToolCallbackResolver;
import org.springframework.ai.util.json.JsonParser;

/**
 * Spring AI tool callbacks that the model is shown, and may run, only when the call's execution
 * node allows.
 *
 * <pre>{@code
 * ExecAuthzToolCallbacks tools = ExecAuthzToolCallbacks.newBuilder()
 *     .authorizer(authorizer)
 *     .toolset("github")                       // tool T is "tool.call" on "tool:github/T"
 *     .toolCallbacks(ToolCallbacks.from(new GitHubTools()))
 *     .build();
 * String answer = chatClient.prompt("open an issue")
 *     .tools(tools.visibleTo("task-7"))                 // what the model is shown
 *     .toolContext(ExecAuthzToolCallbacks.toolContext("task-7")) // whose call it is
 *     .call()
 *     .content();
 * }</pre>
 *
 * <p>The node of a call comes from the call's own {@link ToolContext} (ARCHITECTURE §6, "no ambient
 * authority"): the entry {@value #NODE_KEY}, which Spring AI's tool calling manager hands to every
 * {@link ToolCallback#call(String, ToolContext)}. A call without one is denied with {@link
 * Reason#UNKNOWN_NODE}; there is no fallback to another identity.
 *
 * <p>Three promises, each over Spring AI's own seam: {@link #visibleTo} lists only the tools the
 * node may call now (decided with {@link Authorizer#check}: no budget spent, nothing audited,
 * without arguments); {@link #guard} decorates a callback so every execution is decided first with
 * {@link Authorizer#authorize}, arguments included; and a deny comes back as the tool's result,
 * {@code DENY <REASON>: <detail>}, which the model reads and can re-plan from — it never throws out
 * of the loop. {@link #resolver()} lets a {@code ToolCallingManager} answer a call to a tool the
 * node was not shown with an audited deny instead of an exception.
 *
 * <p>Immutable and thread-safe when the wrapped callbacks are.
 */
public final class ExecAuthzToolCallbacks implements ToolCallbackProvider {
  /** The {@link ToolContext} entry that names the execution node of a call. */
  public static final String NODE_KEY = "exec-authz.node";

  /** The toolset name used unless {@link Builder#toolset} sets another. */
  public static final String DEFAULT_TOOLSET = "local";

  /** The action every tool call is authorized as. */
  public static final String ACTION = "tool.call";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private final Authorizer authorizer;
  private final String toolset;
  private final List<ToolCallback> callbacks;
  private final List<ToolCallbackProvider> providers;

  private ExecAuthzToolCallbacks(Builder b) {
    this.authorizer = b.authorizer;
    this.toolset = b.toolset == null ? DEFAULT_TOOLSET : b.toolset;
    this.callbacks = List.copyOf(b.callbacks);
    this.providers = List.copyOf(b.providers);
  }

  /** Starts configuring; an authorizer is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A tool context naming {@code nodeId} as the call's execution node. */
  public static Map<String, Object> toolContext(String nodeId) {
    Objects.requireNonNull(nodeId, "nodeId");
    return Map.of(NODE_KEY, nodeId);
  }

  /** The execution node named in this tool context, if any. */
  public static Optional<String> nodeOf(ToolContext context) {
    if (context == null || context.getContext() == null) {
      return Optional.empty();
    }
    Object node = context.getContext().get(NODE_KEY);
    return node instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
  }

  /** The toolset in the resource names: {@code tool:<toolset>/<tool>}. */
  public String toolset() {
    return toolset;
  }

  /** The resource a tool of this name is authorized on. */
  public String resourceOf(String toolName) {
    return "tool:" + toolset + "/" + toolName;
  }

  /** Every tool, guarded: for registering them where visibility is decided per request. */
  @Override
  public ToolCallback[] getToolCallbacks() {
    return all().values().stream().map(this::guard).toArray(ToolCallback[]::new);
  }

  /**
   * The tools {@code nodeId} may call, decided when Spring AI asks (as it builds each request),
   * each guarded. An unknown or ended node is shown none.
   */
  public ToolCallbackProvider visibleTo(String nodeId) {
    Objects.requireNonNull(nodeId, "nodeId");
    return () -> {
      List<ToolCallback> out = new ArrayList<>();
      for (ToolCallback t : all().values()) {
        String name = t.getToolDefinition().name();
        if (NAME.matcher(name).matches()
            && authorizer
                .check(AuthorizationRequest.of(nodeId, ACTION, resourceOf(name)))
                .isPermit()) {
          out.add(guard(t));
        }
      }
      return out.toArray(ToolCallback[]::new);
    };
  }

  /**
   * A resolver for a {@code ToolCallingManager}'s fallback: any tool name resolves to a guarded
   * callback, so a call to a tool the node was not shown (or that does not exist) is decided and
   * audited like any other, and the model reads {@code DENY OUT_OF_SCOPE: ...}.
   */
  public ToolCallbackResolver resolver() {
    return name -> {
      ToolCallback known = all().get(name);
      return guard(known != null ? known : new Unknown(name));
    };
  }

  /**
   * Decorates one callback: it runs only after a permit for the node in the call's {@link
   * ToolContext}. Guarding an already guarded callback returns it unchanged.
   */
  public ToolCallback guard(ToolCallback callback) {
    Objects.requireNonNull(callback, "callback");
    if (callback instanceof Guarded g && g.owner() == this) {
      return g;
    }
    return new Guarded(callback);
  }

  private Map<String, ToolCallback> all() {
    Map<String, ToolCallback> byName = new LinkedHashMap<>();
    for (ToolCallback t : callbacks) {
      byName.putIfAbsent(t.getToolDefinition().name(), t);
    }
    for (ToolCallbackProvider p : providers) {
      for (ToolCallback t : p.getToolCallbacks()) {
        byName.putIfAbsent(t.getToolDefinition().name(), t);
      }
    }
    return byName;
  }

  /** The one text form of a refusal, shared with every adapter: {@link DenialText}. */
  static String denial(Reason reason, String detail) {
    return DenialText.of(reason, detail);
  }

  /** The stand-in for a name no tool has: it is never run, only refused. */
  private static final class Unknown implements ToolCallback {
    private final ToolDefinition definition;

    Unknown(String name) {
      // its own implementation, not a builder: the same bytecode links against Spring AI 1.1 and
      // 2.0
      this.definition =
          new ToolDefinition() {
            @Override
            public String name() {
              return name;
            }

            @Override
            public String description() {
              return "no such tool";
            }

            @Override
            public String inputSchema() {
              return "{}";
            }
          };
    }

    @Override
    public ToolDefinition getToolDefinition() {
      return definition;
    }

    @Override
    public String call(String toolInput) {
      throw new IllegalStateException("an unknown tool is never run");
    }
  }

  /** A callback that runs the tool only after a permit for the call's own node. */
  private final class Guarded implements ToolCallback {
    private final ToolCallback delegate;
    private final String name;

    Guarded(ToolCallback delegate) {
      this.delegate = delegate;
      this.name = delegate.getToolDefinition().name();
    }

    ExecAuthzToolCallbacks owner() {
      return ExecAuthzToolCallbacks.this;
    }

    @Override
    public ToolDefinition getToolDefinition() {
      return delegate.getToolDefinition();
    }

    @Override
    public ToolMetadata getToolMetadata() {
      return delegate.getToolMetadata();
    }

    /** Without a tool context there is no node: denied, never run under another identity. */
    @Override
    public String call(String toolInput) {
      return call(toolInput, null);
    }

    @Override
    public String call(String toolInput, ToolContext toolContext) {
      Optional<String> node = nodeOf(toolContext);
      if (node.isEmpty()) {
        return refuse(
            "",
            Reason.UNKNOWN_NODE,
            "the call's tool context names no execution node (" + NODE_KEY + ")");
      }
      if (delegate instanceof Unknown) {
        return refuse(
            node.get(),
            Reason.OUT_OF_SCOPE,
            "no tool of toolset '" + toolset + "' is named '" + name + "'");
      }
      if (!NAME.matcher(name).matches()) {
        return refuse(
            node.get(),
            Reason.ERROR,
            "tool name '" + name + "' cannot be a resource segment (letters, digits, . - _)");
      }
      AuthorizationRequest ask;
      try {
        ask =
            new AuthorizationRequest(
                node.get(), ACTION, resourceOf(name), arguments(toolInput), false, null);
      } catch (RuntimeException e) {
        return refuse(
            node.get(),
            Reason.ERROR,
            "the arguments of tool '" + name + "' are not a JSON object of accepted values");
      }
      Decision d = authorizer.authorize(ask);
      if (d instanceof Decision.Deny deny) {
        return denial(deny.reason(), deny.detail());
      }
      return delegate.call(toolInput, toolContext);
    }

    private String refuse(String nodeId, Reason reason, String detail) {
      Decision.Deny d =
          authorizer.refuse(
              AuthorizationRequest.of(nodeId, ACTION, resourceOf(name)),
              reason,
              detail,
              null,
              null);
      return denial(d.reason(), d.detail());
    }

    @Override
    public String toString() {
      return "ExecAuthz[" + resourceOf(name) + "]";
    }
  }

  /**
   * Spring AI's own JSON reader: the one that links against both 1.1 (Jackson 2) and 2.0 (Jackson
   * 3). It is deprecated in 2.0; when it goes, this is the one line to change.
   */
  @SuppressWarnings({"unchecked", "removal"})
  private static Map<String, Object> arguments(String toolInput) {
    if (toolInput == null || toolInput.isBlank()) {
      return Map.of();
    }
    Object parsed = JsonParser.fromJson(toolInput, Map.class);
    if (parsed == null) {
      throw new IllegalArgumentException("arguments are not a JSON object");
    }
    return (Map<String, Object>) parsed;
  }

  /** Configures {@link ExecAuthzToolCallbacks}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private Authorizer authorizer;
    private String toolset;
    private final List<ToolCallback> callbacks = new ArrayList<>();
    private final List<ToolCallbackProvider> providers = new ArrayList<>();
    private boolean callbacksSet;
    private boolean providersSet;

    private Builder() {}

    /** The authorizer every listing and every call is decided by (required). */
    public Builder authorizer(Authorizer authorizer) {
      SetOnce.once(this.authorizer, "authorizer");
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * The toolset (or MCP server) name in the resources: {@code tool:<toolset>/<tool>}. Defaults to
     * {@value ExecAuthzToolCallbacks#DEFAULT_TOOLSET}. Letters, digits, {@code .}, {@code -},
     * {@code _}.
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

    /** The callbacks to guard. */
    public Builder toolCallbacks(ToolCallback... callbacks) {
      return toolCallbacks(List.of(callbacks));
    }

    /** The callbacks to guard. */
    public Builder toolCallbacks(List<? extends ToolCallback> callbacks) {
      if (callbacksSet) {
        throw new IllegalStateException("toolCallbacks was already set");
      }
      callbacksSet = true;
      for (ToolCallback c : callbacks) {
        this.callbacks.add(Objects.requireNonNull(c, "toolCallbacks"));
      }
      return this;
    }

    /** Providers whose callbacks are guarded too (an MCP client's, for instance), asked lazily. */
    public Builder toolCallbackProviders(List<? extends ToolCallbackProvider> providers) {
      if (providersSet) {
        throw new IllegalStateException("toolCallbackProviders was already set");
      }
      providersSet = true;
      for (ToolCallbackProvider p : providers) {
        this.providers.add(Objects.requireNonNull(p, "toolCallbackProviders"));
      }
      return this;
    }

    /**
     * @throws IllegalStateException if the authorizer is missing
     */
    public ExecAuthzToolCallbacks build() {
      if (authorizer == null) {
        throw new IllegalStateException("authorizer is required");
      }
      return new ExecAuthzToolCallbacks(this);
    }
  }
}
