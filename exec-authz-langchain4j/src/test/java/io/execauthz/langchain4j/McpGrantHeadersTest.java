package io.execauthz.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpCallContext;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.service.AiServices;
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
import io.execauthz.langchain4j.ExecAuthzToolsTest.Assistant;
import io.execauthz.mcp.McpGuard;
import io.execauthz.spi.PolicyEngine;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's own MCP client ({@code McpToolProvider} over {@code StreamableHttpMcpTransport})
 * against a real MCP Java SDK server guarded by exec-authz-mcp in embedded Tomcat on 127.0.0.1: the
 * calling node's grant rides every request, and the server lists and runs only what it allows.
 */
@SuppressWarnings("deprecation") // the SDK deprecates its Tool builder in favour of one not in 2.1
final class McpGrantHeadersTest {
  private static final String ISSUER = "https://orchestrator.test";
  private static final String AUDIENCE = "mcp:files";
  private static final SigningKey KEY = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");

  // the orchestrator: its graph and its grant issuer
  private final RevocationRegistry revocations =
      RevocationRegistry.inMemory(InstantSource.system());
  private final ExecutionGraph graph =
      ExecutionGraph.newBuilder().listener(revocations.graphListener()).build();
  private final GrantIssuer issuer =
      GrantIssuer.newBuilder().signingKey(KEY).issuer(ISSUER).revocations(revocations).build();
  private final AtomicInteger minted = new AtomicInteger();

  // the tool server: verifies grants offline and decides with their authority
  private final List<AuditRecord> serverAudit = new CopyOnWriteArrayList<>();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private McpSyncServer server;
  private WebServer web;
  private McpClient client;

  @BeforeEach
  void setUp() {
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:files/*", "fs.read fs:/repo/**")
            .ttl(Duration.ofHours(1))
            .build());
    graph.spawn(
        "session",
        NodeSpec.builder("docs-task")
            .capabilities("tool.call tool:files/read_file", "fs.read fs:/repo/docs/**")
            .build());
    Authorizer serverAuthorizer =
        Authorizer.newBuilder()
            .grantSource(
                GrantVerifier.newBuilder()
                    .keys(PublicKeySet.of(KEY))
                    .issuer(ISSUER)
                    .audience(AUDIENCE)
                    .revocations(revocations)
                    .build()
                    .asGrantSource())
            .policyEngine(PolicyEngine.permitAll())
            .auditSink(serverAudit::add)
            .build();
    McpGuard guard =
        McpGuard.newBuilder()
            .authorizer(serverAuthorizer)
            .serverName("files")
            .argumentChecks(
                (tool, args) ->
                    tool.equals("read_file")
                        ? List.of(new McpGuard.Check("fs.read", "fs:" + args.get("path")))
                        : List.of())
            .build();
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .contextExtractor(guard.contextExtractor())
            .build();
    server =
        McpServer.sync(transport)
            .serverInfo("files", "1.0.0")
            .tools(
                guard.guardAll(List.of(tool("read_file"), tool("list_dir"), tool("delete_file"))))
            .addToolFilter(guard.toolFilter())
            .build();
    web = WebServer.start(transport);

    McpGrantHeaders grants =
        McpGrantHeaders.newBuilder()
            .minter(
                node -> {
                  minted.incrementAndGet();
                  return issuer.mint(graph.node(node), AUDIENCE).compact();
                })
            .build();
    client =
        DefaultMcpClient.builder()
            .transport(
                StreamableHttpMcpTransport.builder()
                    .url(web.url() + "/mcp")
                    .customHeaders(grants)
                    .timeout(Duration.ofSeconds(20))
                    .build())
            .cacheToolList(false) // each invocation lists with its own node's grant
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
    web.close();
  }

  private McpServerFeatures.SyncToolSpecification tool(String name) {
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
              ran.add(name + " " + request.arguments().get("path"));
              return McpSchema.CallToolResult.builder()
                  .addTextContent("contents of " + request.arguments().get("path"))
                  .build();
            })
        .build();
  }

  private Assistant assistant(ScriptedModel model) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(McpGrantHeaders.toolProvider(client))
        .build();
  }

  @Test
  void nodesGrant_reachesTheGuardedServer_permittedCallRuns_outOfScopeCallIsRefusedWithItsReason() {
    ScriptedModel model =
        new ScriptedModel()
            .call("read_file", "{\"path\":\"/repo/docs/guide.md\"}")
            .call("read_file", "{\"path\":\"/repo/src/Secrets.java\"}")
            .answer("read the guide; the source is out of my scope");

    String out = assistant(model).chat("read", ExecAuthzTools.parameters("docs-task"));

    assertThat(out).isEqualTo("read the guide; the source is out of my scope");
    // the server listed only what docs-task's grant allows
    assertThat(model.shown.get(0)).containsExactly("read_file");
    assertThat(ran).containsExactly("read_file /repo/docs/guide.md");
    assertThat(model.toolResults).hasSize(2);
    assertThat(model.toolResults.get(0)).contains("contents of /repo/docs/guide.md");
    assertThat(model.toolResults.get(1))
        .startsWith("DENY OUT_OF_SCOPE: ")
        .contains("fs:/repo/src/Secrets.java");
    // the server decided on the grant: docs-task's own node path, verified offline
    assertThat(serverAudit).isNotEmpty();
    assertThat(serverAudit).allMatch(r -> r.nodePath().equals(List.of("session", "docs-task")));
    assertThat(minted).hasValue(1); // one grant, reused until near its exp
  }

  @Test
  void behindExecAuthzTools_theOrchestratorAndTheServerBothDecide() {
    ExecAuthzTools guarded =
        ExecAuthzTools.newBuilder()
            .authorizer(
                Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build())
            .toolset("files") // the server's name: tool T is tool.call on tool:files/T
            .toolProvider(McpGrantHeaders.toolProvider(client))
            .build();
    ScriptedModel model =
        new ScriptedModel()
            .call("read_file", "{\"path\":\"/repo/docs/guide.md\"}")
            .call("delete_file", "{\"path\":\"/repo/docs/guide.md\"}")
            .answer("done");

    AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(guarded)
        .hallucinatedToolNameStrategy(ExecAuthzTools.hiddenToolStrategy())
        .build()
        .chat("read", ExecAuthzTools.parameters("docs-task"));

    assertThat(model.shown.get(0)).containsExactly("read_file");
    assertThat(ran).containsExactly("read_file /repo/docs/guide.md");
    assertThat(model.toolResults.get(1)).startsWith("DENY OUT_OF_SCOPE: ");
  }

  @Test
  void invocationWithoutANode_sendsNoGrant_andTheServerShowsNothing() {
    ScriptedModel model = new ScriptedModel().answer("nothing to do");

    assistant(model).chat("read", ExecAuthzTools.parameters("")); // names no node

    assertThat(model.shown.get(0)).isEmpty();
    assertThat(minted).hasValue(0);
  }

  @Test
  void revokedNode_nextCallIsRefusedByTheServer() {
    ScriptedModel model =
        new ScriptedModel()
            .call("read_file", "{\"path\":\"/repo/docs/a.md\"}")
            .meanwhile(() -> graph.revoke("docs-task", "operator stopped it"))
            .call("read_file", "{\"path\":\"/repo/docs/b.md\"}")
            .answer("stopped");

    assistant(model).chat("read", ExecAuthzTools.parameters("docs-task"));

    assertThat(ran).containsExactly("read_file /repo/docs/a.md");
    assertThat(model.toolResults.get(1)).startsWith("DENY REVOKED: ");
  }

  private static String token(long exp) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"EdDSA\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(("{\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8))
        + ".sig";
  }

  /** A clock a test moves by hand. */
  private static final class Clock implements InstantSource {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void grant_isReusedPerNode_andMintedAgainBeforeItsExp() {
    Clock clock = new Clock();
    List<String> asked = new ArrayList<>();
    McpGrantHeaders grants =
        McpGrantHeaders.newBuilder()
            .minter(
                node -> {
                  asked.add(node);
                  return token(clock.now.getEpochSecond() + 300);
                })
            .refreshBefore(Duration.ofSeconds(30))
            .clock(clock)
            .build();

    String first = grants.grantFor("a");
    clock.now = clock.now.plusSeconds(200);
    assertThat(grants.grantFor("a")).isEqualTo(first);
    grants.grantFor("b");
    clock.now = clock.now.plusSeconds(71); // 29 s before a's exp: inside the margin
    assertThat(grants.grantFor("a")).isNotEqualTo(first);
    assertThat(asked).containsExactly("a", "b", "a");
    assertThat(grants.toString()).doesNotContain(first);
  }

  @Test
  void callContextWithoutAnInvocation_orAFailingMinter_carriesNoGrant() {
    McpGrantHeaders failing =
        McpGrantHeaders.newBuilder()
            .minter(
                node -> {
                  throw new IllegalStateException("node ended");
                })
            .build();
    assertThat(failing.apply(new McpCallContext(null, null))).isEmpty();
    assertThat(failing.apply(null)).isEmpty();
    assertThat(failing.meta().apply(null)).isEmpty();
    assertThatThrownBy(() -> McpGrantHeaders.newBuilder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("minter");
    assertThatThrownBy(() -> McpGrantHeaders.newBuilder().maxNodes(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
