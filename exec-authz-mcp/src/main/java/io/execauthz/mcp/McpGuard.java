package io.execauthz.mcp;

import io.execauthz.Args;
import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.Reason;
import io.execauthz.TraceContext;
import io.execauthz.audit.Approval;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncListFilter;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpSyncListFilter;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Guards the tools, prompts and resources of an MCP Java SDK server with grants (CONTRACT §7): the
 * one entry type of this adapter on the server side. It decorates the SDK's own specifications, so
 * the server is written as usual and every call still goes through core's one decision pipeline
 * ({@link Authorizer#authorize(String, AuthorizationRequest)} with the authorizer's grant source).
 *
 * <pre>{@code
 * McpGuard guard = McpGuard.newBuilder().authorizer(authorizer).serverName("files").build();
 * var transport = HttpServletStreamableServerTransportProvider.builder()
 *     .contextExtractor(guard.contextExtractor())       // the Exec-Authz-Grant header
 *     .build();
 * McpServer.sync(transport).serverInfo("files", "1.0")
 *     .tools(guard.guard(readFile))                      // tools/call decided per call
 *     .addToolFilter(guard.toolFilter())                 // tools/list filtered per caller
 *     .build();
 * }</pre>
 *
 * <p><b>Carrier.</b> The grant is read from the HTTP header {@value #HEADER} (put into the
 * exchange's transport context by {@link #contextExtractor()}) or from the request's {@code
 * params._meta["io.execauthz/grant"]} (any transport, stdio included). Both present and different,
 * the header repeated with different values, or neither: {@link Reason#INVALID_GRANT}. The guard
 * never falls back to another identity (ARCHITECTURE §6, invariant 12).
 *
 * <p><b>Mapping.</b> {@code tools/call} of tool {@code T} is action {@code tool.call} on {@code
 * tool:S/T} ({@code S} the configured server name, {@code T} unchanged); {@code prompts/get} of
 * prompt {@code P} is {@code prompt.get} on {@code prompt:S/P}; {@code resources/read} of URI
 * {@code scheme:[//]rest} is {@code resource.read} on {@code resource:S/scheme/rest} (see {@link
 * #resourceOf}). A tool's call may add resource checks derived from its arguments ({@link
 * Builder#argumentChecks}); they are decided with the tool's check by {@link
 * Authorizer#authorizeAll(String, List)}, so no budget is spent unless every one permits.
 *
 * <p><b>Denial.</b> A refused tool call returns a result, not a protocol error: {@code isError}
 * true, one text content {@code DENY <REASON>: <detail>} and {@code _meta["io.execauthz/decision"]}
 * = {@code {decision, reason, decisionId}}. A refused prompt or resource read is a JSON-RPC error
 * with code {@value #DENIED_ERROR_CODE}, the same text as message and the same map as data. Details
 * of a grant that failed verification name only the failed check, never a key id.
 *
 * <p><b>Trace.</b> A W3C {@code traceparent} in the request's {@code _meta} is passed on the
 * request (so the audit record carries the caller's span); a malformed one is ignored.
 *
 * <p>Immutable and thread-safe; decisions take everything from the exchange and the request, never
 * from a {@code ThreadLocal} (SDK handlers run on Reactor threads).
 */
public final class McpGuard {
  /** The HTTP header that carries a grant: {@value}. */
  public static final String HEADER = "Exec-Authz-Grant";

  /** The {@code _meta} key that carries a grant on any transport: {@value}. */
  public static final String META_GRANT = "io.execauthz/grant";

  /** The {@code _meta} key of a denial result that holds the decision: {@value}. */
  public static final String META_DECISION = "io.execauthz/decision";

  /** The {@code _meta} key read for the caller's W3C trace context: {@value}. */
  public static final String META_TRACEPARENT = "traceparent";

  /** The JSON-RPC error code of a refused prompt or resource read: {@value}. */
  public static final int DENIED_ERROR_CODE = -32003;

  /** The transport-context key under which {@link #contextExtractor()} puts the header values. */
  static final String CONTEXT_KEY = "io.execauthz/grant-header";

  private static final Pattern CHECK_PREFIX = Pattern.compile("^([A-Z_]+): .*", Pattern.DOTALL);

  private final Authorizer authorizer;
  private final String serverName;
  private final ArgumentChecks argumentChecks;
  private final boolean elicitApprovals;

  private McpGuard(Builder b) {
    this.authorizer = b.authorizer;
    this.serverName = b.serverName;
    this.argumentChecks = b.argumentChecks;
    this.elicitApprovals = b.elicitApprovals;
  }

  /** Starts configuring a guard; the authorizer and the server name are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The server name {@code S} of the resources {@code tool:S/T}. */
  public String serverName() {
    return serverName;
  }

  // ---------------------------------------------------------------- the SDK's seams

  /**
   * Puts the values of the {@value #HEADER} header into the transport context, for the SDK's {@code
   * HttpServletStreamableServerTransportProvider.Builder.contextExtractor(..)} (and the stateless
   * transport's). Without it, only {@code _meta} can carry a grant.
   */
  public McpTransportContextExtractor<HttpServletRequest> contextExtractor() {
    return request -> McpTransportContext.create(Map.of(CONTEXT_KEY, headerValues(request)));
  }

  /** {@link #contextExtractor()} on top of the server's own extractor (whose keys it keeps). */
  public McpTransportContextExtractor<HttpServletRequest> contextExtractor(
      McpTransportContextExtractor<HttpServletRequest> own) {
    Objects.requireNonNull(own, "own");
    return request -> {
      McpTransportContext inner = own.extract(request);
      List<String> values = headerValues(request);
      return key -> CONTEXT_KEY.equals(key) ? values : inner.get(key);
    };
  }

  private static List<String> headerValues(HttpServletRequest request) {
    var e = request.getHeaders(HEADER);
    return e == null ? List.of() : List.copyOf(Collections.list(e));
  }

  /** The tool, its calls decided under the caller's grant before the handler runs. */
  public McpServerFeatures.SyncToolSpecification guard(
      McpServerFeatures.SyncToolSpecification tool) {
    Objects.requireNonNull(tool, "tool");
    var handler = tool.callHandler();
    String name = tool.tool().name();
    return new McpServerFeatures.SyncToolSpecification(
        tool.tool(),
        (exchange, request) -> {
          List<String> header = headers(exchange.transportContext());
          Decision d = decideTool(header, request, name, null);
          if (d instanceof Decision.Deny deny
              && asksApproval(deny, exchange.getClientCapabilities())) {
            McpSchema.ElicitResult answer;
            try {
              answer = exchange.createElicitation(approvalRequest(deny, request, name));
            } catch (RuntimeException e) {
              answer = null; // no answer (timeout, client error): the deny stands
            }
            d =
                approved(answer)
                    ? decideTool(header, request, name, elicited(exchange.getClientInfo()))
                    : deny;
          }
          return d instanceof Decision.Deny deny ? denial(deny) : handler.apply(exchange, request);
        });
  }

  /** The asynchronous variant of {@link #guard(McpServerFeatures.SyncToolSpecification)}. */
  public McpServerFeatures.AsyncToolSpecification guard(
      McpServerFeatures.AsyncToolSpecification tool) {
    Objects.requireNonNull(tool, "tool");
    var handler = tool.callHandler();
    String name = tool.tool().name();
    return new McpServerFeatures.AsyncToolSpecification(
        tool.tool(),
        (exchange, request) -> {
          List<String> header = headers(exchange.transportContext());
          return Mono.fromCallable(() -> decideTool(header, request, name, null))
              .flatMap(
                  d ->
                      d instanceof Decision.Deny deny
                              && asksApproval(deny, exchange.getClientCapabilities())
                          ? exchange
                              .createElicitation(approvalRequest(deny, request, name))
                              .map(
                                  a ->
                                      approved(a)
                                          ? decideTool(
                                              header,
                                              request,
                                              name,
                                              elicited(exchange.getClientInfo()))
                                          : d)
                              .onErrorReturn(d) // no answer: the deny stands
                          : Mono.just(d))
              .flatMap(
                  d ->
                      d instanceof Decision.Deny deny
                          ? Mono.just(denial(deny))
                          : handler.apply(exchange, request));
        });
  }

  /** The stateless-server variant of {@link #guard(McpServerFeatures.SyncToolSpecification)}. */
  public McpStatelessServerFeatures.SyncToolSpecification guard(
      McpStatelessServerFeatures.SyncToolSpecification tool) {
    Objects.requireNonNull(tool, "tool");
    var handler = tool.callHandler();
    String name = tool.tool().name();
    return new McpStatelessServerFeatures.SyncToolSpecification(
        tool.tool(),
        (context, request) -> {
          Decision d = decideTool(headers(context), request, name, null);
          return d instanceof Decision.Deny deny ? denial(deny) : handler.apply(context, request);
        });
  }

  /** Every tool of the list, guarded. */
  public List<McpServerFeatures.SyncToolSpecification> guardAll(
      List<McpServerFeatures.SyncToolSpecification> tools) {
    return tools.stream().map(this::guard).toList();
  }

  /**
   * A {@code tools/list} filter: a tool is listed only when a side-effect-free {@link
   * Authorizer#check(String, AuthorizationRequest) check} of its {@code tool.call} under the
   * caller's grant permits (no budget spent, no audit record). The SDK gives a list filter only the
   * transport context, so it sees the header, never {@code _meta}: over stdio it lists nothing.
   */
  public McpSyncListFilter<McpSchema.Tool> toolFilter() {
    return (context, tool) -> visible(headers(context), null, tool.name());
  }

  /** The asynchronous variant of {@link #toolFilter()}. */
  public McpAsyncListFilter<McpSchema.Tool> asyncToolFilter() {
    return McpAsyncListFilter.fromSync(toolFilter(), false);
  }

  /**
   * The prompt, its {@code prompts/get} decided as {@code prompt.get} on {@code prompt:S/NAME}; a
   * refusal is a JSON-RPC error ({@value #DENIED_ERROR_CODE}).
   */
  public McpServerFeatures.SyncPromptSpecification guard(
      McpServerFeatures.SyncPromptSpecification prompt) {
    Objects.requireNonNull(prompt, "prompt");
    var handler = prompt.promptHandler();
    return new McpServerFeatures.SyncPromptSpecification(
        prompt.prompt(),
        (exchange, request) -> {
          Decision d =
              decide(
                  headers(exchange.transportContext()),
                  request.meta(),
                  "prompt.get",
                  "prompt:" + serverName + "/" + request.name(),
                  request.arguments(),
                  null);
          if (d instanceof Decision.Deny deny) {
            throw deniedError(deny);
          }
          return handler.apply(exchange, request);
        });
  }

  /**
   * The resource, its {@code resources/read} decided as {@code resource.read} on {@link
   * #resourceOf}; a refusal is a JSON-RPC error ({@value #DENIED_ERROR_CODE}).
   */
  public McpServerFeatures.SyncResourceSpecification guard(
      McpServerFeatures.SyncResourceSpecification resource) {
    Objects.requireNonNull(resource, "resource");
    var handler = resource.readHandler();
    return new McpServerFeatures.SyncResourceSpecification(
        resource.resource(),
        (exchange, request) -> {
          Decision d =
              decide(
                  headers(exchange.transportContext()),
                  request.meta(),
                  "resource.read",
                  resourceOf(request.uri()),
                  null,
                  null);
          if (d instanceof Decision.Deny deny) {
            throw deniedError(deny);
          }
          return handler.apply(exchange, request);
        });
  }

  /**
   * The exec-authz resource of an MCP resource URI: {@code resource:S/<scheme>/<rest>}, where rest
   * is the URI after {@code scheme:} with its leading slashes dropped ({@code file:///docs/a.md} →
   * {@code resource:S/file/docs/a.md}, {@code https://x.example/a} → {@code
   * resource:S/https/x.example/a}). So {@code file:///a} and {@code file://a} are the same
   * resource; a URI with an empty segment elsewhere has no canonical form and is refused.
   */
  public String resourceOf(String uri) {
    Objects.requireNonNull(uri, "uri");
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      return "resource:" + serverName + "/" + uri; // no scheme: refused or matched as a path
    }
    String rest = uri.substring(colon + 1);
    int i = 0;
    while (i < rest.length() && rest.charAt(i) == '/') {
      i++;
    }
    return "resource:" + serverName + "/" + uri.substring(0, colon) + "/" + rest.substring(i);
  }

  // ---------------------------------------------------------------- decisions (shared with
  // McpProxy)

  private static List<String> headers(McpTransportContext context) {
    Object v = context == null ? null : context.get(CONTEXT_KEY);
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(String.valueOf(o));
      }
      return out;
    }
    return List.of();
  }

  /**
   * The provenance of an approval the client answered by elicitation: {@code mcp-elicitation}, by
   * the client's declared name and version (what the client software says it is — it proves no
   * human), cut to what an audit record keeps and stripped of control characters.
   */
  static Approval elicited(McpSchema.Implementation client) {
    String by = null;
    if (client != null && client.name() != null) {
      String text = client.name() + (client.version() == null ? "" : "/" + client.version());
      StringBuilder b = new StringBuilder();
      text.codePoints()
          .filter(c -> !Character.isISOControl(c))
          .forEach(
              c -> {
                if (b.length() + Character.charCount(c) <= Approval.MAX_BY) {
                  b.appendCodePoint(c);
                }
              });
      by = b.length() == 0 ? null : b.toString();
    }
    return new Approval(by, Approval.MCP_ELICITATION);
  }

  /** Decides a tool call; {@code approval} non-null: approved, with that provenance. */
  private Decision decideTool(
      List<String> header, McpSchema.CallToolRequest request, String tool, Approval approval) {
    return decide(
        header,
        request.meta(),
        "tool.call",
        "tool:" + serverName + "/" + tool,
        request.arguments(),
        tool,
        approval);
  }

  /** Whether to ask the client about a refusal: only approvals, only when it can be asked. */
  private boolean asksApproval(Decision.Deny deny, McpSchema.ClientCapabilities client) {
    return elicitApprovals
        && deny.reason() == Reason.APPROVAL_REQUIRED
        && client != null
        && client.elicitation() != null;
  }

  /**
   * The question about exactly this call: node, action, resource and the SHA-256 of its canonical
   * arguments, with a yes/no form.
   */
  private McpSchema.ElicitRequest approvalRequest(
      Decision.Deny deny, McpSchema.CallToolRequest request, String tool) {
    String sha;
    try {
      sha = Args.of(request.arguments()).sha256();
    } catch (IllegalArgumentException e) {
      sha = "(arguments not accepted)";
    }
    String node = deny.nodePath().isEmpty() ? "?" : deny.nodePath().get(deny.nodePath().size() - 1);
    Map<String, Object> schema =
        Map.of(
            "type",
            "object",
            "properties",
            Map.of("approve", Map.of("type", "boolean", "title", "Approve this one call")),
            "required",
            List.of("approve"));
    String message =
        "Approve one call: node "
            + node
            + " asks tool.call on tool:"
            + serverName
            + "/"
            + tool
            + " with arguments SHA-256 "
            + sha
            + " ("
            + deny.detail()
            + ")";
    Map<String, Object> approval =
        Map.of(
            "node",
            node,
            "action",
            "tool.call",
            "resource",
            "tool:" + serverName + "/" + tool,
            "argsSha256",
            sha);
    return new McpSchema.ElicitFormRequest(
        message, schema, Map.of("io.execauthz/approval", approval));
  }

  /** Only an accepted form whose {@code approve} is true approves. */
  private static boolean approved(McpSchema.ElicitResult answer) {
    return answer != null
        && answer.action() == McpSchema.ElicitResult.Action.ACCEPT
        && answer.content() != null
        && Boolean.TRUE.equals(answer.content().get("approve"));
  }

  /**
   * Decides one request under the grant the caller presented.
   *
   * @param header the values of the {@value #HEADER} header (empty when none)
   * @param meta the request's {@code _meta}, or null
   * @param tool the tool's name when argument checks apply, else null
   */
  Decision decide(
      List<String> header,
      Map<String, Object> meta,
      String action,
      String resource,
      Map<String, Object> args,
      String tool) {
    return decide(header, meta, action, resource, args, tool, null);
  }

  private Decision decide(
      List<String> header,
      Map<String, Object> meta,
      String action,
      String resource,
      Map<String, Object> args,
      String tool,
      Approval approval) {
    AuthorizationRequest primary;
    try {
      primary =
          new AuthorizationRequest(
              "", action, resource, args, approval != null, traceparent(meta), approval);
    } catch (IllegalArgumentException e) {
      return authorizer.refuse(
          AuthorizationRequest.of("", action, resource),
          Reason.ERROR,
          "the call's arguments were not accepted: " + e.getMessage(),
          null,
          null);
    }
    Carrier carrier = Carrier.of(header, meta);
    if (carrier.problem() != null) {
      return authorizer.refuse(primary, Reason.INVALID_GRANT, carrier.problem(), null, null);
    }
    if (tool == null || argumentChecks == null) {
      return authorizer.authorize(carrier.token(), primary);
    }
    List<AuthorizationRequest> all = new ArrayList<>();
    all.add(primary);
    try {
      List<Check> extra = argumentChecks.checks(tool, primary.arguments());
      for (Check c : Objects.requireNonNull(extra, "argumentChecks returned null")) {
        all.add(
            new AuthorizationRequest(
                "",
                c.action(),
                c.resource(),
                primary.args(),
                approval != null,
                primary.traceparent(),
                approval));
      }
    } catch (RuntimeException e) {
      return authorizer.refuse(
          primary,
          Reason.ERROR,
          "the argument checks of tool '" + tool + "' failed: " + e.getClass().getSimpleName(),
          null,
          null);
    }
    return all.size() == 1
        ? authorizer.authorize(carrier.token(), primary)
        : authorizer.authorizeAll(carrier.token(), all);
  }

  /** Whether a tool is listed for this caller: a side-effect-free check of its call. */
  boolean visible(List<String> header, Map<String, Object> meta, String tool) {
    Carrier carrier = Carrier.of(header, meta);
    if (carrier.problem() != null) {
      return false;
    }
    return authorizer
        .check(
            carrier.token(),
            AuthorizationRequest.of("", "tool.call", "tool:" + serverName + "/" + tool))
        .isPermit();
  }

  private static String traceparent(Map<String, Object> meta) {
    if (meta != null && meta.get(META_TRACEPARENT) instanceof String s) {
      try {
        TraceContext.parse(s);
        return s;
      } catch (IllegalArgumentException e) {
        return null; // a malformed trace context is no reason to refuse, nor to be logged
      }
    }
    return null;
  }

  /** {@code DENY <REASON>: <detail>}, the text of every refusal. */
  static String denialText(Decision.Deny deny) {
    return "DENY " + deny.reason() + ": " + publicDetail(deny);
  }

  /**
   * The detail a caller may see: a grant that failed verification is named by its failed check only
   * (a verifier's own message may name key ids).
   */
  static String publicDetail(Decision.Deny deny) {
    if (deny.reason() == Reason.INVALID_GRANT) {
      var m = CHECK_PREFIX.matcher(deny.detail());
      if (m.matches()) {
        return "the grant failed verification (" + m.group(1) + ")";
      }
    }
    return deny.detail();
  }

  /** {@code {decision, reason, decisionId}}. */
  static Map<String, Object> decisionMeta(Decision.Deny deny) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("decision", "DENY");
    m.put("reason", deny.reason().name());
    m.put("decisionId", deny.decisionId());
    return m;
  }

  /** The CONTRACT §7 result of a refused tool call. */
  static McpSchema.CallToolResult denial(Decision.Deny deny) {
    return McpSchema.CallToolResult.builder()
        .isError(true)
        .addTextContent(denialText(deny))
        .meta(Map.of(META_DECISION, decisionMeta(deny)))
        .build();
  }

  private static McpError deniedError(Decision.Deny deny) {
    return McpError.builder(DENIED_ERROR_CODE)
        .message(denialText(deny))
        .data(Map.of(META_DECISION, decisionMeta(deny)))
        .build();
  }

  /** The grant a caller presented, or why none can be taken. */
  record Carrier(String token, String problem) {
    static Carrier of(List<String> header, Map<String, Object> meta) {
      List<String> distinct = header == null ? List.of() : header.stream().distinct().toList();
      if (distinct.size() > 1) {
        return new Carrier(null, "the " + HEADER + " header is given twice with different grants");
      }
      Object m = meta == null ? null : meta.get(META_GRANT);
      if (m != null && !(m instanceof String)) {
        return new Carrier(null, "_meta \"" + META_GRANT + "\" is not a string");
      }
      String fromHeader = distinct.isEmpty() ? null : distinct.get(0);
      String fromMeta = (String) m;
      if (fromHeader != null && fromMeta != null && !fromHeader.equals(fromMeta)) {
        return new Carrier(
            null, "the grant in the " + HEADER + " header and the one in _meta differ");
      }
      if (fromHeader == null && fromMeta == null) {
        return new Carrier(
            null, "no grant presented (the " + HEADER + " header or _meta \"" + META_GRANT + "\")");
      }
      return new Carrier(fromHeader != null ? fromHeader : fromMeta, null);
    }
  }

  /**
   * Derives the resource checks of one tool call from its arguments (the path a {@code read_file}
   * reads, the host a {@code fetch} connects to). Called on every call of every guarded tool;
   * return an empty list for a tool without any. Must be thread-safe; an exception refuses the call
   * ({@link Reason#ERROR}).
   */
  @FunctionalInterface
  public interface ArgumentChecks {
    /**
     * @param tool the MCP tool name
     * @param arguments the call's arguments, as the immutable value the decision sees
     */
    List<Check> checks(String tool, Args arguments);
  }

  /**
   * One more check of a call: the action on the resource, e.g. {@code fs.read} on {@code
   * fs:/repo/a.md}. Immutable.
   */
  public record Check(String action, String resource) {
    public Check {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(resource, "resource");
    }
  }

  /** Configures a {@link McpGuard}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private Authorizer authorizer;
    private String serverName;
    private ArgumentChecks argumentChecks;
    private boolean elicitApprovals;

    private Builder() {}

    /**
     * On {@link Reason#APPROVAL_REQUIRED}, asks the client by MCP elicitation (when it declared the
     * capability) about exactly that call; an accepted answer approves only that call, once — it is
     * decided again as approved, and the next call asks again. An accepted elicitation proves that
     * the client software answered, not that a human did. Sync and async servers only (a stateless
     * server cannot ask); off by default: without it, or without client support, the deny stands.
     */
    public Builder approvalsByElicitation() {
      if (this.elicitApprovals) {
        throw new IllegalStateException("approvalsByElicitation was already set");
      }
      this.elicitApprovals = true;
      return this;
    }

    /**
     * The authorizer that decides (required): one built with the tool server's grant source ({@code
     * GrantVerifier.asGrantSource()}), policy engine, audit sink and budget ledger.
     */
    public Builder authorizer(Authorizer authorizer) {
      if (this.authorizer != null) {
        throw new IllegalStateException("authorizer was already set");
      }
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * The server name {@code S} in {@code tool:S/T} (required): the name grants use for this
     * server, normally its {@code serverInfo.name}. It must not contain {@code /}.
     */
    public Builder serverName(String serverName) {
      if (this.serverName != null) {
        throw new IllegalStateException("serverName was already set");
      }
      Objects.requireNonNull(serverName, "serverName");
      if (serverName.isEmpty() || serverName.contains("/") || serverName.isBlank()) {
        throw new IllegalArgumentException(
            "serverName must be one non-empty path segment, was \"" + serverName + "\"");
      }
      this.serverName = serverName;
      return this;
    }

    /** Resource checks derived from each call's arguments, decided with the tool's check. */
    public Builder argumentChecks(ArgumentChecks checks) {
      if (this.argumentChecks != null) {
        throw new IllegalStateException("argumentChecks was already set");
      }
      this.argumentChecks = Objects.requireNonNull(checks, "argumentChecks");
      return this;
    }

    /**
     * @throws IllegalStateException if the authorizer or the server name is missing
     */
    public McpGuard build() {
      if (authorizer == null || serverName == null) {
        throw new IllegalStateException("authorizer and serverName are both required");
      }
      return new McpGuard(this);
    }
  }
}
