package io.execauthz.langchain4j;

import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.mcp.McpToolProvider;
import dev.langchain4j.mcp.client.McpCallContext;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.McpHeadersSupplier;
import dev.langchain4j.mcp.client.McpMetaSupplier;
import dev.langchain4j.service.tool.ToolProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Carries the grant of the calling execution node on every request LangChain4j's MCP client sends
 * (CONTRACT §7): the header {@value #HEADER} on a Streamable HTTP transport, or {@code
 * _meta["io.execauthz/grant"]} on any transport. The MCP server (guarded by exec-authz-mcp, or
 * behind {@code exec-authz mcp proxy}) verifies it offline and decides with the node's authority —
 * the tools it lists and every call it runs.
 *
 * <pre>{@code
 * McpGrantHeaders grants = McpGrantHeaders.newBuilder()
 *     .minter(node -> issuer.mint(graph.node(node), "mcp:files").compact())
 *     .build();
 * McpTransport transport = StreamableHttpMcpTransport.builder()
 *     .url("http://127.0.0.1:8080/mcp")
 *     .customHeaders(grants)                 // Exec-Authz-Grant: the calling node's grant
 *     .build();
 * McpClient client = DefaultMcpClient.builder().transport(transport).cacheToolList(false).build();
 * ToolProvider tools = McpGrantHeaders.toolProvider(client);   // lists per invocation (see there)
 * assistant.chat("read the docs", ExecAuthzTools.parameters("task-7"));   // sends task-7's grant
 * }</pre>
 *
 * <p>Why per call: LangChain4j hands a header supplier the {@link McpCallContext} of each request,
 * with the AI service invocation that caused it. The node is read from that invocation's parameters
 * ({@value ExecAuthzTools#NODE_PARAMETER}, as {@link ExecAuthzTools} reads it), so one client
 * serves every node and each request carries its own node's grant — never a thread-local, never a
 * default (ARCHITECTURE §6). A request with no invocation (the client's handshake, a health check)
 * or no node carries no grant, and a guarded server lists and runs nothing for it.
 *
 * <p>Grants are minted by the given function per node and reused until {@link
 * Builder#refreshBefore} their {@code exp} (read from the token without verifying it; a token whose
 * {@code exp} cannot be read is used once). If minting fails — the node ended, the issuer refused —
 * the request goes without a grant, so the server refuses it ({@code DENY INVALID_GRANT}) and the
 * model reads that; the failure is logged with the node id and the exception's type, never a token.
 * At most {@link Builder#maxNodes} nodes' grants are kept (least recently used dropped first).
 *
 * <p>Requires {@code dev.langchain4j:langchain4j-mcp} on the classpath (an optional dependency of
 * this module). Thread-safe: concurrent requests share a node's grant, minting is serialized.
 */
public final class McpGrantHeaders implements McpHeadersSupplier {
  /** The HTTP header a grant travels in. */
  public static final String HEADER = "Exec-Authz-Grant";

  /** The {@code _meta} key a grant travels in. */
  public static final String META_KEY = "io.execauthz/grant";

  private static final System.Logger LOG = System.getLogger(McpGrantHeaders.class.getName());
  private static final Pattern EXP = Pattern.compile("\"exp\"\\s*:\\s*(\\d{1,15})");

  private final Function<String, String> minter;
  private final Duration refreshBefore;
  private final InstantSource clock;
  private final int maxNodes;
  private final Map<String, Held> held;

  private record Held(String token, Instant refreshAt) {}

  private McpGrantHeaders(Builder b) {
    this.minter = b.minter;
    this.refreshBefore = b.refreshBefore == null ? Duration.ofSeconds(30) : b.refreshBefore;
    this.clock = b.clock == null ? InstantSource.system() : b.clock;
    this.maxNodes = b.maxNodes == 0 ? 1024 : b.maxNodes;
    this.held = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** Starts configuring; a minter is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * LangChain4j's {@code McpToolProvider} over {@code clients}, except that each AI service
   * invocation lists (and reads resources) with its own invocation context — so with its node's
   * grant, and a guarded server lists exactly the tools that node may call.
   *
   * <p>Why: LangChain4j's tool provider (langchain4j-mcp 1.18) calls {@code listTools()} without
   * the invocation, so a header supplier cannot tell whose listing it is, and a guarded server
   * shows a request without a grant nothing. Tool executions already carry the invocation and need
   * no help. Give the clients {@code cacheToolList(false)}, or every node sees the first listing.
   */
  public static ToolProvider toolProvider(McpClient... clients) {
    List<McpClient> shared = List.of(clients);
    return request -> {
      InvocationContext invocation = request == null ? null : request.invocationContext();
      List<McpClient> bound = new ArrayList<>(shared.size());
      for (McpClient c : shared) {
        bound.add(new InvocationBoundMcpClient(c, invocation));
      }
      return McpToolProvider.builder().mcpClients(bound).build().provideTools(request);
    };
  }

  /** The headers for one request: {@value #HEADER} with its node's grant, or none. */
  @Override
  public Map<String, String> apply(McpCallContext context) {
    return grantOf(context).map(g -> Map.of(HEADER, g)).orElse(Map.of());
  }

  /**
   * A {@code _meta} supplier for {@code DefaultMcpClient.Builder.metaSupplier(..)}: the same grant
   * in {@code _meta["io.execauthz/grant"]}, for transports without headers (stdio). Use one carrier
   * or the other, or both with the same instance: a server refuses two different grants.
   */
  public McpMetaSupplier meta() {
    return context ->
        grantOf(context).<Map<String, Object>>map(g -> Map.of(META_KEY, g)).orElse(Map.of());
  }

  private Optional<String> grantOf(McpCallContext context) {
    InvocationContext invocation = context == null ? null : context.invocationContext();
    Optional<String> node =
        invocation == null
            ? Optional.empty()
            : ExecAuthzTools.nodeOf(invocation.invocationParameters());
    if (node.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(grantFor(node.get()));
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "no grant for node " + node.get() + ": the minter failed with " + e.getClass().getName());
      return Optional.empty();
    }
  }

  /**
   * The grant to send for {@code nodeId} now: the one held, or a fresh one when the held one is
   * within the refresh margin of its {@code exp}.
   *
   * @throws IllegalStateException if the minter returned null or blank
   * @throws RuntimeException what the minter threw
   */
  public synchronized String grantFor(String nodeId) {
    Objects.requireNonNull(nodeId, "nodeId");
    Instant now = clock.instant();
    Held h = held.get(nodeId);
    if (h == null || !now.isBefore(h.refreshAt())) {
      String token = minter.apply(nodeId);
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("the grant minter returned no grant for node " + nodeId);
      }
      token = token.strip();
      Instant exp = expiry(token);
      h = new Held(token, exp == null ? now : exp.minus(refreshBefore));
      held.put(nodeId, h);
      if (held.size() > maxNodes) {
        held.remove(held.keySet().iterator().next());
      }
    }
    return h.token();
  }

  /** The {@code exp} of a compact JWS, read without verifying; null if it cannot be read. */
  static Instant expiry(String token) {
    int first = token.indexOf('.');
    int last = token.lastIndexOf('.');
    if (first < 0 || last <= first) {
      return null;
    }
    try {
      String claims =
          new String(
              Base64.getUrlDecoder().decode(token.substring(first + 1, last)),
              StandardCharsets.UTF_8);
      Matcher m = EXP.matcher(claims);
      Instant earliest = null;
      while (m.find()) {
        Instant e = Instant.ofEpochSecond(Long.parseLong(m.group(1)));
        earliest = earliest == null || e.isBefore(earliest) ? e : earliest;
      }
      return earliest;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "McpGrantHeaders[refreshBefore=" + refreshBefore + "]"; // never a token
  }

  /** Configures {@link McpGrantHeaders}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private Function<String, String> minter;
    private Duration refreshBefore;
    private InstantSource clock;
    private int maxNodes;

    private Builder() {}

    /**
     * Mints a grant for a node id, as a compact JWS (required): typically {@code node ->
     * issuer.mint(graph.node(node), audience).compact()}.
     */
    public Builder minter(Function<String, String> minter) {
      SetOnce.once(this.minter, "minter");
      this.minter = Objects.requireNonNull(minter, "minter");
      return this;
    }

    /** How long before {@code exp} a new grant is minted; 30 seconds by default. */
    public Builder refreshBefore(Duration margin) {
      SetOnce.once(this.refreshBefore, "refreshBefore");
      Objects.requireNonNull(margin, "refreshBefore");
      if (margin.isNegative()) {
        throw new IllegalArgumentException("refreshBefore must not be negative, was " + margin);
      }
      this.refreshBefore = margin;
      return this;
    }

    /** The clock compared with {@code exp}; the system clock by default. */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How many nodes' grants are kept at most; 1024 by default. */
    public Builder maxNodes(int maxNodes) {
      if (this.maxNodes != 0) {
        throw new IllegalStateException("maxNodes was already set");
      }
      if (maxNodes < 1) {
        throw new IllegalArgumentException("maxNodes must be at least 1, was " + maxNodes);
      }
      this.maxNodes = maxNodes;
      return this;
    }

    /**
     * @throws IllegalStateException if the minter is missing
     */
    public McpGrantHeaders build() {
      if (minter == null) {
        throw new IllegalStateException("minter is required");
      }
      return new McpGrantHeaders(this);
    }
  }
}
