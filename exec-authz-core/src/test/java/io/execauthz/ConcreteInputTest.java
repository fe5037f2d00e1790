package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.execauthz.capability.ActionPattern;
import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourcePattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ConcreteInputTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fs:/repo/a.md",
        "tool:github/create_issue",
        "net:api.example.com:443",
        "secret:GITHUB_TOKEN",
        "fs:/a",
        "x:y"
      })
  void parse_concrete_printsTheSameText(String text) {
    ResourcePattern r = ResourcePattern.parseConcrete(text);

    assertThat(r).hasToString(text);
    assertThat(r.isWildcard()).isFalse();
    assertThat(r).isEqualTo(ResourcePattern.parse(text));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs:/repo/*      | 9 | a requested resource cannot contain a wildcard",
        "fs:/repo/**     | 9 | a requested resource cannot contain a wildcard",
        "tool:*          | 5 | a requested resource cannot contain a wildcard",
        "tool:**         | 5 | a requested resource cannot contain a wildcard",
        "fs:*/a          | 3 | a requested resource cannot contain a wildcard",
        "fs:/a*b         | 4 | a requested resource cannot contain a wildcard",
        "fs:/repo/../etc | 9 | path segment '..' is not allowed",
        "fs:/repo/./a    | 9 | path segment '.' is not allowed",
        "fs:/repo//a     | 9 | empty path segment",
        "/repo/a         | 7 | expected scheme:path",
        "fs:             | 3 | expected a path after ':'",
      })
  void parse_wildcardOrMalformed_isRefused(String text, int position, String problem) {
    assertThatThrownBy(() -> ResourcePattern.parseConcrete(text))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(position);
              assertThat(e.input()).isEqualTo(text);
              assertThat(e.getMessage()).contains(problem);
            });
  }

  @Test
  void parse_null_isRefused() {
    assertThatThrownBy(() -> ResourcePattern.parseConcrete(null))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tool.call", "fs.read", "fs.meta.read", "a", "X_1-y.z"})
  void checkAction_concrete_returnsIt(String action) {
    assertThat(ActionPattern.checkConcrete(action)).isEqualTo(action);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" fails at {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "*          | 0 | a requested action cannot contain a wildcard",
        "fs.*       | 3 | a requested action cannot contain a wildcard",
        "a.b.*      | 4 | a requested action cannot contain a wildcard",
        "fs.        | 3 | expected a word in the action",
        ".fs        | 0 | expected a word in the action",
        "\"\"       | 0 | expected an action",
        "fs*        | 2 | unexpected character '*' in action",
      })
  void checkAction_wildcardOrMalformed_isRefused(String action, int position, String problem) {
    assertThatThrownBy(() -> ActionPattern.checkConcrete(action))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(position);
              assertThat(e.input()).isEqualTo(action);
              assertThat(e.getMessage()).contains(problem);
            });
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "FS:/repo/a.md                    | fs:/repo/a.md",
        "Tool:github/x                    | tool:github/x",
        "HTTPS://API.example.com:443/v1   | https://api.example.com/v1",
        "net:API.example.com:443          | net:api.example.com:443",
      })
  void parse_bringsTheResourceToItsCanonicalForm(String text, String canonical) {
    assertThat(ResourcePattern.parseConcrete(text))
        .hasToString(canonical)
        .isEqualTo(ResourcePattern.parseConcrete(canonical));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs:/repo/%2e%2e/etc  | 9  | percent-escapes are not allowed in fs: paths",
        "fs:/repo\\..\\etc    | 8  | backslashes are not allowed in fs: paths",
        "fs:/repo/a.          | 10 | may not end in '.'",
        "https://a.example/%2F | 18 | an escaped '/'",
      })
  void parse_withoutACanonicalForm_isRefusedAtThePosition(
      String text, int position, String problem) {
    assertThatThrownBy(() -> ResourcePattern.parseConcrete(text))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(position);
              assertThat(e.getMessage()).contains(problem);
            });
  }
}
