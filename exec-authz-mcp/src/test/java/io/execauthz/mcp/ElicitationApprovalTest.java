package io.execauthz.mcp;

import static io.execauthz.mcp.Fixture.call;
import static io.execauthz.mcp.Fixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Approvals asked of the client by MCP elicitation, over Streamable HTTP with the real SDK. */
@SuppressWarnings("deprecation")
final class ElicitationApprovalTest {
  private final Fixture f = new Fixture();
  private final McpGuard guard =
      McpGuard.newBuilder()
          .authorizer(f.authorizer)
          .serverName("files")
          .approvalsByElicitation()
          .build();
  private final McpSyncServer server;
  private final WebServer web;
  private final List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
  private final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

  ElicitationApprovalTest() {
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .contextExtractor(guard.contextExtractor())
            .build();
    server =
        McpServer.sync(transport)
            .serverInfo("files", "1")
            .tools(guard.guard(f.tool("deploy")))
            .build();
    web = WebServer.start(transport);
  }

  @AfterEach
  void stop() {
    clients.forEach(McpSyncClient::close);
    server.close();
    web.close();
    f.close();
  }

  private McpSyncClient client(String grant, McpSchema.ElicitResult answer) {
    return client(grant, answer, false);
  }

  private McpSyncClient client(String grant, McpSchema.ElicitResult answer, boolean fails) {
    var t =
        HttpClientStreamableHttpTransport.builder(web.url())
            .addHttpRequestCustomizer(
                McpClientGrants.newBuilder().minter(() -> grant).build().httpRequestCustomizer());
    var spec =
        McpClient.sync(t.build())
            .requestTimeout(Duration.ofSeconds(20))
            .clientInfo(new McpSchema.Implementation("ide", "2.0"));
    if (answer != null) {
      spec.capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
          .elicitation(
              request -> {
                asked.add(request);
                if (fails) {
                  throw new IllegalStateException("the user closed the dialog");
                }
                return answer;
              });
    }
    McpSyncClient c = spec.build();
    clients.add(c);
    c.initialize();
    return c;
  }

  private static McpSchema.ElicitResult answer(McpSchema.ElicitResult.Action action, boolean yes) {
    return new McpSchema.ElicitResult(action, Map.of("approve", yes));
  }

  @Test
  void acceptedElicitation_approvesThatOneCall_andTheNextCallAsksAgain() {
    String g = f.grantFor("b1", "tool.call tool:files/deploy approval");
    McpSyncClient c = client(g, answer(McpSchema.ElicitResult.Action.ACCEPT, true));
    assertThat(text(c.callTool(call("deploy", "/prod")))).isEqualTo("deploy /prod");
    assertThat(asked).hasSize(1);
    McpSchema.ElicitFormRequest q = asked.get(0);
    String sha = io.execauthz.Args.of(Map.of("path", "/prod")).sha256();
    assertThat(q.message()).contains("node b1", "tool.call on tool:files/deploy", sha);
    assertThat(q.meta().get("io.execauthz/approval").toString()).contains(sha);
    assertThat(text(c.callTool(call("deploy", "/prod")))).isEqualTo("deploy /prod");
    assertThat(asked).hasSize(2); // an approval is for one call only
    assertThat(f.handlerRuns).hasValue(2);
    // the audit log says who approved and how: the client software, by elicitation
    assertThat(f.audit).hasSize(4);
    assertThat(f.audit.get(0).approval()).isNull(); // the deny that led to the question
    assertThat(f.audit.get(1).permitted()).isTrue();
    assertThat(f.audit.get(1).approval())
        .isEqualTo(new io.execauthz.audit.Approval("ide/2.0", "mcp-elicitation"));
    assertThat(f.audit.get(1).argsSha256()).isEqualTo(sha);
  }

  @Test
  void elicited_namesTheClientByNameAndVersion_cutAndStrippedToWhatTheRecordKeeps() {
    assertThat(McpGuard.elicited(new McpSchema.Implementation("ide\n", "2.0")).by())
        .isEqualTo("ide/2.0");
    assertThat(McpGuard.elicited(new McpSchema.Implementation("x".repeat(300), "1")).by())
        .hasSize(io.execauthz.audit.Approval.MAX_BY);
    assertThat(McpGuard.elicited(null))
        .isEqualTo(new io.execauthz.audit.Approval(null, "mcp-elicitation"));
  }

  @Test
  void declinedElicitation_leavesTheDeny() {
    String g = f.grantFor("b1", "tool.call tool:files/deploy approval");
    McpSyncClient c = client(g, answer(McpSchema.ElicitResult.Action.DECLINE, false));
    assertThat(text(c.callTool(call("deploy", "/prod")))).startsWith("DENY APPROVAL_REQUIRED: ");
    McpSyncClient saysNo = client(g, answer(McpSchema.ElicitResult.Action.ACCEPT, false));
    assertThat(text(saysNo.callTool(call("deploy", "/prod"))))
        .startsWith("DENY APPROVAL_REQUIRED: ");
    assertThat(asked).hasSize(2);
    assertThat(f.handlerRuns).hasValue(0);
  }

  @Test
  void anElicitationThatFails_leavesTheDeny() {
    String g = f.grantFor("b1", "tool.call tool:files/deploy approval");
    McpSyncClient c = client(g, answer(McpSchema.ElicitResult.Action.ACCEPT, true), true);
    assertThat(text(c.callTool(call("deploy", "/prod")))).startsWith("DENY APPROVAL_REQUIRED: ");
    assertThat(asked).hasSize(1);
    assertThat(f.handlerRuns).hasValue(0);
  }

  @Test
  void clientWithoutElicitation_isNotAsked_andTheDenyStands() {
    String g = f.grantFor("b1", "tool.call tool:files/deploy approval");
    McpSyncClient c = client(g, null);
    assertThat(text(c.callTool(call("deploy", "/prod")))).startsWith("DENY APPROVAL_REQUIRED: ");
    assertThat(f.handlerRuns).hasValue(0);
  }

  @Test
  void otherRefusals_areNeverTurnedIntoQuestions() {
    String g = f.grantFor("b1", "tool.call tool:files/list_dir");
    McpSyncClient c = client(g, answer(McpSchema.ElicitResult.Action.ACCEPT, true));
    assertThat(text(c.callTool(call("deploy", "/prod")))).startsWith("DENY OUT_OF_SCOPE: ");
    assertThat(asked).isEmpty();
  }
}
