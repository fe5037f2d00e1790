package io.execauthz.cedar.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class PolicyTextTest {

  @Test
  void statements_splitAtSemicolonsOutsideStringsAndComments() throws Exception {
    String text =
        "// a; comment\n@id(\"a;b\") permit(principal, action, resource);\n\n  forbid(principal, action,"
            + " resource) when { context.kind == \"x\\\";\" };";
    List<PolicyText.Statement> st = new PolicyText("f", text).statements(32);
    assertThat(st).hasSize(2);
    assertThat(st.get(0).text()).startsWith("@id(\"a;b\")").endsWith(";");
    assertThat(st.get(0).line()).isEqualTo(2);
    assertThat(st.get(1).line()).isEqualTo(4);
    assertThat(st.get(1).column()).isEqualTo(3);
  }

  @Test
  void ifCountsAsALevel_butIdentifiersContainingIfDoNot() throws Exception {
    String ifs =
        "permit(principal, action, resource) when { "
            + "if true then ".repeat(40)
            + "true"
            + " else false".repeat(40)
            + " };";
    assertThatThrownBy(() -> new PolicyText("f", ifs).statements(32))
        .isInstanceOf(PolicyText.ScanException.class);
    String names = "permit(principal, action, resource) when { context.iffy.elif.gif == 1 };";
    assertThat(new PolicyText("f", names.repeat(40)).statements(2)).hasSize(40);
  }

  @Test
  void closingBracketsRestoreTheLevel() throws Exception {
    String wide =
        "permit(principal, action, resource) when { " + "(true) && ".repeat(1000) + "true };";
    assertThat(new PolicyText("f", wide).statements(3)).hasSize(1);
  }

  @Test
  void randomText_neverThrowsAnythingButScanException() {
    long seed = 42;
    Random r = new Random(seed);
    String alphabet = "()[]{}\"\\;/ \nif permit";
    for (int i = 0; i < 2_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(200);
      for (int k = 0; k < n; k++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      try {
        new PolicyText("f", sb.toString()).statements(8);
      } catch (PolicyText.ScanException e) {
        assertThat(e.errors()).as("seed %d case %d", seed, i).isNotEmpty();
      }
    }
  }

  @Test
  void charOffset_mapsUtf8BytesToChars() {
    assertThat(PolicyText.charOffset("aé€😀b", 0)).isEqualTo(0);
    assertThat(PolicyText.charOffset("aé€😀b", 1)).isEqualTo(1);
    assertThat(PolicyText.charOffset("aé€😀b", 3)).isEqualTo(2);
    assertThat(PolicyText.charOffset("aé€😀b", 6)).isEqualTo(3);
    assertThat(PolicyText.charOffset("aé€😀b", 10)).isEqualTo(5);
  }

  @Test
  void depthBound_countsChainedOperators_notTheWidthOfLists() throws Exception {
    StringBuilder wide = new StringBuilder("permit(principal, action, resource in [");
    for (int i = 0; i < 10_000; i++) {
      wide.append(i == 0 ? "" : ", ").append("Tool::\"t").append(i).append('"');
    }
    wide.append("]);");
    assertThat(new PolicyText("f", wide.toString()).statements(32, 10)).hasSize(1);

    String chain =
        "permit(principal, action, resource) when { true" + " && true".repeat(200) + " };";
    assertThat(new PolicyText("f", chain).statements(32, 202)).hasSize(1);
    assertThatThrownBy(() -> new PolicyText("f", "\n" + chain).statements(32, 200))
        .isInstanceOf(PolicyText.ScanException.class)
        .hasMessage(
            "f:2:1: policy expressions may nest 201 levels deep (operators and brackets), over the"
                + " limit of 200; too deep to evaluate, refused before parsing");
  }

  @Test
  void depthBound_ignoresOperatorsInStringsAndComments_andCountsKeywords() throws Exception {
    String text =
        "permit(principal, action, resource) when { context.kind == \"&&&&&&&&&&&&\" };"
            + " // && && && && && && && && && && && &&\n";
    assertThat(new PolicyText("f", text).statements(32, 6)).hasSize(1);
    String keywords =
        "permit(principal, action, resource) when { context has a && context.a like \"x\" };";
    // has, &&, ., like, { } : 5 levels; "context" "a" are not operators
    assertThat(new PolicyText("f", keywords).statements(32, 6)).hasSize(1);
    assertThatThrownBy(() -> new PolicyText("f", keywords).statements(32, 4))
        .isInstanceOf(PolicyText.ScanException.class);
  }
}
