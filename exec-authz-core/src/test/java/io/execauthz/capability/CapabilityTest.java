package io.execauthz.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class CapabilityTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tool.call tool:github/create_issue",
        "tool.call tool:**",
        "fs.* fs:/repo/**",
        "* tool:**",
        "fs.read fs:/repo/*/main.c",
        "net.connect net:api.example.com:443",
        "secret.read secret:GITHUB_TOKEN",
        "fs.* fs:/repo/** maxCalls=10",
        "fs.* fs:/repo/** approval",
        "fs.* fs:/repo/** until=2026-01-01T00:00:00Z",
        "fs.* fs:/repo/** maxCalls=0 approval until=2026-01-01T00:00:00.123456789Z",
      })
  void parse_canonicalText_printsTheSameText(String text) {
    Capability c = Capability.parse(text);

    assertThat(c).hasToString(text);
    assertThat(Capability.parse(c.toString())).isEqualTo(c).hasSameHashCodeAs(c);
  }

  @Test
  void parse_splitsActionResourceAndConstraints() {
    Capability c =
        Capability.parse("fs.* fs:/repo/** maxCalls=10 approval until=2026-01-01T00:00:00Z");

    assertThat(c.action()).isEqualTo(ActionPattern.parse("fs.*"));
    assertThat(c.resource()).isEqualTo(ResourcePattern.parse("fs:/repo/**"));
    assertThat(c.maxCalls()).isEqualTo(OptionalLong.of(10));
    assertThat(c.requiresApproval()).isTrue();
    assertThat(c.until()).contains(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void parse_withoutConstraints_hasNone() {
    Capability c = Capability.parse("tool.call tool:github/*");

    assertThat(c.maxCalls()).isEmpty();
    assertThat(c.requiresApproval()).isFalse();
    assertThat(c.until()).isEmpty();
    assertThat(c).isEqualTo(Capability.of(c.action(), c.resource()));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" prints \"{1}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs.read   fs:/a    maxCalls=3  approval  | fs.read fs:/a maxCalls=3 approval",
        "'  fs.read fs:/a  '                      | fs.read fs:/a",
        "fs.read fs:/a until=2026-01-01T00:00:00Z approval maxCalls=3"
            + " | fs.read fs:/a maxCalls=3 approval until=2026-01-01T00:00:00Z",
        "fs.read fs:/a approval maxCalls=007      | fs.read fs:/a maxCalls=7 approval",
        "fs.read fs:/a until=2026-01-01T02:00:00+02:00 | fs.read fs:/a until=2026-01-01T00:00:00Z",
        "fs.read fs:/a until=2025-12-31T22:30:00.250-01:30"
            + " | fs.read fs:/a until=2026-01-01T00:00:00.250Z",
        "fs.read fs:/a until=2026-01-01T00:00:00.000Z | fs.read fs:/a until=2026-01-01T00:00:00Z",
        "fs.read fs:/a until=2026-01-01T00:00:00-00:00 | fs.read fs:/a until=2026-01-01T00:00:00Z",
        "fs.read fs:/a until=2026-01-01t05:45:00+05:45 | fs.read fs:/a until=2026-01-01T00:00:00Z",
        "fs.read fs:/a until=2026-01-01T00:00:00z | fs.read fs:/a until=2026-01-01T00:00:00Z",
        "fs.read fs:/a maxCalls=9223372036854775807"
            + " | fs.read fs:/a maxCalls=9223372036854775807",
      })
  void parse_nonCanonicalText_printsCanonically(String text, String canonical) {
    Capability c = Capability.parse(text);

    assertThat(c).hasToString(canonical);
    assertThat(Capability.parse(canonical)).isEqualTo(c);
  }

  @Test
  void parse_tabsSeparateTokens() {
    assertThat(Capability.parse("fs.read\tfs:/a\tapproval")).hasToString("fs.read fs:/a approval");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" fails at {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"                                  | 0  | expected an action",
        "\"   \"                               | 3  | expected an action",
        "fs.read                               | 7  | expected a resource",
        "\"fs.read \"                          | 8  | expected a resource",
        "fs.read /repo/**                      | 16 | found no ':'",
        "fs.read :/repo                        | 8  | expected a scheme before ':'",
        "fs.read fs:                           | 11 | expected a path after ':'",
        "fs. fs:/a                             | 3  | expected a word in the action",
        ".fs fs:/a                             | 0  | expected a word in the action",
        "fs.r*d fs:/a                          | 4  | unexpected character '*' in action",
        "\"  fs.r*d fs:/a\"                    | 6  | unexpected character '*' in action",
        "fs.read fs:/a/**/b                    | 16 | '**' may only be the last segment",
        "fs.read fs:/a*b                       | 13 | '*' must be a whole segment",
        "fs.read fs:/a/./b                     | 14 | path segment '.' is not allowed",
        "fs.read fs:/a/../b                    | 14 | path segment '..' is not allowed",
        "fs.read fs://a                        | 12 | empty path segment",
        "fs.read fs:/a maxcalls=3              | 14 | unknown constraint 'maxcalls=3'",
        "fs.read fs:/a approval=yes            | 14 | unknown constraint 'approval=yes'",
        "fs.read fs:/a Approval                | 14 | unknown constraint 'Approval'",
        "fs.read fs:/a approval approval       | 23 | duplicate constraint approval",
        "fs.read fs:/a maxCalls=1 maxCalls=2   | 25 | duplicate constraint maxCalls",
        "fs.read fs:/a until=2026-01-01T00:00:00Z until=2026-01-02T00:00:00Z"
            + " | 41 | duplicate constraint until",
        "fs.read fs:/a maxCalls=               | 23 | expected digits after maxCalls=",
        "fs.read fs:/a maxCalls=-1             | 23 | expected digits after maxCalls=",
        "fs.read fs:/a maxCalls=+1             | 23 | expected digits after maxCalls=",
        "fs.read fs:/a maxCalls=1e3            | 23 | expected digits after maxCalls=",
        "fs.read fs:/a maxCalls=٣              | 23 | expected digits after maxCalls=",
        "fs.read fs:/a maxCalls=9223372036854775808 | 23 | maxCalls is too large",
        "fs.read fs:/a until=                  | 20 | expected an RFC 3339 instant",
        "fs.read fs:/a until=tomorrow          | 20 | expected an RFC 3339 instant",
        "fs.read fs:/a until=2026-01-01T00:00:00 | 20 | expected an RFC 3339 instant",
        "fs.read fs:/a until=2026-13-01T00:00:00Z | 20 | expected an RFC 3339 instant",
        "fs.read fs:/a until=2026-01-01 | 20 | expected an RFC 3339 instant",
        "fs.read fs:/a until=+999999999-12-31T23:59:59-18:00 | 20 | until is out of range",
        "fs.read fs:/a until=-999999999-01-01T00:00:00+18:00 | 20 | until is out of range",
      })
  void parse_malformed_isRefusedAtThePosition(String text, int position, String problem) {
    assertThatThrownBy(() -> Capability.parse(text))
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

  @Test
  void parse_newlineInsideText_isRefusedAtTheNewline() {
    assertThatThrownBy(() -> Capability.parse("fs.read\nfs:/a"))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .extracting(CapabilitySyntaxException::position)
        .isEqualTo(7);
    assertThatThrownBy(() -> Capability.parse("fs.read fs:/a\n"))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .extracting(CapabilitySyntaxException::position)
        .isEqualTo(13);
  }

  @Test
  void parse_null_isRefused() {
    assertThatThrownBy(() -> Capability.parse(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void parse_extremeUntil_printsTextThatParsesBack() {
    // the largest instant whose UTC text still parses (the bug: offsets could push it past that)
    Capability c = Capability.parse("* fs:** until=+999999999-12-31T23:59:59.999999999Z");

    assertThat(Capability.parse(c.toString())).isEqualTo(c);
    assertThat(Capability.parse("* fs:** until=-999999999-01-01T00:00:00Z"))
        .hasToString("* fs:** until=-999999999-01-01T00:00:00Z");
  }

  @ParameterizedTest(name = "[{index}] {0} covers {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // action and resource
        "fs.* fs:/repo/**      | fs.read fs:/repo/src/**    | true",
        "fs.* fs:/repo/**      | fs.* fs:/repo/**           | true",
        "* tool:**             | tool.call tool:github/*    | true",
        "fs.* fs:/repo/**      | fs.read fs:/**             | false",
        "fs.read fs:/repo/**   | fs.* fs:/repo/**           | false",
        "fs.* fs:/repo/**      | net.connect fs:/repo/a     | false",
        "fs.* fs:/repo/**      | fs.read tool:/repo/a       | false",
        // maxCalls: b's <= a's
        "fs.* fs:/repo/** maxCalls=10 | fs.read fs:/repo/a maxCalls=10 | true",
        "fs.* fs:/repo/** maxCalls=10 | fs.read fs:/repo/a maxCalls=0  | true",
        "fs.* fs:/repo/** maxCalls=10 | fs.read fs:/repo/a maxCalls=11 | false",
        "fs.* fs:/repo/** maxCalls=10 | fs.read fs:/repo/a             | false",
        "fs.* fs:/repo/**             | fs.read fs:/repo/a maxCalls=5  | true",
        // approval: b has it if a has it
        "fs.* fs:/repo/** approval    | fs.read fs:/repo/a approval    | true",
        "fs.* fs:/repo/** approval    | fs.read fs:/repo/a             | false",
        "fs.* fs:/repo/**             | fs.read fs:/repo/a approval    | true",
        // until: b's <= a's
        "* fs:** until=2026-01-01T00:00:00Z | * fs:** until=2026-01-01T00:00:00Z           | true",
        "* fs:** until=2026-01-01T00:00:00Z | * fs:** until=2026-01-01T01:00:00+02:00      | true",
        "* fs:** until=2026-01-01T00:00:00Z | * fs:** until=2026-01-01T00:00:00.000000001Z | false",
        "* fs:** until=2026-01-01T00:00:00Z | * fs:** until=2026-01-01T01:00:00+01:00      | true",
        "* fs:** until=2026-01-01T00:00:00Z | * fs:** until=2026-01-01T00:00:00-00:01      | false",
        "* fs:** until=2026-01-01T00:00:00Z | * fs:**                                      | false",
        "* fs:**                            | * fs:** until=2026-01-01T00:00:00Z           | true",
        // all at once (the javadoc example)
        "fs.* fs:/repo/** maxCalls=10 approval | fs.write fs:/repo/src/** maxCalls=3 approval | true",
        "fs.* fs:/repo/** maxCalls=10 approval | fs.write fs:/repo/src/** maxCalls=3          | false",
      })
  void covers_table(String a, String b, boolean expected) {
    assertThat(Capability.parse(a).covers(Capability.parse(b))).isEqualTo(expected);
  }

  @Test
  void covers_widerChild_isFalse() {
    Capability parent = Capability.parse("fs.read fs:/repo/docs/**");

    assertThat(parent.covers(Capability.parse("fs.write fs:/repo/docs/**"))).isFalse();
    assertThat(parent.covers(Capability.parse("fs.read fs:/repo/**"))).isFalse();
    assertThat(parent.covers(Capability.parse("fs.* fs:/repo/docs/**"))).isFalse();
  }

  @Test
  void matches_concreteRequest_ignoresConstraints() {
    Capability c =
        Capability.parse("fs.* fs:/repo/** maxCalls=0 approval until=2000-01-01T00:00:00Z");

    assertThat(c.matches("fs.read", ResourcePattern.parseConcrete("fs:/repo/a.md"))).isTrue();
    assertThat(c.matches("fs", ResourcePattern.parseConcrete("fs:/repo/a.md"))).isFalse();
    assertThat(c.matches("fs.read", ResourcePattern.parseConcrete("fs:/etc/passwd"))).isFalse();
    assertThat(c.matches("net.read", ResourcePattern.parseConcrete("fs:/repo/a.md"))).isFalse();
  }

  @Test
  void isValidAt_isTrueStrictlyBeforeUntil() {
    Instant until = Instant.parse("2026-01-01T00:00:00Z");
    Capability c = Capability.parse("* fs:** until=2026-01-01T00:00:00Z");

    assertThat(c.isValidAt(until.minusNanos(1))).isTrue();
    assertThat(c.isValidAt(until)).isFalse();
    assertThat(Capability.parse("* fs:**").isValidAt(Instant.MAX)).isTrue();
  }

  @Test
  void withMaxCalls_neverLoosens() {
    Capability c = Capability.parse("* fs:**");

    assertThat(c.withMaxCalls(5)).hasToString("* fs:** maxCalls=5");
    assertThat(c.withMaxCalls(5).withMaxCalls(9)).hasToString("* fs:** maxCalls=5");
    assertThat(c.withMaxCalls(5).withMaxCalls(2)).hasToString("* fs:** maxCalls=2");
    assertThat(c.covers(c.withMaxCalls(5))).isTrue();
    assertThatThrownBy(() -> c.withMaxCalls(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withApproval_addsApproval() {
    Capability c = Capability.parse("* fs:** maxCalls=1");

    assertThat(c.withApproval()).hasToString("* fs:** maxCalls=1 approval");
    assertThat(c.withApproval().withApproval()).isEqualTo(c.withApproval());
    assertThat(c.covers(c.withApproval())).isTrue();
    assertThat(c.withApproval().covers(c)).isFalse();
  }

  @Test
  void withUntil_keepsTheEarlierInstant() {
    Capability c = Capability.parse("* fs:**");
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2027-01-01T00:00:00Z");

    assertThat(c.withUntil(t1).until()).contains(t1);
    assertThat(c.withUntil(t1).withUntil(t2).until()).contains(t1);
    assertThat(c.withUntil(t2).withUntil(t1).until()).contains(t1);
    assertThat(c.withUntil(t1).withUntil(Instant.MAX).until()).contains(t1);
    assertThat(c.covers(c.withUntil(t1))).isTrue();
    assertThat(Capability.parse(c.withUntil(t1).toString())).isEqualTo(c.withUntil(t1));
  }

  @Test
  void withUntil_beyondWhatTheTextFormCanHold_isRefused() {
    Capability c = Capability.parse("* fs:**");

    assertThatThrownBy(() -> c.withUntil(Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> c.withUntil(Instant.MIN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void meet_takesTheStricterConstraints() {
    Capability a = Capability.parse("fs.* fs:/repo/** maxCalls=10 until=2027-01-01T00:00:00Z");
    Capability b =
        Capability.parse("fs.read fs:/** maxCalls=3 approval until=2026-01-01T00:00:00Z");

    Capability m = a.meet(b);

    assertThat(m)
        .hasToString("fs.read fs:/repo/** maxCalls=3 approval until=2026-01-01T00:00:00Z")
        .isEqualTo(b.meet(a));
    assertThat(a.covers(m)).isTrue();
    assertThat(b.covers(m)).isTrue();
  }

  @Test
  void meet_disjoint_isNull() {
    assertThat(Capability.parse("fs.read fs:**").meet(Capability.parse("fs.write fs:**"))).isNull();
    assertThat(Capability.parse("* fs:/a/**").meet(Capability.parse("* fs:/b/**"))).isNull();
    assertThat(Capability.parse("* fs:*").meet(Capability.parse("* fs:/**"))).isNull();
  }

  @Test
  void syntaxException_isAnIllegalArgumentException() {
    assertThatThrownBy(() -> Capability.parse("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .isInstanceOf(CapabilitySyntaxException.class);
  }
}
