package io.execauthz.mcp;

import static io.execauthz.mcp.Fixture.call;
import static io.execauthz.mcp.Fixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The async and stateless SDK servers, and resources, guarded the same way. */
@SuppressWarnings("deprecation")
final class ServerVariantsTest {
  private final Fixture f = new Fixture();
  private final AtomicInteger runs = new AtomicInteger();
  private WebServer web;
  private AutoCloseable server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (web != null) {
      web.close();
    }
    f.close();
  }

  private static McpSchema.Tool tool(String name) {
    return McpSchema.Tool.builder()
        .name(name)
        .description(name)
        .inputSchema(java.util.Map.of("type", "object"))
        .build();
  }

  private void assertGuarded(McpSyncClient withGrant, McpSyncClient without) {
    assertThat(withGrant.listTools().tools())
        .extracting(McpSchema.Tool::name)
        .containsExactly("list_dir");
    assertThat(without.listTools().tools()).isEmpty();
    assertThat(text(withGrant.callTool(call("list_dir", "/a")))).isEqualTo("ok");
    assertThat(text(withGrant.callTool(call("delete_file", "/a"))))
        .startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(text(without.callTool(call("list_dir", "/a")))).startsWith("DENY INVALID_GRANT: ");
    assertThat(runs).hasValue(1);
  }

  @Test
  void asyncServer_isGuarded() {
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .contextExtractor(f.guard.contextExtractor())
            .build();
    List<McpServerFeatures.AsyncToolSpecification> tools =
        List.of("list_dir", "delete_file").stream()
            .map(
                n ->
                    f.guard.guard(
                        new McpServerFeatures.AsyncToolSpecification(
                            tool(n),
                            (exchange, request) -> {
                              runs.incrementAndGet();
                              return Mono.just(
                                  McpSchema.CallToolResult.builder().addTextContent("ok").build());
                            })))
            .toList();
    var s =
        McpServer.async(transport)
            .serverInfo("files", "1")
            .tools(tools)
            .addToolFilter(f.guard.asyncToolFilter())
            .build();
    server = s::close;
    web = WebServer.start(transport);
    String g = f.grantFor("b1", "tool.call tool:files/list_dir");
    assertGuarded(f.client(web.url(), () -> g), f.client(web.url(), null));
  }

  @Test
  void statelessServer_isGuarded() {
    var transport =
        HttpServletStatelessServerTransport.builder()
            .contextExtractor(f.guard.contextExtractor())
            .build();
    var tools =
        List.of("list_dir", "delete_file").stream()
            .map(
                n ->
                    f.guard.guard(
                        new McpStatelessServerFeatures.SyncToolSpecification(
                            tool(n),
                            (context, request) -> {
                              runs.incrementAndGet();
                              return McpSchema.CallToolResult.builder()
                                  .addTextContent("ok")
                                  .build();
                            })))
            .toList();
    var s =
        McpServer.sync(transport)
            .serverInfo("files", "1")
            .tools(tools)
            .addToolFilter(f.guard.toolFilter())
            .build();
    server = s::close;
    web = WebServer.start(transport);
    String g = f.grantFor("b1", "tool.call tool:files/list_dir");
    assertGuarded(f.client(web.url(), () -> g), f.client(web.url(), null));
  }

  @Test
  void resourceRead_isGuardedAsResourceReadOnTheMappedUri() {
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .contextExtractor(f.guard.contextExtractor())
            .build();
    var resource =
        new McpServerFeatures.SyncResourceSpecification(
            McpSchema.Resource.builder().uri("file:///docs/a.md").name("a").build(),
            (exchange, request) -> {
              runs.incrementAndGet();
              return new McpSchema.ReadResourceResult(
                  List.of(new McpSchema.TextResourceContents(request.uri(), "text/plain", "A")));
            });
    var s =
        McpServer.sync(transport)
            .serverInfo("files", "1")
            .resources(f.guard.guard(resource))
            .build();
    server = s::close;
    web = WebServer.start(transport);
    String yes = f.grantFor("r1", "resource.read resource:files/file/docs/*");
    String no = f.grantFor("r2", "tool.call tool:files/*");
    var req = new McpSchema.ReadResourceRequest("file:///docs/a.md");
    assertThat(f.client(web.url(), () -> yes).readResource(req).contents()).hasSize(1);
    assertThatThrownBy(() -> f.client(web.url(), () -> no).readResource(req))
        .isInstanceOfSatisfying(
            McpError.class,
            e -> {
              assertThat(e.getJsonRpcError().code()).isEqualTo(McpGuard.DENIED_ERROR_CODE);
              assertThat(e.getJsonRpcError().message()).startsWith("DENY OUT_OF_SCOPE: ");
            });
    assertThat(runs).hasValue(1);
  }
}
