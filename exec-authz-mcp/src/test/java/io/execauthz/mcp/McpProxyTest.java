package io.execauthz.mcp;

import static io.execauthz.mcp.Fixture.call;
import static io.execauthz.mcp.Fixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only the proxy does: keep the grant from the upstream, pass progress and server requests
 * through, refuse batches, learn a name.
 */
final class McpProxyTest {
  private final Fixture f = new Fixture(true);

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void theGrantHeader_isNeverForwardedUpstream() {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    assertThat(text(f.client(() -> g).callTool(call("list_dir", "/a")))).isEqualTo("list_dir /a");
    assertThat(f.handlerRuns).hasValue(1);
    assertThat(f.upstreamGrantHeaders).isEmpty();
  }

  @Test
  void aBatchWithAGuardedRequest_isRefusedAsAWhole() throws Exception {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(f.web.url() + "/mcp"))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header(McpGuard.HEADER, g)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                                + "\"params\":{\"name\":\"delete_file\",\"arguments\":{}}}]"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(f.handlerRuns).hasValue(0);
  }

  @Test
  @SuppressWarnings("deprecation")
  void progressAndServerRequests_passThroughThePermittedCall() throws Exception {
    var transport = HttpServletStreamableServerTransportProvider.builder().build();
    var tool =
        McpServerFeatures.SyncToolSpecification.builder()
            .tool(
                McpSchema.Tool.builder()
                    .name("ask")
                    .description("ask")
                    .inputSchema(Map.of("type", "object"))
                    .build())
            .callHandler(
                (exchange, request) -> {
                  exchange.progressNotification(
                      new McpSchema.ProgressNotification(
                          request.progressToken(), 0.5, 1.0, "half way"));
                  var answer =
                      exchange.createElicitation(
                          new McpSchema.ElicitFormRequest(
                              "name?",
                              Map.of(
                                  "type",
                                  "object",
                                  "properties",
                                  Map.of("name", Map.of("type", "string"))),
                              null));
                  return McpSchema.CallToolResult.builder()
                      .addTextContent("hello " + answer.content().get("name"))
                      .build();
                })
            .build();
    var upstreamServer = McpServer.sync(transport).serverInfo("files", "1").tools(tool).build();
    try (WebServer up = WebServer.start(transport);
        WebServer proxy =
            WebServer.start(
                McpProxy.newBuilder()
                    .upstream(URI.create(up.url() + "/mcp"))
                    .guard(f.guard)
                    .build()
                    .servlet())) {
      String g = f.grantFor("b1", "tool.call tool:files/ask");
      List<String> progress = new CopyOnWriteArrayList<>();
      var client =
          McpClient.sync(
                  HttpClientStreamableHttpTransport.builder(proxy.url())
                      .addHttpRequestCustomizer(
                          McpClientGrants.newBuilder()
                              .minter(() -> g)
                              .build()
                              .httpRequestCustomizer())
                      .build())
              .requestTimeout(Duration.ofSeconds(20))
              .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
              .elicitation(
                  request ->
                      new McpSchema.ElicitResult(
                          McpSchema.ElicitResult.Action.ACCEPT, Map.of("name", "alice")))
              .progressConsumer(p -> progress.add(p.message()))
              .build();
      try {
        client.initialize();
        var result =
            client.callTool(
                McpSchema.CallToolRequest.builder("ask")
                    .arguments(Map.of())
                    .progressToken("t-1")
                    .build());
        assertThat(text(result)).isEqualTo("hello alice");
        // the SDK's sync client hands progress to its consumer on another thread, maybe later
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (progress.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(progress).containsExactly("half way");
      } finally {
        client.close();
        upstreamServer.close();
      }
    }
  }

  @Test
  void serverName_isLearnedFromTheUpstreamsInitializeResult() throws Exception {
    assertThat(
            McpProxy.serverName(URI.create(f.upstream.url() + "/mcp"), McpJsonDefaults.getMapper()))
        .isEqualTo("files");
  }
}
