package io.execauthz.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class McpClientGrantsTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final AtomicInteger minted = new AtomicInteger();

  private static String token(long exp) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"EdDSA\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(
            ("{\"sub\":\"a\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8))
        + ".sig";
  }

  private McpClientGrants grants() {
    return McpClientGrants.newBuilder()
        .clock(clock)
        .refreshBefore(Duration.ofSeconds(30))
        .minter(
            () -> {
              minted.incrementAndGet();
              return token(clock.instant().getEpochSecond() + 120);
            })
        .build();
  }

  @Test
  void grant_isReused_untilTheRefreshMarginBeforeExp() {
    McpClientGrants g = grants();
    String first = g.grant();
    clock.advance(Duration.ofSeconds(89));
    assertThat(g.grant()).isSameAs(first);
    assertThat(minted).hasValue(1);
    clock.advance(Duration.ofSeconds(1)); // 30 s before exp
    assertThat(g.grant()).isNotEqualTo(first);
    assertThat(minted).hasValue(2);
  }

  @Test
  void aTokenWithoutReadableExp_isMintedAgainForEveryRequest() {
    McpClientGrants g =
        McpClientGrants.newBuilder().minter(() -> "opaque-" + minted.incrementAndGet()).build();
    assertThat(g.grant()).isEqualTo("opaque-1");
    assertThat(g.grant()).isEqualTo("opaque-2");
  }

  @Test
  void meta_carriesTheGrant_andToStringNeverDoes() {
    McpClientGrants g = grants();
    String t = g.grant();
    assertThat(g.meta()).containsEntry(McpGuard.META_GRANT, t);
    assertThat(g.meta(java.util.Map.of("traceparent", "x")))
        .containsEntry(McpGuard.META_GRANT, t)
        .containsEntry("traceparent", "x");
    assertThat(g.toString()).doesNotContain(t).doesNotContain(t.substring(0, 10));
  }

  @Test
  void aMinterReturningNothing_isAnError() {
    McpClientGrants g = McpClientGrants.newBuilder().minter(() -> " ").build();
    assertThatThrownBy(g::grant)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("minter");
  }
}
