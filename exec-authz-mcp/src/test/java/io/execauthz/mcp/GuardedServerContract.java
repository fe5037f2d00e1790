package io.execauthz.mcp;

import static io.execauthz.mcp.Fixture.call;
import static io.execauthz.mcp.Fixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.audit.AuditRecord;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a guarded server answers, with the SDK's client and server over Streamable HTTP on
 * 127.0.0.1: guarded in-process ({@link McpGuardEndToEndTest}) or by the proxy ({@link
 * McpProxyEndToEndTest}).
 */
@SuppressWarnings("deprecation")
abstract class GuardedServerContract {
  final Fixture f = new Fixture(proxied());

  abstract boolean proxied();

  @AfterEach
  void stop() {
    f.close();
  }

  private static String toolNames(McpSyncClient c) {
    return String.join(",", c.listTools().tools().stream().map(McpSchema.Tool::name).toList());
  }

  @Test
  void permittedCall_runsTheTool() {
    String g = f.grantFor("b1", "tool.call tool:files/read_file", "fs.read fs:/repo/**");
    McpSchema.CallToolResult r = f.client(() -> g).callTool(call("read_file", "/repo/a.md"));
    assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(r)).isEqualTo("read_file /repo/a.md");
    assertThat(f.handlerRuns).hasValue(1);
    AuditRecord last = f.audit.get(f.audit.size() - 1);
    assertThat(last.permitted()).isTrue();
    assertThat(last.resource()).isEqualTo("fs:/repo/a.md");
    assertThat(f.audit).anyMatch(a -> a.resource().equals("tool:files/read_file"));
  }

  @Test
  void outOfScopeCall_isRefusedWithTheContractResult_andTheToolNeverRuns() {
    String g = f.grantFor("b1", "tool.call tool:files/read_file", "fs.read fs:/repo/**");
    McpSchema.CallToolResult r = f.client(() -> g).callTool(call("delete_file", "/repo/a.md"));
    assertThat(r.isError()).isTrue();
    assertThat(r.content()).hasSize(1);
    assertThat(text(r)).startsWith("DENY OUT_OF_SCOPE: ");
    @SuppressWarnings("unchecked")
    Map<String, Object> decision = (Map<String, Object>) r.meta().get(McpGuard.META_DECISION);
    assertThat(decision)
        .containsEntry("decision", "DENY")
        .containsEntry("reason", "OUT_OF_SCOPE")
        .containsKey("decisionId");
    assertThat(f.audit).anyMatch(a -> a.decisionId().equals(decision.get("decisionId")));
    assertThat(f.handlerRuns).hasValue(0);
  }

  @Test
  void toolsList_showsOnlyWhatTheGrantAllows_andNothingWithoutAGrant() {
    String one = f.grantFor("b1", "tool.call tool:files/read_file");
    String two =
        f.grantFor("b2", "tool.call tool:files/read_file", "tool.call tool:files/list_dir");
    assertThat(toolNames(f.client(() -> one))).isEqualTo("read_file");
    assertThat(toolNames(f.client(() -> two))).isEqualTo("read_file,list_dir");
    assertThat(toolNames(f.client(null))).isEmpty();
    // listing is side-effect free: no audit record
    assertThat(f.audit).isEmpty();
  }

  @Test
  void multiCheckCall_whoseSecondCheckFails_spendsNoBudget() {
    String g = f.grantFor("b1", "tool.call tool:files/read_file maxCalls=1", "fs.read fs:/repo/**");
    McpSyncClient c = f.client(() -> g);
    McpSchema.CallToolResult refused = c.callTool(call("read_file", "/etc/passwd"));
    assertThat(text(refused)).startsWith("DENY OUT_OF_SCOPE: ");
    // the one call the budget allows is still there
    assertThat(text(c.callTool(call("read_file", "/repo/a.md")))).isEqualTo("read_file /repo/a.md");
    assertThat(text(c.callTool(call("read_file", "/repo/a.md"))))
        .startsWith("DENY BUDGET_EXHAUSTED: ");
    assertThat(f.handlerRuns).hasValue(1);
  }

  @Test
  void revokedNode_isRefusedOnTheNextCall() {
    String g = f.grantFor("b1", "tool.call tool:files/*", "fs.read fs:/repo/**");
    McpSyncClient c = f.client(() -> g);
    assertThat(c.callTool(call("list_dir", "/repo")).isError()).isNotEqualTo(Boolean.TRUE);
    f.graph.revoke("b1", "incident");
    McpSchema.CallToolResult r = c.callTool(call("list_dir", "/repo"));
    assertThat(text(r)).startsWith("DENY REVOKED: ");
    assertThat(f.handlerRuns).hasValue(1);
  }

  @Test
  void expiredGrant_isRefused() {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    McpSyncClient c = f.client(() -> g);
    f.clock.advance(Duration.ofHours(2));
    assertThat(text(c.callTool(call("list_dir", "/repo")))).startsWith("DENY EXPIRED: ");
  }

  @Test
  void missingGrant_isInvalidGrant() {
    McpSchema.CallToolResult r = f.client(null).callTool(call("list_dir", "/repo"));
    assertThat(text(r)).startsWith("DENY INVALID_GRANT: no grant presented");
    assertThat(f.audit)
        .singleElement()
        .satisfies(a -> assertThat(a.reason()).isEqualTo(Reason.INVALID_GRANT));
  }

  @Test
  void foreignKeyGrant_isInvalidGrant_namingNoKeyId() {
    f.graph.spawn("s", NodeSpec.builder("b1").capabilities("tool.call tool:files/*").build());
    String forged =
        f.issuerOnClock(Fixture.FOREIGN).mint(f.graph.node("b1"), Fixture.AUDIENCE).compact();
    String t = text(f.client(() -> forged).callTool(call("list_dir", "/repo")));
    assertThat(t).isEqualTo("DENY INVALID_GRANT: the grant failed verification (SIGNATURE)");
    assertThat(t).doesNotContain("ed-1");
  }

  @Test
  void wrongAudienceGrant_isInvalidGrant_namingNoKeyId() {
    f.graph.spawn("s", NodeSpec.builder("b1").capabilities("tool.call tool:files/*").build());
    String other = f.issuerOnClock(Fixture.KEY).mint(f.graph.node("b1"), "mcp:other").compact();
    String t = text(f.client(() -> other).callTool(call("list_dir", "/repo")));
    assertThat(t).isEqualTo("DENY INVALID_GRANT: the grant failed verification (AUDIENCE)");
  }

  @Test
  void grantInMeta_isAccepted_andAHeaderThatDiffers_isInvalidGrant() {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    String other = f.grantFor("b2", "tool.call tool:files/*");
    var viaMeta =
        new McpSchema.CallToolRequest(
            "list_dir", Map.of("path", "/repo"), Map.of(McpGuard.META_GRANT, g));
    assertThat(text(f.client(null).callTool(viaMeta))).isEqualTo("list_dir /repo");
    assertThat(text(f.client(() -> g).callTool(viaMeta))).isEqualTo("list_dir /repo");
    assertThat(text(f.client(() -> other).callTool(viaMeta)))
        .isEqualTo(
            "DENY INVALID_GRANT: the grant in the Exec-Authz-Grant header and the one in _meta differ");
  }

  @Test
  void traceparentInMeta_reachesTheAuditRecord() {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    f.client(() -> g)
        .callTool(
            new McpSchema.CallToolRequest(
                "list_dir", Map.of("path", "/repo"), Map.of(McpGuard.META_TRACEPARENT, tp)));
    assertThat(f.audit).singleElement().satisfies(a -> assertThat(a.traceparent()).isEqualTo(tp));
  }

  @Test
  void prompts_areGuardedAsPromptGet() {
    String yes = f.grantFor("b1", "prompt.get prompt:files/review");
    String no = f.grantFor("b2", "tool.call tool:files/*");
    var req = new McpSchema.GetPromptRequest("review", Map.of());
    assertThat(f.client(() -> yes).getPrompt(req).messages()).hasSize(1);
    assertThatThrownBy(() -> f.client(() -> no).getPrompt(req))
        .isInstanceOfSatisfying(
            McpError.class,
            e -> {
              assertThat(e.getJsonRpcError().code()).isEqualTo(McpGuard.DENIED_ERROR_CODE);
              assertThat(e.getJsonRpcError().message()).startsWith("DENY OUT_OF_SCOPE: ");
            });
  }

  @Test
  void clientGrants_mintAgainBeforeExp() {
    f.graph.spawn(
        "s",
        NodeSpec.builder("b1")
            .capabilities("tool.call tool:files/*")
            .ttl(Duration.ofMinutes(30))
            .build());
    int[] minted = {0};
    McpSyncClient c =
        f.client(
            () -> {
              minted[0]++;
              return f.issuerOnClock(Fixture.KEY)
                  .mint(f.graph.node("b1"), Fixture.AUDIENCE, Duration.ofMinutes(2))
                  .compact();
            });
    assertThat(text(c.callTool(call("list_dir", "/a")))).isEqualTo("list_dir /a");
    int before = minted[0];
    f.clock.advance(Duration.ofMinutes(3)); // the first grant has expired by now
    assertThat(text(c.callTool(call("list_dir", "/a")))).isEqualTo("list_dir /a");
    assertThat(minted[0]).isGreaterThan(before);
    assertThat(f.audit.stream().map(AuditRecord::grantId).distinct().count()).isEqualTo(2);
  }

  @Test
  void argumentChecksThatThrow_refuseTheCall() {
    McpGuard broken =
        McpGuard.newBuilder()
            .authorizer(f.authorizer)
            .serverName("files")
            .argumentChecks(
                (tool, args) -> {
                  throw new IllegalStateException("boom");
                })
            .build();
    String g = f.grantFor("b1", "tool.call tool:files/*");
    var d = broken.decide(List.of(g), null, "tool.call", "tool:files/x", Map.of(), "x");
    assertThat(d)
        .isInstanceOfSatisfying(
            io.execauthz.Decision.Deny.class,
            deny -> assertThat(deny.reason()).isEqualTo(Reason.ERROR));
  }
}
