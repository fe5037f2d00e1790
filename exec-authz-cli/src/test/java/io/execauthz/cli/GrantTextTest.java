package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class GrantTextTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void span_showsTheTwoLargestUnits() {
    assertThat(GrantText.span(Duration.ofSeconds(12))).isEqualTo("12s");
    assertThat(GrantText.span(Duration.ofSeconds(118))).isEqualTo("1m 58s");
    assertThat(GrantText.span(Duration.ofMinutes(2))).isEqualTo("2m");
    assertThat(GrantText.span(Duration.ofHours(27).plusMinutes(5).plusSeconds(9)))
        .isEqualTo("1d 3h");
    assertThat(GrantText.span(Duration.ofMillis(300))).isEqualTo("under 1s");
  }

  @Test
  void when_isAbsoluteAndRelative_bothWays() {
    assertThat(GrantText.when(NOW.plusSeconds(90), NOW))
        .isEqualTo("2026-01-01T00:01:30Z (in 1m 30s)");
    assertThat(GrantText.when(NOW.minusSeconds(3600), NOW))
        .isEqualTo("2025-12-31T23:00:00Z (1h ago)");
    assertThat(GrantText.when(NOW, NOW)).isEqualTo("2026-01-01T00:00:00Z (now)");
  }

  @Test
  void inspected_colourOnlyWhenOn_andATokensTextNeverCarriesEscapes() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode header = json.readTree("{\"alg\":\"EdDSA\",\"typ\":\"exec-grant+jwt\"}");
    JsonNode claims =
        json.readTree(
            "{\"sub\":\"agent:x\\u001b[31m\",\"exp\":"
                + NOW.plusSeconds(60).getEpochSecond()
                + ",\"x-extra\":{\"a\":1},\"cap\":[\"fs.read fs:/a/**\",\"tool.call"
                + " tool:\\u202egh\"]}");
    StringWriter on = new StringWriter();
    GrantText.inspected(new PrintWriter(on), Ansi.ON, header, claims, NOW);
    assertThat(on.toString()).startsWith("\u001b[1;31mNOT VERIFIED\u001b[0m");
    StringWriter off = new StringWriter();
    GrantText.inspected(new PrintWriter(off), Ansi.OFF, header, claims, NOW);
    String text = off.toString();
    assertThat(text)
        .startsWith("NOT VERIFIED  ")
        .doesNotContain("\u001b")
        .doesNotContain("\u202e")
        .contains("  principal (sub)     agent:x?[31m")
        .contains("  expires (exp)       " + NOW.plusSeconds(60).getEpochSecond() + "  ")
        .contains("(in 1m)")
        .contains(
            "  capabilities (cap)  fs.read fs:/a/**\n                      tool.call tool:?gh")
        .contains("  x-extra             {\"a\":1}");
  }
}
