package io.execauthz.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ResourcePatternTest {

  @Test
  void parse_doubleStarAlone_matchesEveryResourceOfTheScheme() {
    ResourcePattern tools = ResourcePattern.parse("tool:**");

    assertThat(tools.scheme()).isEqualTo("tool");
    assertThat(tools.isWildcard()).isTrue();
    assertThat(tools.covers(ResourcePattern.parseConcrete("tool:github/create_issue"))).isTrue();
    assertThat(tools.covers(ResourcePattern.parseConcrete("tool:x"))).isTrue();
    assertThat(tools.covers(ResourcePattern.parseConcrete("tool:/x/y/z"))).isTrue();
    assertThat(tools.covers(ResourcePattern.parseConcrete("fs:x"))).isFalse();
  }

  @Test
  void parse_leadingSlash_isAnEmptyFirstSegment() {
    ResourcePattern repo = ResourcePattern.parse("fs:/repo/**");

    assertThat(repo.scheme()).isEqualTo("fs");
    assertThat(repo.covers(ResourcePattern.parseConcrete("fs:/repo/a/b"))).isTrue();
    assertThat(repo.covers(ResourcePattern.parseConcrete("fs:/repo"))).isTrue();
    assertThat(repo.covers(ResourcePattern.parseConcrete("fs:repo/a"))).isFalse();
    assertThat(ResourcePattern.parse("fs:*/a").covers(ResourcePattern.parseConcrete("fs:/a")))
        .isTrue();
  }

  @Test
  void parse_hostAndPort_isOneSegment() {
    ResourcePattern host = ResourcePattern.parse("net:api.example.com:443");

    assertThat(host.scheme()).isEqualTo("net");
    assertThat(host.isWildcard()).isFalse();
    assertThat(host).hasToString("net:api.example.com:443");
    assertThat(host.covers(ResourcePattern.parseConcrete("net:api.example.com:443"))).isTrue();
    assertThat(host.covers(ResourcePattern.parseConcrete("net:api.example.com:80"))).isFalse();
    assertThat(
            ResourcePattern.parse("net:*")
                .covers(ResourcePattern.parseConcrete("net:api.example.com:443")))
        .isTrue();
  }

  @Test
  void parse_secret_isConcrete() {
    ResourcePattern secret = ResourcePattern.parse("secret:GITHUB_TOKEN");

    assertThat(secret.scheme()).isEqualTo("secret");
    assertThat(secret.isWildcard()).isFalse();
    assertThat(secret.covers(ResourcePattern.parseConcrete("secret:GITHUB_TOKEN"))).isTrue();
    assertThat(secret.covers(ResourcePattern.parseConcrete("secret:github_token"))).isFalse();
  }

  @Test
  void parse_singleStar_matchesExactlyOneSegment() {
    ResourcePattern p = ResourcePattern.parse("tool:github/*");

    assertThat(p.isWildcard()).isTrue();
    assertThat(p.covers(ResourcePattern.parseConcrete("tool:github/create_issue"))).isTrue();
    assertThat(p.covers(ResourcePattern.parseConcrete("tool:github"))).isFalse();
    assertThat(p.covers(ResourcePattern.parseConcrete("tool:github/a/b"))).isFalse();
    assertThat(p.covers(ResourcePattern.parseConcrete("tool:gitlab/create_issue"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tool:**",
        "fs:/repo/**",
        "fs:/**",
        "fs:**",
        "fs:*",
        "fs:/*",
        "fs:*/**",
        "tool:github/*",
        "fs:/repo/*/main.c",
        "net:api.example.com:443",
        "secret:GITHUB_TOKEN",
        "x+y.z-1:a:b/c",
        "fs:/a.b/...x/.c"
      })
  void parse_wellFormed_printsTheSameText(String text) {
    ResourcePattern p = ResourcePattern.parse(text);

    assertThat(p).hasToString(text);
    assertThat(ResourcePattern.parse(p.toString())).isEqualTo(p).hasSameHashCodeAs(p);
  }

  @Test
  void equals_comparesCanonicalText() {
    assertThat(ResourcePattern.parse("fs:/a/*")).isEqualTo(ResourcePattern.parse("fs:/a/*"));
    assertThat(ResourcePattern.parse("fs:/a/*")).isNotEqualTo(ResourcePattern.parse("fs:a/*"));
    // the scheme is case-insensitive and canonically lower case
    assertThat(ResourcePattern.parse("FS:/a")).isEqualTo(ResourcePattern.parse("fs:/a"));
    assertThat(ResourcePattern.parse("FS:/a")).hasToString("fs:/a");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" fails at {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"                    | 0  | found no ':'",
        "/repo/**                | 8  | expected scheme:path",
        ":/repo                  | 0  | expected a scheme before ':'",
        "1fs:/a                  | 0  | unexpected character '1' in scheme",
        "\"f s:/a\"              | 1  | unexpected character ' ' in scheme",
        "f*:/a                   | 1  | unexpected character '*' in scheme",
        "fs:                     | 3  | expected a path after ':'",
        "fs:/a/**/b              | 8  | '**' may only be the last segment",
        "fs:**/a                 | 5  | '**' may only be the last segment",
        "fs:/a/**/               | 8  | '**' may only be the last segment",
        "fs:/**/**               | 6  | '**' may only be the last segment",
        "fs:/a*b                 | 5  | '*' must be a whole segment",
        "fs:/a/b*                | 7  | '*' must be a whole segment",
        "fs:/***                 | 4  | '*' must be a whole segment",
        "fs:/a/*x/b              | 6  | '*' must be a whole segment",
        "net:api.example.com:*   | 20 | '*' must be a whole segment",
        "fs:/a/./b               | 6  | path segment '.' is not allowed",
        "fs:/a/../b              | 6  | path segment '..' is not allowed",
        "fs:./a                  | 3  | path segment '.' is not allowed",
        "fs:/a/..                | 6  | path segment '..' is not allowed",
        "fs:/a//b                | 6  | empty path segment",
        "fs:/a/                  | 6  | empty path segment",
        "fs:/                    | 4  | empty path segment",
        "fs:a//                  | 5  | empty path segment",
        "fs://                   | 4  | empty path segment",
        "\"fs:/a b\"             | 5  | whitespace U+0020 is not allowed",
      })
  void parse_malformed_isRefusedAtThePosition(String text, int position, String problem) {
    assertRefused(text, position, problem);
  }

  @Test
  void parse_controlCharacters_areRefusedAtThePosition() {
    assertRefused("fs:/a\tb", 5, "control character U+0009 is not allowed");
    assertRefused("fs:/a\nb", 5, "control character U+000A is not allowed");
    assertRefused("fs:/ab\u0000", 6, "NUL U+0000 is not allowed");
  }

  private static void assertRefused(String text, int position, String problem) {
    assertThatThrownBy(() -> ResourcePattern.parse(text))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(position);
              assertThat(e.input()).isEqualTo(text);
              assertThat(e.getMessage()).contains(problem).contains("at position " + position);
            });
  }

  @ParameterizedTest(name = "[{index}] {0} covers {1}: {2}")
  @CsvSource({
    "fs:/repo/**,              fs:/repo/a/b,              true",
    "fs:/repo/**,              fs:/repo,                  true",
    "fs:/repo/**,              fs:/repo/**,               true",
    "fs:/repo/**,              fs:/repo/src/**,           true",
    "fs:/repo/**,              fs:/repo/*/main.c,         true",
    "fs:/repo/**,              fs:/repo/*,                true",
    "fs:/repo/**,              fs:/**,                    false",
    "fs:/repo/**,              fs:/*/a,                   false",
    "fs:/repo/**,              fs:/rep/a,                 false",
    "fs:/repo/**,              fs:/repository/a,          false",
    "fs:/repo/**,              fs:repo/a,                 false",
    "fs:/repo/**,              tool:/repo/a,              false",
    "fs:/repo/src/**,          fs:/repo/**,               false",
    "fs:/repo/*,               fs:/repo/a,                true",
    "fs:/repo/*,               fs:/repo/*,                true",
    "fs:/repo/*,               fs:/repo/a/b,              false",
    "fs:/repo/*,               fs:/repo,                  false",
    "fs:/repo/*,               fs:/repo/**,               false",
    "fs:/repo/*,               fs:/repo/*/**,             false",
    "fs:/repo/a,               fs:/repo/*,                false",
    "fs:/repo/a,               fs:/repo/a,                true",
    "fs:/*/main.c,             fs:/repo/main.c,           true",
    "fs:/*/main.c,             fs:/*/*,                   false",
    "fs:/*/*,                  fs:/*/main.c,              true",
    "tool:**,                  tool:github/create_issue,  true",
    "tool:**,                  tool:/x,                   true",
    "tool:**,                  tool:*,                    true",
    "tool:**,                  fs:x,                      false",
    "tool:github/*,            tool:github/create_issue,  true",
    "tool:github/*,            tool:gitlab/create_issue,  false",
    "fs:**,                    fs:/**,                    true",
    "fs:/**,                   fs:**,                     false",
    "fs:*/**,                  fs:**,                     true",
    "fs:*/**,                  fs:/**,                    true",
    "fs:/*/**,                 fs:/**,                    true",
    "fs:/*/**,                 fs:**,                     false",
    "fs:*/*/**,                fs:/**,                    true",
    "fs:*/*/**,                fs:**,                     false",
    "fs:a/**,                  fs:**,                     false",
    "fs:*,                     fs:**,                     false",
    "fs:*/x,                   fs:/x,                     true",
    "fs:/x,                    fs:*/x,                    false",
    "net:*,                    net:api.example.com:443,   true",
    "net:api.example.com:443,  net:api.example.com:443,   true",
    "net:api.example.com:443,  net:*,                     false",
  })
  void covers_table(String a, String b, boolean expected) {
    assertThat(ResourcePattern.parse(a).covers(ResourcePattern.parse(b))).isEqualTo(expected);
  }

  @Test
  void covers_widerChild_isFalse() {
    assertThat(
            ResourcePattern.parse("fs:/repo/src/**").covers(ResourcePattern.parse("fs:/repo/**")))
        .isFalse();
  }

  @Test
  void covers_doubleStarThatCannotEndEarly_isCoveredByItsOneSegmentLongerForm() {
    // "fs:**" cannot match "fs:" (no resource), so it matches exactly what "fs:*/**" matches
    ResourcePattern all = ResourcePattern.parse("fs:**");
    ResourcePattern atLeastOne = ResourcePattern.parse("fs:*/**");

    assertThat(all.covers(atLeastOne)).isTrue();
    assertThat(atLeastOne.covers(all)).isTrue();
  }

  @ParameterizedTest(name = "[{index}] {0} overlaps {1}: {2}")
  @CsvSource({
    "fs:/repo/src/**,  fs:/repo/*/main.c,  true",
    "fs:/a/**,         fs:/a/b/c,          true",
    "fs:/a/**,         fs:/a,              true",
    "fs:/a/*,          fs:/*/b,            true",
    "fs:/**,           fs:/a/b/**,         true",
    "fs:*,             fs:**,              true",
    "fs:**,            fs:/**,             true",
    "fs:*/b,           fs:/**,             true",
    "fs:*/**,          fs:/**,             true",
    "tool:github/*,    tool:*/create,      true",
    "fs:/a/*,          fs:/a/b/c,          false",
    "fs:/a/**,         fs:/b/**,           false",
    "fs:/a,            fs:/a/*,            false",
    "fs:/a/*,          fs:/a,              false",
    "fs:**,            tool:**,            false",
    "fs:/repo/**,      fs:repo/**,         false",
    "fs:*,             fs:/**,             false",
    "fs:*,             fs:/*,              false",
  })
  void overlaps_table_isSymmetric(String a, String b, boolean expected) {
    ResourcePattern pa = ResourcePattern.parse(a);
    ResourcePattern pb = ResourcePattern.parse(b);

    assertThat(pa.overlaps(pb)).isEqualTo(expected);
    assertThat(pb.overlaps(pa)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {0} meet {1} = {2}")
  @CsvSource({
    "fs:/repo/src/**,  fs:/repo/*/main.c,  fs:/repo/src/main.c",
    "fs:/a/*,          fs:/*/b,            fs:/a/b",
    "fs:/a/**,         fs:/a/b/**,         fs:/a/b/**",
    "fs:**,            fs:/**,             fs:/**",
    "fs:**,            fs:*,               fs:*",
    "fs:*/**,          fs:/a/**,           fs:/a/**",
    "fs:*/**,          fs:**,              fs:*/**",
    "fs:/*/**,         fs:/*/x,            fs:/*/x",
  })
  void meet_matchesExactlyWhatBothMatch_andPrintsParseableText(String a, String b, String meet) {
    ResourcePattern pa = ResourcePattern.parse(a);
    ResourcePattern pb = ResourcePattern.parse(b);

    assertThat(pa.meet(pb)).hasToString(meet);
    assertThat(pb.meet(pa)).isEqualTo(ResourcePattern.parse(meet));
  }

  @Test
  void meet_onlyTheEmptyPathInCommon_isNull() {
    // "fs:*" and "fs:/**" share only "fs:", which is no resource; the meet used to be printed as
    // the unparseable text "fs:"
    assertThat(ResourcePattern.parse("fs:*").meet(ResourcePattern.parse("fs:/**"))).isNull();
    assertThat(ResourcePattern.parse("fs:/**").meet(ResourcePattern.parse("fs:*"))).isNull();
  }

  @Test
  void matches_concreteResources() {
    ResourcePattern p = ResourcePattern.parse("fs:/repo/*/main.c");

    assertThat(p.covers(ResourcePattern.parseConcrete("fs:/repo/src/main.c"))).isTrue();
    assertThat(p.covers(ResourcePattern.parseConcrete("fs:/repo/main.c"))).isFalse();
    assertThat(p.covers(ResourcePattern.parseConcrete("fs:/repo/a/b/main.c"))).isFalse();
    assertThat(p.covers(ResourcePattern.parseConcrete("fs:/repo/src/main.h"))).isFalse();
    assertThat(p.covers(ResourcePattern.parseConcrete("tool:/repo/src/main.c"))).isFalse();
  }
}
