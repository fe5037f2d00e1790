package io.execauthz.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ActionPatternTest {

  @Test
  void parse_star_matchesEveryAction() {
    ActionPattern any = ActionPattern.parse("*");

    assertThat(any.isWildcard()).isTrue();
    assertThat(any).hasToString("*");
    assertThat(any.matches("tool.call")).isTrue();
    assertThat(any.matches("fs")).isTrue();
    assertThat(any.matches("fs.meta.read")).isTrue();
  }

  @Test
  void parse_exactVerb_matchesOnlyItself() {
    ActionPattern call = ActionPattern.parse("tool.call");

    assertThat(call.isWildcard()).isFalse();
    assertThat(call).hasToString("tool.call");
    assertThat(call.matches("tool.call")).isTrue();
    assertThat(call.matches("tool")).isFalse();
    assertThat(call.matches("tool.call.x")).isFalse();
    assertThat(call.matches("tool.callx")).isFalse();
  }

  @Test
  void parse_prefix_matchesEveryActionBelowButNotTheStem() {
    ActionPattern fs = ActionPattern.parse("fs.*");

    assertThat(fs.isWildcard()).isTrue();
    assertThat(fs).hasToString("fs.*");
    assertThat(fs.matches("fs.read")).isTrue();
    assertThat(fs.matches("fs.write")).isTrue();
    assertThat(fs.matches("fs.meta.read")).isTrue();
    assertThat(fs.matches("fs")).isFalse();
    assertThat(fs.matches("fsx.read")).isFalse();
    assertThat(fs.matches("net.connect")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "tool.call", "A.Z", "x_1.y-2", "fs.meta.read", "a.b.c.d.*", "9.*"})
  void parse_wellFormed_printsTheSameText(String text) {
    ActionPattern p = ActionPattern.parse(text);

    assertThat(p).hasToString(text);
    assertThat(ActionPattern.parse(p.toString())).isEqualTo(p).hasSameHashCodeAs(p);
  }

  @Test
  void equals_comparesCanonicalText() {
    assertThat(ActionPattern.parse("fs.*")).isEqualTo(ActionPattern.parse("fs.*"));
    assertThat(ActionPattern.parse("fs.*")).isNotEqualTo(ActionPattern.parse("fs.read"));
    assertThat(ActionPattern.parse("fs")).isNotEqualTo(ActionPattern.parse("fs.*"));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" fails at {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"         | 0 | expected an action",
        "fs.        | 3 | expected a word in the action",
        ".fs        | 0 | expected a word in the action",
        "fs..read   | 3 | expected a word in the action",
        ".*         | 0 | expected a word in the action",
        "fs..*      | 3 | expected a word in the action",
        "fs*        | 2 | unexpected character '*' in action",
        "fs.*.read  | 3 | unexpected character '*' in action",
        "**         | 0 | unexpected character '*' in action",
        "fs.**      | 3 | unexpected character '*' in action",
        "*.fs       | 0 | unexpected character '*' in action",
        "fs/read    | 2 | unexpected character '/' in action",
        "fs:read    | 2 | unexpected character ':' in action",
        "\"fs.r ead\" | 4 | unexpected character ' ' in action",
        "fs.réad    | 4 | unexpected character 'é' in action",
      })
  void parse_malformed_isRefusedAtThePosition(String text, int position, String problem) {
    assertThatThrownBy(() -> ActionPattern.parse(text))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(position);
              assertThat(e.input()).isEqualTo(text);
              assertThat(e.getMessage())
                  .contains(problem)
                  .contains("at position " + position)
                  .contains("\"" + text + "\"");
            });
  }

  @ParameterizedTest(name = "[{index}] {0} covers {1}: {2}")
  @CsvSource({
    "*,          *,             true",
    "*,          fs.*,          true",
    "*,          fs.read,       true",
    "*,          a.b.c.*,       true",
    "fs.*,       fs.*,          true",
    "fs.*,       fs.read,       true",
    "fs.*,       fs.meta.*,     true",
    "fs.*,       fs.meta.read,  true",
    "fs.read,    fs.read,       true",
    "fs.*,       *,             false",
    "fs.*,       fs,            false",
    "fs.*,       fsx.read,      false",
    "fs.*,       fsx.*,         false",
    "fs.*,       f.*,           false",
    "fs.*,       net.*,         false",
    "fs.meta.*,  fs.*,          false",
    "fs.meta.*,  fs.read,       false",
    "fs.read,    fs.*,          false",
    "fs.read,    *,             false",
    "fs.read,    fs.write,      false",
    "fs.read,    fs.read.x,     false",
    "fs,         fs.read,       false",
    "fs,         fs.*,          false",
  })
  void covers_table(String a, String b, boolean expected) {
    assertThat(ActionPattern.parse(a).covers(ActionPattern.parse(b))).isEqualTo(expected);
  }

  @Test
  void covers_widerChild_isFalse() {
    assertThat(ActionPattern.parse("fs.read").covers(ActionPattern.parse("fs.*"))).isFalse();
  }

  @ParameterizedTest(name = "[{index}] {0} overlaps {1}: {2}")
  @CsvSource({
    "*,          x,          true",
    "*,          fs.*,       true",
    "fs.*,       fs.read,    true",
    "fs.*,       fs.meta.*,  true",
    "fs.read,    fs.read,    true",
    "fs.*,       net.*,      false",
    "fs.*,       fsx.*,      false",
    "fs.*,       fs,         false",
    "fs.read,    fs.write,   false",
    "fs.meta.*,  fs.read,    false",
  })
  void overlaps_table_isSymmetric(String a, String b, boolean expected) {
    ActionPattern pa = ActionPattern.parse(a);
    ActionPattern pb = ActionPattern.parse(b);

    assertThat(pa.overlaps(pb)).isEqualTo(expected);
    assertThat(pb.overlaps(pa)).isEqualTo(expected);
  }
}
