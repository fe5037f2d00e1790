package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.AuditVerification;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.SigningKey;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec-authz mcp proxy} as a process, in front of an (unguarded) SDK server the test starts,
 * with the SDK's client going through it over Streamable HTTP on 127.0.0.1.
 */
@SuppressWarnings("deprecation") // the SDK deprecates its convenience constructors
final class McpProxyCommandTest {
  private static final SigningKey KEY = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");
  private static final SigningKey FOREIGN = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");

  @TempDir Path dir;
  private Tomcat upstream;
  private McpSyncServer server;
  private String upstreamUrl;
  private Path jwks;
  private final AtomicInteger deletes = new AtomicInteger();
  private final ExecutionGraph graph = ExecutionGraph.newBuilder().build();
  private final List<McpSyncClient> clients = new ArrayList<>();
  private Process proxy;

  @BeforeEach
  void start() throws Exception {
    jwks = dir.resolve("jwks.json");
    KEY.publicKeySet().write(jwks);
    var transport = HttpServletStreamableServerTransportProvider.builder().build();
    server =
        McpServer.sync(transport)
            .serverInfo("files", "1.0.0")
            .tools(tool("read_file"), tool("delete_file"))
            .build();
    upstream = new Tomcat();
    upstream.setBaseDir(dir.resolve("tomcat").toString());
    upstream.getConnector().setPort(0);
    upstream.getConnector().setProperty("address", "127.0.0.1");
    Context ctx = upstream.addContext("", null);
    Tomcat.addServlet(ctx, "mcp", transport).setAsyncSupported(true);
    ctx.addServletMapping("/*", "mcp");
    upstream.start();
    upstreamUrl = "http://127.0.0.1:" + upstream.getConnector().getLocalPort() + "/mcp";
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:files/read_file")
            .ttl(Duration.ofHours(1))
            .build());
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(McpSyncClient::close);
    if (proxy != null && proxy.isAlive()) {
      proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    server.close();
    upstream.stop();
    upstream.destroy();
  }

  private McpServerFeatures.SyncToolSpecification tool(String name) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder()
                .name(name)
                .description(name)
                .inputSchema(Map.of("type", "object"))
                .build())
        .callHandler(
            (exchange, request) -> {
              if (name.equals("delete_file")) {
                deletes.incrementAndGet();
              }
              return McpSchema.CallToolResult.builder().addTextContent(name + " done").build();
            })
        .build();
  }

  /** Starts the proxy and returns its endpoint once it printed that it is listening. */
  private String startProxy(String... extra) throws Exception {
    List<String> args = new ArrayList<>(Cli.proxyArgs(upstreamUrl, jwks));
    args.addAll(List.of(extra));
    proxy =
        new ProcessBuilder(Cli.command(List.of(), args))
            .redirectError(dir.resolve("proxy.err").toFile())
            .start();
    String line = Cli.firstLine(proxy);
    assertThat(line).as(() -> err()).matches("listening on http://127\\.0\\.0\\.1:\\d+/mcp");
    return line.substring("listening on ".length());
  }

  private String err() {
    try {
      return Files.readString(dir.resolve("proxy.err"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private String grant(SigningKey key) {
    return GrantIssuer.newBuilder()
        .signingKey(key)
        .issuer("orch")
        .build()
        .mint(graph.node("s"), "mcp:files")
        .compact();
  }

  private McpSyncClient client(String endpoint, String grant) {
    var t = HttpClientStreamableHttpTransport.builder(endpoint.replace("/mcp", ""));
    if (grant != null) {
      t.addHttpRequestCustomizer(
          McpClientGrants.newBuilder().minter(() -> grant).build().httpRequestCustomizer());
    }
    McpSyncClient c = McpClient.sync(t.build()).requestTimeout(Duration.ofSeconds(30)).build();
    clients.add(c);
    c.initialize();
    return c;
  }

  private static String text(McpSchema.CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  @Test
  void proxy_guardsAnUnguardedServer_andStopsCleanlyOnSigterm() throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    String endpoint = startProxy("--audit", audit.toString());
    McpSyncClient alice = client(endpoint, grant(KEY));

    // the server's name was learned from the upstream: tool:files/read_file
    assertThat(alice.listTools().tools())
        .extracting(McpSchema.Tool::name)
        .containsExactly("read_file");
    assertThat(text(alice.callTool(new McpSchema.CallToolRequest("read_file", Map.of()))))
        .isEqualTo("read_file done");

    McpSchema.CallToolResult refused =
        alice.callTool(new McpSchema.CallToolRequest("delete_file", Map.of()));
    assertThat(refused.isError()).isTrue();
    assertThat(text(refused)).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(refused.meta().get(McpGuard.META_DECISION).toString()).contains("OUT_OF_SCOPE");
    assertThat(deletes).hasValue(0);

    McpSyncClient nobody = client(endpoint, null);
    assertThat(nobody.listTools().tools()).isEmpty();
    assertThat(text(nobody.callTool(new McpSchema.CallToolRequest("read_file", Map.of()))))
        .startsWith("DENY INVALID_GRANT: no grant presented");

    McpSyncClient forger = client(endpoint, grant(FOREIGN));
    String forged = text(forger.callTool(new McpSchema.CallToolRequest("read_file", Map.of())));
    assertThat(forged).isEqualTo("DENY INVALID_GRANT: the grant failed verification (SIGNATURE)");
    assertThat(forged).doesNotContain("ed-1");

    proxy.destroy(); // SIGTERM
    assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
    AuditVerification v = AuditLogVerifier.verify(audit);
    assertThat(v.valid()).as(v.problem()).isTrue();
    // one record per decided call (the permit, three refusals); listing tools writes none
    assertThat(v.records()).isEqualTo(4);
  }

  @Test
  void revocations_aNodeRevokedByAnotherProcess_isRefusedByTheProxy() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      Path audit = dir.resolve("audit.jsonl");
      String endpoint = startProxy("--revocations", redis.uri(), "--audit", audit.toString());
      McpSyncClient alice = client(endpoint, grant(KEY));
      McpSchema.CallToolRequest read = new McpSchema.CallToolRequest("read_file", Map.of());
      assertThat(text(alice.callTool(read))).as(this::err).isEqualTo("read_file done");

      // an operator's kill switch, in its own process, writing to the shared store
      Cli.Result revoke =
          Cli.run(
              "revoke",
              "--revocations",
              redis.uri(),
              "--iss",
              "orch",
              "--node",
              "s",
              "--graph",
              graph.node("s").view().graphId());
      assertThat(revoke.exit()).as(revoke.err()).isZero();

      // the proxy's copy follows the store by pub/sub: the refusal arrives within its staleness
      // bound (3 s); a generous deadline, no fixed wait
      String answer = text(alice.callTool(read));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (answer.equals("read_file done") && System.nanoTime() < deadline) {
        answer = text(alice.callTool(read));
      }
      assertThat(answer).startsWith("DENY REVOKED: ").contains("node 's'");
      // a fresh grant for the same node, on a new connection, is refused too
      McpSyncClient again = client(endpoint, grant(KEY));
      McpSchema.CallToolResult refused = again.callTool(read);
      assertThat(refused.isError()).isTrue();
      assertThat(text(refused)).startsWith("DENY REVOKED: ");
      assertThat(refused.meta().get(McpGuard.META_DECISION).toString()).contains("REVOKED");

      proxy.destroy(); // SIGTERM: the registry and the store are closed with the proxy
      assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
      AuditVerification v = AuditLogVerifier.verify(audit);
      assertThat(v.valid()).as(v.problem()).isTrue();
    }
  }

  @Test
  void revocations_badUri_orAStoreOutOfReach_isOneLineNamingTheFlag_exit2() throws Exception {
    String[] base = Cli.proxyArgs(upstreamUrl, jwks).toArray(String[]::new);
    Cli.Result bad = Cli.run(concat(base, "--revocations", "http://127.0.0.1:6379"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().lines())
        .singleElement()
        .asString()
        .startsWith("exec-authz: --revocations: ");
    Cli.Result away =
        Cli.run(
            concat(
                base, "--revocations", "redis://ops:hunter2@127.0.0.1:" + RedisServer.freePort()));
    assertThat(away.exit()).isEqualTo(2);
    assertThat(away.err().lines().filter(l -> l.startsWith("exec-authz")))
        .singleElement()
        .asString()
        .startsWith("exec-authz: --revocations: ");
    assertThat(away.err()).doesNotContain("hunter2");
  }

  @Test
  void unreadableJwks_isOneLineNamingTheFlag_exit2() throws Exception {
    Cli.Result r =
        Cli.run(
            "mcp",
            "proxy",
            "--upstream",
            upstreamUrl,
            "--listen",
            "127.0.0.1:0",
            "--jwks",
            dir.resolve("missing.json").toString(),
            "--issuer",
            "orch",
            "--audience",
            "mcp:files");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines()).singleElement().asString().startsWith("exec-authz: --jwks: ");
  }

  @Test
  void badListen_andUnreadablePolicies_areOneLineNamingTheFlag_exit2() throws Exception {
    String[] base = {
      "mcp",
      "proxy",
      "--upstream",
      upstreamUrl,
      "--jwks",
      jwks.toString(),
      "--issuer",
      "orch",
      "--audience",
      "mcp:files"
    };
    Cli.Result listen = Cli.run(concat(base, "--listen", "nohost"));
    assertThat(listen.exit()).isEqualTo(2);
    assertThat(listen.err().lines())
        .singleElement()
        .asString()
        .startsWith("exec-authz: --listen: ");
    Cli.Result policies =
        Cli.run(
            concat(
                base,
                "--listen",
                "127.0.0.1:0",
                "--policies",
                dir.resolve("nope.cedar").toString()));
    assertThat(policies.exit()).isEqualTo(2);
    assertThat(policies.err().lines())
        .singleElement()
        .asString()
        .startsWith("exec-authz: --policies: cannot read ");
  }

  @Test
  void proxyHelp_namesEveryFlag() throws Exception {
    Cli.Result r = Cli.run("mcp", "proxy", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .startsWith("Usage: exec-authz mcp proxy")
        .contains("--upstream", "--listen", "--jwks", "--issuer", "--audience", "--server-name")
        .contains("--policies", "--schema", "--audit", "--revocations");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
