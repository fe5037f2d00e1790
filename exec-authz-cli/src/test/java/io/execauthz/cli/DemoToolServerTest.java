package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.SigningKey;
import io.execauthz.mcp.McpGuard;
import io.execauthz.spi.PolicyEngine;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's tool server is a real MCP server on loopback: the SDK's client reaches it over
 * Streamable HTTP with a grant, its answers are decided by the guard, and closing it closes the
 * port.
 */
final class DemoToolServerTest {
  private static final SigningKey KEY = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");

  /** Grants of {@link #KEY} for {@code mcp:github} from issuer {@code orch}; no policies. */
  private static Authorizer authorizer() {
    return Authorizer.newBuilder()
        .grantSource(
            GrantVerifier.newBuilder()
                .keys(io.execauthz.jwt.PublicKeySet.of(KEY))
                .issuer("orch")
                .audience("mcp:github")
                .withoutRevocationChecks()
                .build()
                .asGrantSource())
        .policyEngine(PolicyEngine.permitAll())
        .build();
  }

  @Test
  void theServer_answersOverHttp_underTheGrant_andCloseFreesThePort() throws Exception {
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("review")
            .principal("agent:reviewer")
            .capabilities("tool.call tool:github/create_pr")
            .ttl(Duration.ofMinutes(10))
            .build());
    GrantIssuer issuer = GrantIssuer.newBuilder().signingKey(KEY).issuer("orch").build();
    Authorizer authorizer = authorizer();
    String grant = issuer.mint(graph.node("review"), "mcp:github").compact();
    URI url;
    try (DemoToolServer server =
        DemoToolServer.start(
            authorizer, "github", List.of("create_pr", "push"), java.time.InstantSource.system())) {
      url = URI.create(server.url());
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      assertThat(url.getPort()).isPositive();
      var client = server.client(grant);
      assertThat(client.listTools().tools())
          .extracting(McpSchema.Tool::name)
          .containsExactly("create_pr");
      McpSchema.CallToolResult ok =
          client.callTool(
              McpSchema.CallToolRequest.builder("create_pr").arguments(Map.of()).build());
      assertThat(ok.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(((McpSchema.TextContent) ok.content().get(0)).text()).isEqualTo("create_pr: done");
      McpSchema.CallToolResult refused =
          client.callTool(McpSchema.CallToolRequest.builder("push").arguments(Map.of()).build());
      assertThat(refused.isError()).isTrue();
      assertThat(((McpSchema.TextContent) refused.content().get(0)).text())
          .startsWith("DENY OUT_OF_SCOPE: ");
      assertThat(refused.meta().get(McpGuard.META_DECISION).toString()).contains("OUT_OF_SCOPE");
    }
    assertThatThrownBy(() -> new Socket(url.getHost(), url.getPort()).close())
        .isInstanceOf(ConnectException.class);
  }

  /**
   * The SDK's servlet marks streamed answers {@code Connection: keep-alive}; a {@code close} that
   * Tomcat added behind it (by default on a connection's 100th request) is never read by the JDK's
   * client. The demo server never closes a connection on a count.
   */
  @Test
  void theServer_neverClosesAConnectionAfterItsHundredthRequest() throws Exception {
    Authorizer authorizer = authorizer();
    try (DemoToolServer server =
        DemoToolServer.start(
            authorizer, "github", List.of("create_pr"), java.time.InstantSource.system())) {
      var http =
          java.net.http.HttpClient.newBuilder()
              .version(java.net.http.HttpClient.Version.HTTP_1_1)
              .build();
      String initialize =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
              + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
              + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
      for (int i = 0; i < 120; i++) {
        var r =
            http.send(
                java.net.http.HttpRequest.newBuilder(URI.create(server.url() + "/mcp"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(initialize))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
        assertThat(r.headers().allValues("connection")).as("request %d", i).doesNotContain("close");
      }
    }
  }
}
