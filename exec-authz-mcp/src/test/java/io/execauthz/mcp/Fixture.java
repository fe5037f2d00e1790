package io.execauthz.mcp;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.audit.AuditRecord;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.jwt.SigningKey;
import io.execauthz.spi.PolicyEngine;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An orchestrator's graph and issuer, and a tool server "files" guarded by {@link McpGuard}: real
 * Ed25519 grants, a real SDK server in embedded Tomcat on 127.0.0.1, the SDK's client.
 */
@SuppressWarnings("deprecation") // the SDK deprecates its convenience constructors
final class Fixture implements AutoCloseable {
  static final String ISSUER = "https://orchestrator.test";
  static final String AUDIENCE = "mcp:files";
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final SigningKey KEY = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");

  /** An attacker's key under the trusted kid. */
  static final SigningKey FOREIGN = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");

  final TestClock clock = new TestClock(START);
  final RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
  final ExecutionGraph graph =
      ExecutionGraph.newBuilder().clock(clock).listener(revocations.graphListener()).build();
  final GrantIssuer issuer = issuer(KEY);
  final GrantVerifier verifier =
      GrantVerifier.newBuilder()
          .keys(PublicKeySet.of(KEY))
          .issuer(ISSUER)
          .audience(AUDIENCE)
          .clock(clock)
          .revocations(revocations)
          .build();
  final List<AuditRecord> audit = new CopyOnWriteArrayList<>();
  final Authorizer authorizer =
      Authorizer.newBuilder()
          .clock(clock)
          .grantSource(verifier.asGrantSource())
          .policyEngine(PolicyEngine.permitAll())
          .auditSink(audit::add)
          .build();

  /** read_file reads {@code fs:<path>}: a second check derived from its arguments. */
  final McpGuard guard =
      McpGuard.newBuilder()
          .authorizer(authorizer)
          .serverName("files")
          .argumentChecks(
              (tool, args) ->
                  tool.equals("read_file")
                      ? List.of(new McpGuard.Check("fs.read", "fs:" + args.get("path")))
                      : List.of())
          .build();

  final AtomicInteger handlerRuns = new AtomicInteger();

  /** Where clients connect: the guarded server, or the proxy in front of an unguarded one. */
  final WebServer web;

  /** The unguarded upstream behind the proxy, or null. */
  final WebServer upstream;

  /** The grant headers the upstream received (behind the proxy: none, ever). */
  final List<String> upstreamGrantHeaders = new CopyOnWriteArrayList<>();

  final McpSyncServer server;
  private final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

  /** A server guarded in-process. */
  Fixture() {
    this(false);
  }

  /**
   * @param proxied whether the server is left unguarded and guarded by {@link McpProxy} in front
   */
  Fixture(boolean proxied) {
    graph.spawn(
        NodeSpec.builder("s")
            .kind("session")
            .principal("user:alice")
            .capabilities(
                "tool.call tool:files/**",
                "fs.read fs:/repo/**",
                "prompt.get prompt:**",
                "resource.read resource:files/**")
            .ttl(Duration.ofHours(1))
            .build());
    var tools = List.of(tool("read_file"), tool("list_dir"), tool("delete_file"));
    if (proxied) {
      var transport =
          HttpServletStreamableServerTransportProvider.builder()
              .contextExtractor(
                  request -> {
                    if (request.getHeader(McpGuard.HEADER) != null) {
                      upstreamGrantHeaders.add(request.getHeader(McpGuard.HEADER));
                    }
                    return io.modelcontextprotocol.common.McpTransportContext.EMPTY;
                  })
              .build();
      server =
          McpServer.sync(transport)
              .serverInfo("files", "1.0.0")
              .tools(tools)
              .prompts(prompt("review"))
              .build();
      upstream = WebServer.start(transport);
      McpProxy proxy =
          McpProxy.newBuilder()
              .upstream(java.net.URI.create(upstream.url() + "/mcp"))
              .guard(guard)
              .build();
      web = WebServer.start(proxy.servlet());
    } else {
      var transport =
          HttpServletStreamableServerTransportProvider.builder()
              .contextExtractor(guard.contextExtractor())
              .build();
      server =
          McpServer.sync(transport)
              .serverInfo("files", "1.0.0")
              .tools(guard.guardAll(tools))
              .addToolFilter(guard.toolFilter())
              .prompts(guard.guard(prompt("review")))
              .build();
      upstream = null;
      web = WebServer.start(transport);
    }
  }

  static GrantIssuer issuer(SigningKey key) {
    return GrantIssuer.newBuilder().signingKey(key).issuer(ISSUER).build();
  }

  GrantIssuer issuerOnClock(SigningKey key) {
    return GrantIssuer.newBuilder()
        .signingKey(key)
        .issuer(ISSUER)
        .clock(clock)
        .revocations(revocations)
        .build();
  }

  /** A child of the session with these capabilities, and a grant minted for it. */
  String grantFor(String id, String... capabilities) {
    graph.spawn(
        "s",
        NodeSpec.builder(id)
            .principal("agent:" + id)
            .capabilities(capabilities)
            .ttl(Duration.ofMinutes(30))
            .build());
    return issuerOnClock(KEY).mint(graph.node(id), AUDIENCE).compact();
  }

  McpServerFeatures.SyncToolSpecification tool(String name) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder()
                .name(name)
                .description(name)
                .inputSchema(
                    Map.of(
                        "type", "object", "properties", Map.of("path", Map.of("type", "string"))))
                .build())
        .callHandler(
            (exchange, request) -> {
              handlerRuns.incrementAndGet();
              return McpSchema.CallToolResult.builder()
                  .addTextContent(name + " " + request.arguments().get("path"))
                  .build();
            })
        .build();
  }

  McpServerFeatures.SyncPromptSpecification prompt(String name) {
    return new McpServerFeatures.SyncPromptSpecification(
        new McpSchema.Prompt(name, name, List.of()),
        (exchange, request) ->
            new McpSchema.GetPromptResult(
                name,
                List.of(
                    new McpSchema.PromptMessage(
                        McpSchema.Role.USER, new McpSchema.TextContent("review this")))));
  }

  /**
   * An initialized SDK client sending the grant from {@code grant} in the header (none if null).
   */
  McpSyncClient client(Supplier<String> grant) {
    return client(web.url(), grant);
  }

  McpSyncClient client(String url, Supplier<String> grant) {
    var t = HttpClientStreamableHttpTransport.builder(url);
    if (grant != null) {
      McpClientGrants grants = McpClientGrants.newBuilder().minter(grant).clock(clock).build();
      t.addHttpRequestCustomizer(grants.httpRequestCustomizer());
    }
    McpSyncClient c =
        McpClient.sync(t.build())
            .requestTimeout(Duration.ofSeconds(20))
            .clientInfo(new McpSchema.Implementation("test-client", "1.0"))
            .build();
    clients.add(c);
    c.initialize();
    return c;
  }

  static McpSchema.CallToolRequest call(String tool, String path) {
    return new McpSchema.CallToolRequest(tool, Map.of("path", path));
  }

  static String text(McpSchema.CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  @Override
  public void close() {
    for (McpSyncClient c : clients) {
      c.close();
    }
    server.close();
    web.close();
    if (upstream != null) {
      upstream.close();
    }
  }
}
