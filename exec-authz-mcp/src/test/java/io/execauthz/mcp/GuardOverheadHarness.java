package io.execauthz.mcp;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantVerifier;
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
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * The guard's cost per call, as a harness (not a test: no timing in the build). The same SDK server
 * three ways on 127.0.0.1 — unguarded, guarded in-process, unguarded behind {@link McpProxy} — and
 * the SDK's sync client calling one small tool over Streamable HTTP; the grant (Ed25519) is
 * verified once and then served from the verifier's cache, the policy engine permits all.
 * Interleaved rounds, so drift hits every variant alike. Run it with the test class path:
 *
 * <pre>
 * java -cp "$(cat cp.txt):target/classes:target/test-classes" io.execauthz.mcp.GuardOverheadHarness
 * </pre>
 */
@SuppressWarnings("deprecation")
public final class GuardOverheadHarness {
  private GuardOverheadHarness() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    SigningKey key = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("task")
            .principal("agent:bench")
            .capabilities("tool.call tool:bench/*")
            .ttl(Duration.ofHours(2))
            .build());
    GrantIssuer issuer = GrantIssuer.newBuilder().signingKey(key).issuer("orch").build();
    String grant = issuer.mint(graph.node("task"), "mcp:bench", Duration.ofHours(1)).compact();
    GrantVerifier verifier =
        GrantVerifier.newBuilder()
            .keys(key.publicKeySet())
            .issuer("orch")
            .audience("mcp:bench")
            .withoutRevocationChecks() // a harness: nothing is revoked
            .build();
    Authorizer authorizer =
        Authorizer.newBuilder()
            .grantSource(verifier.asGrantSource())
            .policyEngine(PolicyEngine.permitAll())
            .build();
    McpGuard guard = McpGuard.newBuilder().authorizer(authorizer).serverName("bench").build();

    var plainT = HttpServletStreamableServerTransportProvider.builder().build();
    McpSyncServer plain = McpServer.sync(plainT).serverInfo("bench", "1").tools(echo()).build();
    WebServer plainWeb = WebServer.start(plainT);
    var guardedT =
        HttpServletStreamableServerTransportProvider.builder()
            .contextExtractor(guard.contextExtractor())
            .build();
    McpSyncServer guarded =
        McpServer.sync(guardedT)
            .serverInfo("bench", "1")
            .tools(guard.guard(echo()))
            .addToolFilter(guard.toolFilter())
            .build();
    WebServer guardedWeb = WebServer.start(guardedT);
    WebServer proxyWeb =
        WebServer.start(
            McpProxy.newBuilder()
                .upstream(URI.create(plainWeb.url() + "/mcp"))
                .guard(guard)
                .build()
                .servlet());

    McpSyncClient[] clients = {
      client(plainWeb.url(), grant), client(guardedWeb.url(), grant), client(proxyWeb.url(), grant)
    };
    String[] names = {"unguarded", "guarded in-process", "guarded by the proxy"};
    McpSchema.CallToolRequest call = new McpSchema.CallToolRequest("echo", Map.of("x", 1));
    for (McpSyncClient c : clients) {
      for (int i = 0; i < 3_000; i++) {
        if (Boolean.TRUE.equals(c.callTool(call).isError())) {
          throw new AssertionError("refused during warm-up");
        }
      }
    }
    double[][] means = new double[clients.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < clients.length; v++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < perRound; i++) {
          clients[v].callTool(call);
        }
        means[v][r] = (System.nanoTime() - t0) / 1_000.0 / perRound;
      }
    }
    // the decision alone, as the guard makes it for each call (grant served from the cache)
    java.util.List<String> header = java.util.List.of(grant);
    Map<String, Object> callArgs = Map.of("x", 1);
    double[] decisions = new double[rounds];
    for (int r = -5; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 20_000; i++) {
        if (!guard
            .decide(header, null, "tool.call", "tool:bench/echo", callArgs, "echo")
            .isPermit()) {
          throw new AssertionError("refused");
        }
      }
      if (r >= 0) {
        decisions[r] = (System.nanoTime() - t0) / 1_000.0 / 20_000;
      }
    }
    double base = median(means[0]);
    System.out.printf(
        "%d rounds x %d calls per variant, median of round means (µs per call):%n",
        rounds, perRound);
    for (int v = 0; v < clients.length; v++) {
      double m = median(means[v]);
      System.out.printf(
          "  %-22s %8.1f µs  (%+.1f%% vs unguarded)%n", names[v], m, 100 * (m - base) / base);
    }
    System.out.printf("  the guard's decision alone: %.1f µs%n", median(decisions));
    for (McpSyncClient c : clients) {
      c.close();
    }
    plain.close();
    guarded.close();
    proxyWeb.close();
    plainWeb.close();
    guardedWeb.close();
    System.exit(0); // the SDK's client leaves non-daemon threads behind
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static McpServerFeatures.SyncToolSpecification echo() {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder()
                .name("echo")
                .description("echo")
                .inputSchema(Map.of("type", "object"))
                .build())
        .callHandler(
            (exchange, request) -> McpSchema.CallToolResult.builder().addTextContent("ok").build())
        .build();
  }

  private static McpSyncClient client(String url, String grant) {
    McpClientGrants grants = McpClientGrants.newBuilder().minter(() -> grant).build();
    McpSyncClient c =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder(url)
                    .addHttpRequestCustomizer(grants.httpRequestCustomizer())
                    .build())
            .requestTimeout(Duration.ofSeconds(30))
            .build();
    c.initialize();
    return c;
  }
}
