package io.execauthz.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.Decision;
import io.execauthz.Reason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class McpGuardTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void resourceOf_dropsTheSlashesAfterTheScheme() {
    assertThat(f.guard.resourceOf("file:///docs/a.md")).isEqualTo("resource:files/file/docs/a.md");
    assertThat(f.guard.resourceOf("https://x.example/a"))
        .isEqualTo("resource:files/https/x.example/a");
    assertThat(f.guard.resourceOf("notes:today")).isEqualTo("resource:files/notes/today");
  }

  @Test
  void carrier_headerRepeatedWithDifferentGrants_isRefused() {
    assertThat(McpGuard.Carrier.of(List.of("a", "b"), null).problem()).contains("twice");
    assertThat(McpGuard.Carrier.of(List.of("a", "a"), null).token()).isEqualTo("a");
    assertThat(McpGuard.Carrier.of(List.of(), Map.of(McpGuard.META_GRANT, 7)).problem())
        .contains("not a string");
    assertThat(McpGuard.Carrier.of(List.of("a"), Map.of(McpGuard.META_GRANT, "a")).token())
        .isEqualTo("a");
  }

  @Test
  void malformedTraceparent_isIgnored_notARefusal() {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    Decision d =
        f.guard.decide(
            List.of(g),
            Map.of(McpGuard.META_TRACEPARENT, "nonsense"),
            "tool.call",
            "tool:files/list_dir",
            Map.of(),
            "list_dir");
    assertThat(d.isPermit()).isTrue();
    assertThat(f.audit.get(0).traceparent()).isNotEqualTo("nonsense");
  }

  @Test
  void argumentsOfAnUnacceptedType_areAnErrorDeny() {
    String g = f.grantFor("b1", "tool.call tool:files/*");
    Decision d =
        f.guard.decide(
            List.of(g),
            null,
            "tool.call",
            "tool:files/list_dir",
            Map.of("x", new Object()),
            "list_dir");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class, deny -> assertThat(deny.reason()).isEqualTo(Reason.ERROR));
  }

  @Test
  void builder_optionsAreSetOnce_andServerNameIsOneSegment() {
    assertThatThrownBy(() -> McpGuard.newBuilder().serverName("a").serverName("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("serverName");
    assertThatThrownBy(() -> McpGuard.newBuilder().serverName("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/b");
    assertThatThrownBy(() -> McpGuard.newBuilder().serverName("files").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authorizer");
  }

  @Test
  void publicDetail_ofAFailedVerification_namesTheCheckOnly() {
    Decision.Deny deny =
        new Decision.Deny(
            "d-1",
            Reason.INVALID_GRANT,
            "UNKNOWN_KEY: no trusted key has kid 'k9'; the trusted keys are [ed-1]",
            List.of(),
            List.of(),
            List.of());
    assertThat(McpGuard.denialText(deny))
        .isEqualTo("DENY INVALID_GRANT: the grant failed verification (UNKNOWN_KEY)");
  }
}
