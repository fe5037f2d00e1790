package io.execauthz.mcp;

import static io.execauthz.mcp.Fixture.call;
import static io.execauthz.mcp.Fixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.McpJsonDefaults;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What only the proxy does: keep the grant from the upstream, refuse batches, learn a name. */
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
  void serverName_isLearnedFromTheUpstreamsInitializeResult() throws Exception {
    assertThat(
            McpProxy.serverName(URI.create(f.upstream.url() + "/mcp"), McpJsonDefaults.getMapper()))
        .isEqualTo("files");
  }
}
