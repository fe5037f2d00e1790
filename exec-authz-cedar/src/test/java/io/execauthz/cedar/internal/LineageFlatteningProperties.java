package io.execauthz.cedar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.policy.PolicySet;
import io.execauthz.ExecutionNode;
import io.execauthz.cedar.CedarDecision;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.PolicyRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 16: a request sends the lineage's {@code Execution} entities only as far as the policies
 * can observe them — none, the node alone with every ancestor as a direct parent, or the whole
 * lineage. For random graphs (merges included) and random policies testing ancestry ({@code in}
 * against one literal or a set), reading the node's attributes, or observing an ancestor itself,
 * the engine's answer for every node equals a bare cedar-java call given the whole lineage.
 *
 * <p>150 graphs, one request per node (≈ 1,300 compared answers); the seed is in every failure.
 */
final class LineageFlatteningProperties {
  private static final long BASE_SEED = 0x11AE46EL;
  private static final int GRAPHS = 150;
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final RequestMapper.Limits LIMITS =
      new RequestMapper.Limits(16, 1_000, 65_536, 1_024);

  @TestFactory
  Stream<DynamicTest> flattenedLineage_answersAsTheWholeLineage() {
    return IntStream.range(0, GRAPHS)
        .mapToObj(
            i -> {
              long seed = BASE_SEED + i;
              return DynamicTest.dynamicTest("seed " + seed, () -> check(seed));
            });
  }

  private static void check(long seed) throws Exception {
    Random rnd = new Random(seed);
    int size = 4 + rnd.nextInt(7);
    List<ExecutionNode> nodes = RandomGraphs.nodes(rnd, "user:alice", size, NOW);
    String policies = policies(rnd, size);
    PolicySet reference = PolicySet.parsePolicies(policies);
    BasicAuthorizationEngine cedar = new BasicAuthorizationEngine();
    try (PolicyStore store =
        PolicyStore.newBuilder().policies("random", policies).noSchema().build()) {
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      for (ExecutionNode node : nodes) {
        PolicyRequest r =
            new PolicyRequest(node.view(), "tool.call", "tool:x", Map.of(), false, NOW);
        CedarDecision ours = engine.explain(r);
        FullRequest full = FullRequest.of(r, null, true);
        AuthorizationResponse raw = cedar.isAuthorized(full.request, reference, full.entities);
        AuthorizationSuccessResponse ok = raw.success.orElseThrow();
        boolean allowed =
            ok.getErrors().isEmpty()
                && ok.getDecision() == AuthorizationSuccessResponse.Decision.Allow;
        String where =
            "seed "
                + seed
                + ", node "
                + node.id()
                + " "
                + node.view().lineage()
                + ", policies:\n"
                + policies;
        assertThat(ours.permitted()).as(where).isEqualTo(allowed);
        assertThat(ours.errors().isEmpty()).as(where).isEqualTo(ok.getErrors().isEmpty());
      }
    }
  }

  private static String policies(Random rnd, int size) {
    StringBuilder sb = new StringBuilder();
    if (rnd.nextBoolean()) {
      sb.append("permit(principal, action, resource);\n");
    }
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      String x = "Execution::\"n" + rnd.nextInt(size) + "\"";
      String y = "Execution::\"n" + rnd.nextInt(size) + "\"";
      String effect = rnd.nextBoolean() ? "permit" : "forbid";
      String when;
      switch (rnd.nextInt(10)) {
        case 0, 1, 2 -> when = "context.execution in " + x;
        case 3 -> when = "context.execution in [" + x + ", " + y + "]";
        case 4 -> when = "context.execution.kind == \"task\"";
        case 5 -> when = "context.execution.depth > 1 && context.execution in " + x;
        case 6 -> when = x + ".depth >= 1"; // observes an ancestor itself
        case 7 -> when = x + " in " + y; // an ancestor's own ancestry
        case 8 -> when = x + ".kind == \"batch\"";
        default -> when = "!(context.execution in " + x + ")";
      }
      sb.append(effect)
          .append("(principal, action, resource) when { ")
          .append(when)
          .append(" };\n");
    }
    return sb.toString();
  }
}
