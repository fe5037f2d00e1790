package io.execauthz.cedar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.cedar.PolicyReads;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The analysis on JSON forms cedar-java does not produce today: anything unknown reads all. */
final class PolicyAnalysisTest {
  private static final String SCOPE =
      "\"effect\":\"permit\",\"principal\":{\"op\":\"All\"},\"action\":{\"op\":\"All\"},"
          + "\"resource\":{\"op\":\"All\"}";

  private static PolicyAnalysis.Result when(String body) {
    return PolicyAnalysis.analyze(
        "{" + SCOPE + ",\"conditions\":[{\"kind\":\"when\",\"body\":" + body + "}]}");
  }

  @Test
  void knownForm_isFollowed() {
    PolicyAnalysis.Result r =
        when(
            "{\"<\":{\"left\":{\".\":{\"left\":{\"Var\":\"context\"},\"attr\":\"depth\"}},"
                + "\"right\":{\"Value\":5}}}");
    assertThat(r.reads().contextPaths()).containsExactly(List.of("depth"));
    assertThat(r.reads().readsTime()).isFalse();
    assertThat(r.depth()).isEqualTo(3);
  }

  @Test
  void unknownOperatorOrFunction_readsEverything() {
    for (String body :
        List.of(
            "{\"currentTime\":[]}",
            "{\"futureOp\":{\"left\":{\"Var\":\"context\"}}}",
            "{\"Unknown\":{\"name\":\"x\"}}",
            "{\"Var\":\"somethingNew\"}",
            "{\"<\":{\"left\":{\"Value\":1},\"right\":{\"Value\":2},\"third\":{\"Value\":3}}}",
            "{\".\":{\"left\":{\"Var\":\"context\"}}}",
            "[1,2]")) {
      assertThat(when(body).reads()).as(body).isEqualTo(PolicyReads.everything());
    }
  }

  @Test
  void templateSlotOrUnknownPolicyField_readsEverything() {
    assertThat(
            PolicyAnalysis.analyze(
                    "{\"effect\":\"permit\",\"principal\":{\"op\":\"==\",\"slot\":\"?principal\"},"
                        + "\"action\":{\"op\":\"All\"},\"resource\":{\"op\":\"All\"},\"conditions\":[]}")
                .reads())
        .isEqualTo(PolicyReads.everything());
    assertThat(PolicyAnalysis.analyze("{" + SCOPE + ",\"conditions\":[],\"extra\":1}").reads())
        .isEqualTo(PolicyReads.everything());
  }

  @Test
  void unreadableJson_readsEverything_andHasNoDepth() {
    PolicyAnalysis.Result r = PolicyAnalysis.analyze("{not json");
    assertThat(r.reads()).isEqualTo(PolicyReads.everything());
    assertThat(r.depth()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void depth_countsTheDeepestExpression() {
    String e = "{\"Value\":true}";
    for (int i = 0; i < 50; i++) {
      e = "{\"&&\":{\"left\":" + e + ",\"right\":{\"Value\":true}}}";
    }
    assertThat(when(e).depth()).isEqualTo(51);
  }
}
