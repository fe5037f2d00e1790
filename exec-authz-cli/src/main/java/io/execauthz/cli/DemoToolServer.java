package io.execauthz.cli;

import io.execauthz.Authorizer;
import io.execauthz.mcp.McpClientGrants;
import io.execauthz.mcp.McpGuard;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/**
 * The demo's MCP tool server, over the wire: an MCP Java SDK server whose tools are guarded by
 * {@link McpGuard}, serving Streamable HTTP from an embedded Tomcat on 127.0.0.1 at a port the
 * system picks, and the SDK's own clients, each sending one node's grant in the {@value
 * McpGuard#HEADER} header. The demo's decisions on the tool server are made by exactly what a
 * deployed server runs; nothing is called in-process.
 *
 * <p>Not thread-safe: the demo drives it from one thread. {@link #close()} closes the clients,
 * stops the server and deletes Tomcat's temporary directory.
 */
final class DemoToolServer implements AutoCloseable {
  /**
   * Tomcat logs nothing in the demo's output: its INFO lines, a slow-SecureRandom warning on a busy
   * machine and its leak detector (which guards web apps redeployed into a long-lived container,
   * and warns of the SDK's Reactor threads when this one stops) would only be noise. A server that
   * cannot start fails the demo with an exception instead.
   */
  private static final java.util.logging.Logger TOMCAT_LOG =
      java.util.logging.Logger.getLogger("org.apache");

  private final Tomcat tomcat;
  private final Path base;
  private final McpSyncServer server;
  private final String url;
  private final InstantSource clock;
  private final List<McpSyncClient> clients = new ArrayList<>();

  private DemoToolServer(
      Tomcat tomcat, Path base, McpSyncServer server, String url, InstantSource clock) {
    this.tomcat = tomcat;
    this.base = base;
    this.server = server;
    this.url = url;
    this.clock = clock;
  }

  /**
   * Starts server {@code name} with these tools (each answers with a line of text), its calls
   * decided by {@code authorizer} (which must have a grant source) and its list filtered per
   * caller.
   */
  static DemoToolServer start(
      Authorizer authorizer, String name, List<String> tools, InstantSource clock) {
    McpGuard guard = McpGuard.newBuilder().authorizer(authorizer).serverName(name).build();
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .contextExtractor(guard.contextExtractor())
            .build();
    List<McpServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
    for (String t : tools) {
      specs.add(guard.guard(tool(t)));
    }
    McpSyncServer server =
        McpServer.sync(transport)
            .serverInfo(name, "1.0.0")
            .tools(specs)
            .addToolFilter(guard.toolFilter())
            .build();
    TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
    Path base = null;
    Tomcat tomcat = new Tomcat();
    try {
      base = Files.createTempDirectory("exec-authz-demo-mcp");
      tomcat.setBaseDir(base.toString());
      Connector connector = tomcat.getConnector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      // the SDK's servlet sends "Connection: keep-alive"; were Tomcat to close a connection after
      // its 100th request, it would add "close" behind it, which the JDK's client never reads
      connector.setProperty("maxKeepAliveRequests", "-1");
      Context ctx = tomcat.addContext("", null);
      if (ctx instanceof StandardContext sc) {
        sc.setClearReferencesRmiTargets(false); // nothing to clear: no leak-detection warnings
        sc.setClearReferencesThreadLocals(false);
      }
      Tomcat.addServlet(ctx, "mcp", transport).setAsyncSupported(true);
      ctx.addServletMapping("/mcp", "mcp");
      tomcat.start();
      if (connector.getLocalPort() < 0) {
        throw new IllegalStateException("the demo's MCP server could not listen on 127.0.0.1");
      }
      String url = "http://127.0.0.1:" + connector.getLocalPort();
      return new DemoToolServer(tomcat, base, server, url, clock);
    } catch (IOException | LifecycleException | RuntimeException e) {
      server.close();
      stop(tomcat, base);
      throw e instanceof IOException io
          ? new UncheckedIOException(io)
          : e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private static McpServerFeatures.SyncToolSpecification tool(String name) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder(name, Map.of("type", "object"))
                .description(name.replace('_', ' '))
                .build())
        .callHandler(
            (exchange, request) ->
                McpSchema.CallToolResult.builder().addTextContent(name + ": done").build())
        .build();
  }

  /** Where the server listens: {@code http://127.0.0.1:PORT} (its endpoint is {@code /mcp}). */
  String url() {
    return url;
  }

  /** An initialized SDK client sending {@code grant} with every request. */
  McpSyncClient client(String grant) {
    McpClientGrants grants = McpClientGrants.newBuilder().minter(() -> grant).clock(clock).build();
    McpSyncClient c =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder(url)
                    .addHttpRequestCustomizer(grants.httpRequestCustomizer())
                    .build())
            .requestTimeout(Duration.ofSeconds(30))
            .clientInfo(McpSchema.Implementation.builder("exec-authz-demo", "1.0.0").build())
            .build();
    clients.add(c);
    c.initialize();
    return c;
  }

  @Override
  public void close() {
    for (McpSyncClient c : clients) {
      c.close();
    }
    server.close();
    stop(tomcat, base);
  }

  private static void stop(Tomcat tomcat, Path base) {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      // stopping anyway: the connector is closed with the process
    }
    if (base != null) {
      try (Stream<Path> files = Files.walk(base)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind
      }
    }
  }
}
