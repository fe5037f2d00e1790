package io.execauthz.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class SetOnceTest {

  @Test
  void once_unset_passes_set_isRefusedNamingTheOption() {
    assertThatCode(() -> SetOnce.once(null, "clock")).doesNotThrowAnyException();
    assertThatThrownBy(() -> SetOnce.once("x", "clock"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("clock was already set");
  }

  @Test
  void within_bounds_returnsTheValue_outside_isRefusedNamingTheOption() {
    assertThat(SetOnce.within(1, 1, 3, "n")).isEqualTo(1);
    assertThat(SetOnce.within(3, 1, 3, "n")).isEqualTo(3);
    assertThatThrownBy(() -> SetOnce.within(0, 1, 3, "maxSize"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSize must be between 1 and 3, was 0");
    assertThatThrownBy(() -> SetOnce.within(4, 1, 3, "maxSize"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
