package io.execauthz.mcp;

import io.execauthz.Decision;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A guarding proxy in front of any Streamable HTTP MCP server, in any language (CONTRACT §7): what
 * {@code exec-authz mcp proxy} runs. It forwards every HTTP request to the upstream endpoint as it
 * is — initialize, sessions ({@code Mcp-Session-Id}), notifications, progress, streamed (SSE)
 * responses, the GET stream of server requests such as elicitation, DELETE — and acts on three
 * JSON-RPC requests only, with an {@link McpGuard}'s decisions:
 *
 * <ul>
 *   <li>{@code tools/call}: decided before forwarding; a refusal never reaches the upstream and is
 *       answered with the CONTRACT §7 result;
 *   <li>{@code prompts/get} and {@code resources/read}: decided the same way, refused with a
 *       JSON-RPC error ({@value McpGuard#DENIED_ERROR_CODE});
 *   <li>{@code tools/list}: forwarded, and the tools in its response filtered per caller by a
 *       side-effect-free check (JSON or SSE responses alike).
 * </ul>
 *
 * <p>A JSON-RPC batch that holds any of these requests is refused as a whole (HTTP 400): MCP
 * 2025-06 has no batches, and a proxy that cannot decide fails closed. The grant header is not
 * forwarded upstream. Request bodies are bounded ({@link Builder#maxRequestBytes}).
 *
 * <pre>{@code
 * McpProxy proxy = McpProxy.newBuilder()
 *     .upstream(URI.create("http://127.0.0.1:9000/mcp"))
 *     .guard(guard)
 *     .build();
 * Tomcat.addServlet(ctx, "mcp", proxy.servlet()).setAsyncSupported(true);
 * }</pre>
 *
 * <p>Thread-safe: one servlet serves concurrent requests, each on its container thread.
 */
public final class McpProxy {
  /** Headers that belong to one connection, or that the HTTP client sets itself. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length",
          "expect",
          "accept-encoding",
          "http2-settings");

  private static final Set<String> GUARDED =
      Set.of("tools/call", "tools/list", "prompts/get", "resources/read");

  private final URI upstream;
  private final McpGuard guard;
  private final McpJsonMapper json;
  private final HttpClient http;
  private final int maxRequestBytes;

  private McpProxy(Builder b) {
    this.upstream = b.upstream;
    this.guard = b.guard;
    this.json = b.json == null ? McpJsonDefaults.getMapper() : b.json;
    this.maxRequestBytes = b.maxRequestBytes == null ? 4 << 20 : b.maxRequestBytes;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** Starts configuring a proxy; the upstream and the guard are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The servlet to serve (with async support on), mapped where clients expect the endpoint. */
  public HttpServlet servlet() {
    return new ProxyServlet();
  }

  /**
   * Asks an MCP server its {@code serverInfo.name}: an {@code initialize} exchange whose session is
   * deleted right after. For a proxy told no server name.
   *
   * @throws IOException if the server cannot be reached or gives no name
   */
  public static String serverName(URI upstream, McpJsonMapper json) throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    Map<String, Object> init = new LinkedHashMap<>();
    init.put("jsonrpc", "2.0");
    init.put("id", 1);
    init.put("method", "initialize");
    init.put(
        "params",
        Map.of(
            "protocolVersion",
            "2025-06-18",
            "capabilities",
            Map.of(),
            "clientInfo",
            Map.of("name", "exec-authz-mcp-proxy", "version", "1")));
    HttpRequest request =
        HttpRequest.newBuilder(upstream)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(init)))
            .build();
    HttpResponse<String> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + upstream + " its name", e);
    }
    if (r.statusCode() / 100 != 2) {
      throw new IOException(upstream + " answered initialize with HTTP " + r.statusCode());
    }
    String body = r.body();
    String message = body;
    if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
      message = null;
      for (String line : body.split("\r?\n")) {
        if (line.startsWith("data:")) {
          message = line.substring(5).strip();
          break;
        }
      }
    }
    String name = null;
    if (message != null
        && json.readValue(message, Object.class) instanceof Map<?, ?> m
        && m.get("result") instanceof Map<?, ?> result
        && result.get("serverInfo") instanceof Map<?, ?> info
        && info.get("name") instanceof String s) {
      name = s;
    }
    var session = r.headers().firstValue("Mcp-Session-Id");
    if (session.isPresent()) {
      try {
        client.send(
            HttpRequest.newBuilder(upstream)
                .timeout(Duration.ofSeconds(10))
                .header("Mcp-Session-Id", session.get())
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (name == null) {
      throw new IOException(upstream + " gave no serverInfo.name in its initialize result");
    }
    return name;
  }

  @Override
  public String toString() {
    return "McpProxy[" + upstream + ", server " + guard.serverName() + "]";
  }

  // ------------------------------------------------------------------ the servlet

  private final class ProxyServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = null;
      List<String> grants = headerValues(req);
      Map<String, Object> listMeta = null;
      boolean filterList = false;
      if ("POST".equals(req.getMethod())) {
        body = readBounded(req.getInputStream());
        if (body == null) {
          resp.sendError(413, "request body over " + maxRequestBytes + " bytes");
          return;
        }
        Object message;
        try {
          message = json.readValue(body, Object.class);
        } catch (IOException | RuntimeException e) {
          message = null; // not JSON: the upstream answers it
        }
        if (message instanceof List<?> batch) {
          for (Object o : batch) {
            if (o instanceof Map<?, ?> m && GUARDED.contains(m.get("method"))) {
              resp.sendError(400, "a JSON-RPC batch with " + m.get("method") + " is not proxied");
              return;
            }
          }
        } else if (message instanceof Map<?, ?> m && m.get("method") instanceof String method) {
          Map<String, Object> params = map(m.get("params"));
          Map<String, Object> meta = params == null ? null : map(params.get("_meta"));
          if (method.equals("tools/list")) {
            filterList = true;
            listMeta = meta;
          } else if (GUARDED.contains(method)) {
            if (refused(resp, m.get("id"), method, params, meta, grants)) {
              return;
            }
          }
        }
      }
      forward(req, resp, body, filterList, grants, listMeta);
    }

    /** Decides a call; true when refused (and answered). */
    private boolean refused(
        HttpServletResponse resp,
        Object id,
        String method,
        Map<String, Object> params,
        Map<String, Object> meta,
        List<String> grants)
        throws IOException {
      Object nameValue =
          params == null ? null : params.get(method.equals("resources/read") ? "uri" : "name");
      String name = nameValue instanceof String s ? s : "";
      Map<String, Object> args = params == null ? null : map(params.get("arguments"));
      Decision d =
          switch (method) {
            case "tools/call" ->
                guard.decide(
                    grants,
                    meta,
                    "tool.call",
                    "tool:" + guard.serverName() + "/" + name,
                    args,
                    name);
            case "prompts/get" ->
                guard.decide(
                    grants,
                    meta,
                    "prompt.get",
                    "prompt:" + guard.serverName() + "/" + name,
                    args,
                    null);
            default ->
                guard.decide(grants, meta, "resource.read", guard.resourceOf(name), null, null);
          };
      if (!(d instanceof Decision.Deny deny)) {
        return false;
      }
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("jsonrpc", "2.0");
      reply.put("id", id);
      if (method.equals("tools/call")) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("content", List.of(Map.of("type", "text", "text", McpGuard.denialText(deny))));
        result.put("isError", true);
        result.put("_meta", Map.of(McpGuard.META_DECISION, McpGuard.decisionMeta(deny)));
        reply.put("result", result);
      } else {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", McpGuard.DENIED_ERROR_CODE);
        error.put("message", McpGuard.denialText(deny));
        error.put("data", Map.of(McpGuard.META_DECISION, McpGuard.decisionMeta(deny)));
        reply.put("error", error);
      }
      byte[] out = json.writeValueAsBytes(reply);
      resp.setStatus(200);
      resp.setContentType("application/json");
      resp.setContentLength(out.length);
      resp.getOutputStream().write(out);
      return true;
    }

    private void forward(
        HttpServletRequest req,
        HttpServletResponse resp,
        byte[] body,
        boolean filterList,
        List<String> grants,
        Map<String, Object> listMeta)
        throws IOException {
      URI target =
          req.getQueryString() == null
              ? upstream
              : URI.create(
                  upstream + (upstream.getRawQuery() == null ? "?" : "&") + req.getQueryString());
      HttpRequest.Builder b = HttpRequest.newBuilder(target);
      for (String name : Collections.list(req.getHeaderNames())) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (HOP_BY_HOP.contains(lower) || lower.equals(McpGuard.HEADER.toLowerCase(Locale.ROOT))) {
          continue;
        }
        for (String v : Collections.list(req.getHeaders(name))) {
          b.header(name, v);
        }
      }
      b.method(
          req.getMethod(),
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<InputStream> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        resp.sendError(502, "interrupted");
        return;
      } catch (IOException e) {
        resp.sendError(502, "the upstream MCP server cannot be reached");
        return;
      }
      try (InputStream in = r.body()) {
        resp.setStatus(r.statusCode());
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        r.headers()
            .map()
            .forEach(
                (name, values) -> {
                  String lower = name.toLowerCase(Locale.ROOT);
                  if (!lower.startsWith(":") && !HOP_BY_HOP.contains(lower)) {
                    values.forEach(v -> resp.addHeader(name, v));
                  }
                });
        OutputStream out = resp.getOutputStream();
        boolean ok = r.statusCode() / 100 == 2;
        if (filterList && ok && contentType.startsWith("text/event-stream")) {
          filterEvents(in, out, grants, listMeta);
        } else if (filterList && ok) {
          byte[] all = in.readAllBytes();
          byte[] filtered =
              filterMessage(new String(all, StandardCharsets.UTF_8), grants, listMeta);
          resp.setContentLength(filtered.length);
          out.write(filtered);
        } else {
          byte[] buf = new byte[8192];
          int n;
          resp.flushBuffer();
          while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            out.flush(); // an SSE event reaches the client as soon as it arrives
          }
        }
      }
    }

    /** Filters the tools in each SSE event, event by event, flushing each. */
    private void filterEvents(
        InputStream in, OutputStream out, List<String> grants, Map<String, Object> listMeta)
        throws IOException {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<String> event = new ArrayList<>();
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isEmpty()) {
          event.add(line);
          continue;
        }
        writeEvent(event, out, grants, listMeta);
        event.clear();
      }
      if (!event.isEmpty()) {
        writeEvent(event, out, grants, listMeta);
      }
    }

    private void writeEvent(
        List<String> event, OutputStream out, List<String> grants, Map<String, Object> listMeta)
        throws IOException {
      StringBuilder data = new StringBuilder();
      StringBuilder text = new StringBuilder();
      boolean hasData = false;
      for (String l : event) {
        if (l.startsWith("data:")) {
          String d = l.substring(5);
          data.append(hasData ? "\n" : "").append(d.startsWith(" ") ? d.substring(1) : d);
          hasData = true;
        } else {
          text.append(l).append('\n');
        }
      }
      if (hasData) {
        String filtered =
            new String(filterMessage(data.toString(), grants, listMeta), StandardCharsets.UTF_8);
        text.append("data: ").append(filtered.replace("\n", "\ndata: ")).append('\n');
      }
      text.append('\n');
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** A tools/list response with only the tools this caller may call; anything else unchanged. */
    private byte[] filterMessage(String message, List<String> grants, Map<String, Object> meta)
        throws IOException {
      Object parsed;
      try {
        parsed = json.readValue(message, Object.class);
      } catch (IOException | RuntimeException e) {
        return message.getBytes(StandardCharsets.UTF_8);
      }
      Map<String, Object> m = map(parsed);
      Map<String, Object> result = m == null ? null : map(m.get("result"));
      if (result == null || !(result.get("tools") instanceof List<?> tools)) {
        return message.getBytes(StandardCharsets.UTF_8);
      }
      List<Object> visible = new ArrayList<>();
      for (Object t : tools) {
        Map<String, Object> tool = map(t);
        if (tool != null
            && tool.get("name") instanceof String name
            && guard.visible(grants, meta, name)) {
          visible.add(t);
        }
      }
      Map<String, Object> newResult = new LinkedHashMap<>(result);
      newResult.put("tools", visible);
      Map<String, Object> newMessage = new LinkedHashMap<>(m);
      newMessage.put("result", newResult);
      return json.writeValueAsBytes(newMessage);
    }
  }

  private byte[] readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      if (out.size() + n > maxRequestBytes) {
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static List<String> headerValues(HttpServletRequest request) {
    var e = request.getHeaders(McpGuard.HEADER);
    return e == null ? List.of() : List.copyOf(Collections.list(e));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  /** Configures a {@link McpProxy}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private URI upstream;
    private McpGuard guard;
    private McpJsonMapper json;
    private Integer maxRequestBytes;

    private Builder() {}

    /** The upstream MCP endpoint, e.g. {@code http://127.0.0.1:9000/mcp} (required). */
    public Builder upstream(URI upstream) {
      if (this.upstream != null) {
        throw new IllegalStateException("upstream was already set");
      }
      Objects.requireNonNull(upstream, "upstream");
      String scheme = upstream.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException(
            "upstream must be an http or https URL, was \"" + upstream + "\"");
      }
      this.upstream = upstream;
      return this;
    }

    /** The guard whose decisions the proxy applies (required); its server name is {@code S}. */
    public Builder guard(McpGuard guard) {
      if (this.guard != null) {
        throw new IllegalStateException("guard was already set");
      }
      this.guard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /** The JSON mapper; the SDK's default (found on the class path) otherwise. */
    public Builder jsonMapper(McpJsonMapper json) {
      if (this.json != null) {
        throw new IllegalStateException("jsonMapper was already set");
      }
      this.json = Objects.requireNonNull(json, "jsonMapper");
      return this;
    }

    /** The largest request body accepted; 4 MiB by default. */
    public Builder maxRequestBytes(int bytes) {
      if (this.maxRequestBytes != null) {
        throw new IllegalStateException("maxRequestBytes was already set");
      }
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRequestBytes must be > 0, was " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * @throws IllegalStateException if the upstream or the guard is missing
     */
    public McpProxy build() {
      if (upstream == null || guard == null) {
        throw new IllegalStateException("upstream and guard are both required");
      }
      return new McpProxy(this);
    }
  }
}
