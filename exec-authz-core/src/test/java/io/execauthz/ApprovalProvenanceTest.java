package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.audit.Approval;
import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.spi.ApprovalStore;
import io.execauthz.spi.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit record says who approved a request and how, when that was said; only then. */
final class ApprovalProvenanceTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void approvals_areRecordedWithWhoAndHow_onlyWhenSaid() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("t")
            .principal("agent:x")
            .capabilities("tool.call tool:slack/* approval")
            .build());
    ApprovalStore store = ApprovalStore.inMemory(clock);
    AuthorizationRequest post = AuthorizationRequest.of("t", "tool.call", "tool:slack/post");
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log).build()) {
      Authorizer a =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(PolicyEngine.permitAll())
              .approvalStore(store)
              .auditSink(sink)
              .build();
      assertThat(a.authorize(post.withApproval("user:alice", "review-ui")).isPermit()).isTrue();
      assertThat(a.authorize(post.withApproval()).isPermit()).isTrue();
      assertThat(a.authorize(post).isPermit()).isFalse();
      store.record(ApprovalStore.Approval.of(post), Duration.ofMinutes(5));
      assertThat(a.authorize(post).isPermit()).isTrue();
    }
    assertThat(AuditLogVerifier.verify(log).valid()).isTrue();
    List<String> lines = Files.readAllLines(log);

    assertThat(lines.get(0))
        .endsWith(",\"approval\":{\"by\":\"user:alice\",\"via\":\"review-ui\"}}");
    assertThat(lines.get(1)).doesNotContain("\"approval\"");
    assertThat(lines.get(2)).doesNotContain("\"approval\"").contains("APPROVAL_REQUIRED");
    assertThat(lines.get(3)).endsWith(",\"approval\":{\"by\":null,\"via\":\"approval-store\"}}");
  }

  @Test
  void provenance_isCarriedByEveryCopy_andNeedsAnApprovedRequest() {
    AuthorizationRequest r =
        AuthorizationRequest.of("t", "tool.call", "tool:x")
            .withApproval("client/1.0", "mcp-elicitation");

    assertThat(r.approved()).isTrue();
    assertThat(r.withArgs(java.util.Map.of("a", 1)).onNode("u").withTraceparent(null).approval())
        .isEqualTo(new Approval("client/1.0", Approval.MCP_ELICITATION));
    assertThatThrownBy(
            () ->
                new AuthorizationRequest(
                    "t", "a", "tool:x", null, false, null, new Approval(null, "x")))
        .hasMessageContaining("needs an approved request");
    assertThatThrownBy(() -> new Approval("a", "Not Lower")).hasMessageContaining("via");
    assertThatThrownBy(() -> new Approval("a\nb", "ui")).hasMessageContaining("control");
    assertThatThrownBy(() -> new Approval("x".repeat(257), "ui")).hasMessageContaining("1 to 256");
  }
}
