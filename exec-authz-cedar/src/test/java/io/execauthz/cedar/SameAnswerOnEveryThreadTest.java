package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.spi.PolicyRequest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, the same answer on every thread: Cedar evaluates recursively on the stack it runs on
 * (50 chained {@code &&} answered "recursion limit reached" on a 256 KiB thread and evaluated on
 * the main thread). Evaluation now runs on the store's own threads, and a policy too deep for them
 * is refused at load.
 */
final class SameAnswerOnEveryThreadTest {
  private static final PolicyTester.Request CALL =
      PolicyTester.request("agent:coder", "tool.call", "tool:github/x")
          .node("s", "session")
          .node("t", "task");

  /** {@code when { context.depth >= 0 && ... }}, {@code terms} terms, {@code 1 + 3 * terms} ops. */
  private static String chain(String effect, String id, int terms) {
    StringBuilder sb =
        new StringBuilder("@id(\"")
            .append(id)
            .append("\") ")
            .append(effect)
            .append("(principal, action, resource) when { context.depth >= 0");
    for (int i = 1; i < terms; i++) {
      sb.append(" && context.depth >= 0");
    }
    return sb.append(" };\n").toString();
  }

  private static CedarDecision onThread(CedarPolicyEngine engine, long stackBytes)
      throws InterruptedException {
    PolicyRequest request = CALL.toPolicyRequest();
    AtomicReference<CedarDecision> out = new AtomicReference<>();
    Thread t = new Thread(null, () -> out.set(engine.explain(request)), "small", stackBytes);
    t.start();
    t.join(60_000);
    assertThat(out.get()).as("decided on a %s-byte thread", stackBytes).isNotNull();
    return out.get();
  }

  @Test
  void chainedAnd_sameAnswerOnA256KiBThreadAndOnTheMainThread() throws Exception {
    for (int terms : new int[] {50, 300, 995}) {
      try (PolicyStore store =
          PolicyStore.of(
              chain("permit", "chain", terms) + chain("forbid", "chain-forbid", terms / 2))) {
        CedarPolicyEngine engine = CedarPolicyEngine.of(store);
        CedarDecision main = engine.explain(CALL.toPolicyRequest());
        CedarDecision small = onThread(engine, 256 << 10);
        assertThat(main.errors()).as("%s terms", terms).isEmpty();
        assertThat(main.permitted()).isFalse();
        assertThat(main.determiningPolicies()).containsExactly("chain-forbid");
        assertThat(small).as("%s terms", terms).isEqualTo(main);
      }
    }
  }

  @Test
  void shallowPolicies_evaluatedOnTheCallersThread_answerTheSameOnTheSmallestStacks()
      throws Exception {
    // the deepest chain still evaluated on the caller's thread (issue 16: no hand-off for it)
    int terms = 1;
    while (true) {
      try (PolicyStore store = PolicyStore.of(chain("permit", "p", terms + 1))) {
        if (!store.snapshot().shallow()) {
          break;
        }
      }
      terms++;
    }
    java.util.Map<String, Object> deep = java.util.Map.of("v", 1L);
    for (int i = 0; i < 13; i++) {
      deep = java.util.Map.of("a", deep);
    }
    try (PolicyStore store =
        PolicyStore.newBuilder()
            .noSchema()
            .policies(
                "shallow.cedar",
                chain("permit", "chain", terms)
                    + chain("forbid", "chain-forbid", terms / 2).replace("when {", "unless {")
                    + "@id(\"args\") forbid(principal, action, resource)"
                    + " when { context.args has a && context.args.a has b };\n")
            .build()) {
      assertThat(store.snapshot().shallow()).as("%s terms", terms).isTrue();
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      PolicyRequest request = CALL.args(java.util.Map.of("a", deep)).toPolicyRequest();
      CedarDecision main = engine.explain(request);
      assertThat(main.errors()).isEmpty();
      assertThat(main.permitted()).isTrue();
      for (long stack : new long[] {1, 64 << 10, 128 << 10, 256 << 10}) {
        AtomicReference<CedarDecision> out = new AtomicReference<>();
        Thread t = new Thread(null, () -> out.set(engine.explain(request)), "tiny", stack);
        t.start();
        t.join(60_000);
        assertThat(out.get()).as("%s terms on a %s-byte thread", terms, stack).isEqualTo(main);
      }
    }
  }

  @Test
  void atTheLargestAllowedDepth_stillTheSameAnswer() throws Exception {
    try (PolicyStore store =
        PolicyStore.newBuilder()
            .maxExpressionDepth(5_000)
            .policies("deep.cedar", chain("permit", "deep", 4_990))
            .build()) {
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      CedarDecision main = engine.explain(CALL.toPolicyRequest());
      assertThat(main.errors()).isEmpty();
      assertThat(main.permitted()).isTrue();
      assertThat(onThread(engine, 256 << 10)).isEqualTo(main);
    }
  }

  @Test
  void tooDeepPolicy_isRefusedAtLoad_withItsLocation() {
    String text =
        "@id(\"baseline\") permit(principal, action, resource);\n" + chain("forbid", "deep", 1_000);
    assertThatThrownBy(() -> PolicyStore.newBuilder().policies("team.cedar", text).build())
        .isInstanceOf(PolicyLoadException.class)
        .hasMessage(
            "team.cedar:2:1: policy expressions nest 1002 levels deep, over the limit of 1000;"
                + " too deep to evaluate, refused");
  }

  @Test
  void hostileChain_isRefusedBeforeParsing_andTheJvmLives() {
    // about 150,000 levels: cedar-java's JSON serializer overflows a 64 MiB stack near 100,000
    String text =
        "permit(principal, action, resource) when { " + "true && ".repeat(150_000) + "true };";
    assertThatThrownBy(() -> PolicyStore.of(text))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith("policies:1:1: policy expressions may nest 150001 levels deep")
        .hasMessageEndingWith(
            "over the limit of 4016; too deep to evaluate, refused before parsing");
  }

  @Test
  void maxExpressionDepth_isConfigurable_andBounded() {
    PolicyStore.Builder b = PolicyStore.newBuilder().maxExpressionDepth(10);
    assertThatThrownBy(() -> b.maxExpressionDepth(20))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxExpressionDepth was already set");
    assertThatThrownBy(() -> PolicyStore.newBuilder().maxExpressionDepth(5_001))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.policies("p", chain("permit", "p", 10)).build())
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("over the limit of 10");
    try (PolicyStore ok =
        PolicyStore.newBuilder()
            .maxExpressionDepth(10)
            .policies("p", chain("permit", "p", 2))
            .build()) {
      PolicyTester.of(ok).assertPermittedBy(CALL, "p");
    }
  }

  @Test
  void closedStore_deniesWithAnError() {
    PolicyStore store = PolicyStore.of("permit(principal, action, resource);");
    CedarPolicyEngine engine = CedarPolicyEngine.of(store);
    assertThat(engine.explain(CALL.toPolicyRequest()).permitted()).isTrue();
    store.close();
    CedarDecision d = engine.explain(CALL.toPolicyRequest());
    assertThat(d.permitted()).isFalse();
    assertThat(d.errors())
        .singleElement()
        .asString()
        .isEqualTo("cedar evaluation failed: the policy store is closed");
  }
}
