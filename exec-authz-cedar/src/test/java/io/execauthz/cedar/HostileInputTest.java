package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue point 6: hostile input never reaches the native library unchecked. Each of these,
 * unchecked, crashes the JVM or makes the native side print the whole request to stderr; here each
 * is a clear error or a deny — and the test JVM survives to say so.
 */
final class HostileInputTest {
  /** Arguments reach Cedar only when a policy may read them (issue 16): this one reads them all. */
  private static final String READS_ARGS =
      "permit(principal, action, resource) when { context has args };";

  private static final PolicyTester.Request CALL =
      PolicyTester.request("user:alice", "tool.call", "tool:x");

  private static String nested(int n) {
    return "permit(principal, action, resource) when { "
        + "(".repeat(n)
        + "true"
        + ")".repeat(n)
        + " };";
  }

  @Test
  void deepParentheses_areRefusedBeforeParsing() {
    for (int n : new int[] {32, 72, 1_000, 100_000}) {
      assertThatThrownBy(() -> PolicyStore.of(nested(n)))
          .isInstanceOf(PolicyLoadException.class)
          .hasMessage(
              "policies:1:75: policy nested deeper than 32 levels (brackets and 'if' expressions);"
                  + " refused before parsing");
    }
  }

  @Test
  void nestingAtTheLimit_loadsAndEvaluates() {
    // 31 parentheses inside the condition's { }: 32 levels
    PolicyTester.of(nested(31)).assertPermit(CALL);
    assertThatThrownBy(() -> PolicyStore.of(nested(32))).isInstanceOf(PolicyLoadException.class);
  }

  @Test
  void deepBracketsRecordsAndIfs_areRefused() {
    String list =
        "permit(principal, action, resource) when { "
            + "[".repeat(40)
            + "1"
            + "]".repeat(40)
            + " == 1 };";
    String record =
        "permit(principal, action, resource) when { "
            + "{a:".repeat(40)
            + "1"
            + "}".repeat(40)
            + " == 1 };";
    StringBuilder ifs = new StringBuilder("permit(principal, action, resource) when { ");
    ifs.append("if true then ".repeat(2_000))
        .append("true")
        .append(" else false".repeat(2_000))
        .append(" };");
    for (String text : List.of(list, record, ifs.toString())) {
      assertThatThrownBy(() -> PolicyStore.of(text))
          .isInstanceOf(PolicyLoadException.class)
          .hasMessageContaining("nested deeper than 32 levels");
    }
  }

  @Test
  void nestingLimit_ignoresBracketsInStringsAndComments() {
    String text =
        "// ((((((((((((((((((((((((((((((((((((((((((((((((\n"
            + "permit(principal, action, resource) when { context.kind != \""
            + "(".repeat(100)
            + "\" };";
    PolicyTester.of(text).assertPermit(CALL);
  }

  @Test
  void unclosedStringOrBracket_isReported() {
    assertThatThrownBy(() -> PolicyStore.of("permit(principal, action, resource) when { \"abc };"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessage("policies:1:44: string not closed");
    assertThatThrownBy(() -> PolicyStore.of("permit(principal, action, resource"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessage("policies:1:7: bracket not closed");
  }

  @Test
  void oversizedSource_isRefused() {
    assertThatThrownBy(
            () ->
                PolicyStore.newBuilder()
                    .maxSourceBytes(100)
                    .policies("big.cedar", "permit(principal, action, resource);".repeat(10))
                    .build())
        .isInstanceOf(PolicyLoadException.class)
        .hasMessage("big.cedar: larger than 100 bytes");
  }

  @Test
  void deepArgs_areRefusedBeforeSending() {
    PolicyTester t =
        PolicyTester.of(PolicyStore.newBuilder().noSchema().policies("p", READS_ARGS).build());
    Map<String, Object> deep = Map.of("v", 1);
    for (int i = 0; i < 200; i++) {
      deep = Map.of("a", deep);
    }
    CedarDecision d = t.assertError(CALL.args(deep));
    assertThat(d.errors()).singleElement().asString().contains("args nested deeper than 16 levels");

    List<Object> deepList = List.of(1);
    for (int i = 0; i < 200; i++) {
      deepList = List.of(deepList);
    }
    t.assertError(CALL.args(Map.of("l", deepList)));
  }

  @Test
  void cyclicArgs_areRefused() {
    PolicyTester t =
        PolicyTester.of(PolicyStore.newBuilder().noSchema().policies("p", READS_ARGS).build());
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("self", cyclic);
    assertThat(t.assertError(CALL.args(cyclic)).errors().get(0)).contains("nested deeper");
  }

  @Test
  void largeArgs_areRefused() {
    PolicyTester t =
        PolicyTester.of(PolicyStore.newBuilder().noSchema().policies("p", READS_ARGS).build());
    List<Object> many = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      many.add(i);
    }
    assertThat(t.assertError(CALL.args(Map.of("many", many))).errors().get(0))
        .contains("more than 1000 values");
    assertThat(t.assertError(CALL.args(Map.of("s", "x".repeat(100_000)))).errors().get(0))
        .contains("more than 65536 characters");
  }

  @Test
  void unrepresentableArgs_areRefused() {
    PolicyTester t =
        PolicyTester.of(PolicyStore.newBuilder().noSchema().policies("p", READS_ARGS).build());
    t.assertError(CALL.args(Map.of("x", Double.NaN)));
    t.assertError(CALL.args(Map.of("x", 0.123456)));
    t.assertError(CALL.args(Map.of("x", new Object())));
  }

  @Test
  void hostileArgs_noPolicyReads_areNotSent() {
    // only what a policy may read is sent: arguments over the limits that no policy reads cannot
    // reach the native side, so they cannot fail (or slow) the request either
    PolicyTester t =
        PolicyTester.of(
            PolicyStore.newBuilder()
                .noSchema()
                .policies("p", "permit(principal, action, resource) when { context.args has ok };")
                .build());
    Map<String, Object> deep = Map.of("v", 1);
    for (int i = 0; i < 30; i++) {
      deep = Map.of("a", deep);
    }
    t.assertPermit(CALL.args(Map.of("ok", true, "deep", deep, "x", 0.123456)));
    t.assertError(CALL.args(Map.of("ok", deep)));
    t.assertDeny(CALL.args(Map.of("deep", deep)));
  }

  @Test
  void engineLimits_areConfigurable_andSetOnce() {
    PolicyStore store = PolicyStore.newBuilder().noSchema().policies("p", READS_ARGS).build();
    PolicyTester t =
        PolicyTester.of(CedarPolicyEngine.newBuilder().store(store).maxArgsDepth(2).build());
    t.assertPermit(CALL.args(Map.of("a", Map.of("b", 1))));
    t.assertError(CALL.args(Map.of("a", Map.of("b", Map.of("c", 1)))));
    assertThatThrownBy(() -> CedarPolicyEngine.newBuilder().maxArgsDepth(2).maxArgsDepth(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxArgsDepth was already set");
  }
}
