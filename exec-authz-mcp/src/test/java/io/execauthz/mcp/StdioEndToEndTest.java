package io.execauthz.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.jwt.GrantIssuer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over stdio, with the guarded server in a child process: the grant travels in {@code _meta}. */
final class StdioEndToEndTest {
  @TempDir Path dir;

  @Test
  void grantInMeta_isDecidedOverStdio_andAListSeesNoGrant() throws Exception {
    Path jwks = dir.resolve("jwks.json");
    Fixture.KEY.publicKeySet().write(jwks);
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("b1")
            .principal("agent:b1")
            .capabilities("tool.call tool:files/list_dir")
            .ttl(Duration.ofMinutes(10))
            .build());
    GrantIssuer issuer = Fixture.issuer(Fixture.KEY);
    McpClientGrants grants =
        McpClientGrants.newBuilder()
            .minter(() -> issuer.mint(graph.node("b1"), Fixture.AUDIENCE).compact())
            .build();
    ServerParameters server =
        ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
            .args(
                "-cp",
                System.getProperty("java.class.path"),
                StdioGuardedServer.class.getName(),
                jwks.toString())
            .build();
    try (McpSyncClient client =
        McpClient.sync(new StdioClientTransport(server, McpJsonDefaults.getMapper()))
            .requestTimeout(Duration.ofSeconds(60))
            .initializationTimeout(Duration.ofSeconds(60))
            .build()) {
      client.initialize();
      McpSchema.CallToolResult ok =
          client.callTool(
              McpSchema.CallToolRequest.builder("list_dir")
                  .arguments(Map.of())
                  .meta(grants.meta())
                  .build());
      assertThat(((McpSchema.TextContent) ok.content().get(0)).text()).isEqualTo("listed");
      McpSchema.CallToolResult none =
          client.callTool(
              McpSchema.CallToolRequest.builder("list_dir").arguments(Map.of()).build());
      assertThat(none.isError()).isTrue();
      assertThat(((McpSchema.TextContent) none.content().get(0)).text())
          .startsWith("DENY INVALID_GRANT: no grant presented");
      // a list filter sees only the transport context: over stdio, no grant, so nothing is listed
      assertThat(client.listTools().tools()).isEmpty();
    }
  }
}
