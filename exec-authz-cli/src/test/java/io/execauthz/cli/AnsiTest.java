package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class AnsiTest {
  @Test
  void colour_onlyAtATerminal_withoutNoColor() {
    assertThat(Ansi.decide(Map.of(), true).enabled()).isTrue();
    assertThat(Ansi.decide(Map.of(), false).enabled()).isFalse();
    assertThat(Ansi.decide(Map.of("NO_COLOR", "1"), true).enabled()).isFalse();
    assertThat(Ansi.decide(Map.of("NO_COLOR", ""), true).enabled()).isTrue();
    assertThat(Ansi.decide(Map.of("TERM", "dumb"), true).enabled()).isFalse();
  }

  @Test
  void off_leavesTextAlone_on_wrapsItInEscapes() {
    assertThat(Ansi.OFF.red("FAIL")).isEqualTo("FAIL");
    assertThat(Ansi.ON.red("FAIL")).isEqualTo("\u001b[1;31mFAIL\u001b[0m");
  }
}
