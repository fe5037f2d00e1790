package io.execauthz.mcp;

import io.execauthz.Authorizer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.spi.PolicyEngine;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** A guarded SDK server on stdio, started as a child process by {@link StdioEndToEndTest}. */
@SuppressWarnings("deprecation")
public final class StdioGuardedServer {
  private StdioGuardedServer() {}

  /**
   * @param args the JWK set file the orchestrator's grants are verified with
   */
  public static void main(String[] args) throws Exception {
    GrantVerifier verifier =
        GrantVerifier.newBuilder()
            .keys(PublicKeySet.read(Path.of(args[0])))
            .issuer(Fixture.ISSUER)
            .audience(Fixture.AUDIENCE)
            .withoutRevocationChecks() // a child process with no registry to share
            .build();
    Authorizer authorizer =
        Authorizer.newBuilder()
            .grantSource(verifier.asGrantSource())
            .policyEngine(PolicyEngine.permitAll())
            .build();
    McpGuard guard = McpGuard.newBuilder().authorizer(authorizer).serverName("files").build();
    var tool =
        McpServerFeatures.SyncToolSpecification.builder()
            .tool(
                McpSchema.Tool.builder()
                    .name("list_dir")
                    .description("list_dir")
                    .inputSchema(Map.of("type", "object"))
                    .build())
            .callHandler(
                (exchange, request) ->
                    McpSchema.CallToolResult.builder().addTextContent("listed").build())
            .build();
    McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper()))
        .serverInfo("files", "1")
        .tools(guard.guard(tool))
        .addToolFilter(guard.toolFilter())
        .build();
    new CountDownLatch(1).await(); // until the client ends the process
  }
}
