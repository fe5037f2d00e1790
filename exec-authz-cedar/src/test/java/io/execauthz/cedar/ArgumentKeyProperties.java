package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 16: the decision cache keys a request by the arguments the policies may read, so calls that
 * differ only in arguments no policy reads share one cache entry. This must never change an answer
 * (ARCHITECTURE §6, invariant 5, cache transparency): for random policy sets that read random
 * argument paths — through dot access, {@code has}, indexing, whole records, nested records — and
 * random requests whose unread arguments include values Cedar cannot hold, every decision with the
 * cache on equals the decision with the cache off.
 *
 * <p>60 policy sets × 20 requests = 1,200 compared decisions; the seed is in every failure.
 */
final class ArgumentKeyProperties {
  private static final long BASE_SEED = 0x16A5C0DEL;
  private static final int POLICY_SETS = 60;
  private static final int REQUESTS = 20;
  private static final java.util.concurrent.atomic.AtomicLong HITS =
      new java.util.concurrent.atomic.AtomicLong();
  private static final List<String> NAMES = List.of("repo", "path", "mode", "n", "opts");

  @TestFactory
  Stream<DynamicTest> cacheOnEqualsCacheOff_forRandomPoliciesReadingRandomArguments() {
    Stream<DynamicTest> cases =
        IntStream.range(0, POLICY_SETS)
            .mapToObj(
                i -> {
                  long seed = BASE_SEED + i;
                  return DynamicTest.dynamicTest("seed " + seed, () -> check(seed));
                });
    // the property is about a cache that serves: most requests repeat what the policies read
    DynamicTest served =
        DynamicTest.dynamicTest(
            "the cache served",
            () ->
                assertThat(HITS.get())
                    .as("cache hits over all seeds from %d", BASE_SEED)
                    .isGreaterThan(POLICY_SETS * REQUESTS / 10));
    return Stream.concat(cases, Stream.of(served));
  }

  private static void check(long seed) {
    Random rnd = new Random(seed);
    String policies = policies(rnd);
    try (PolicyStore store =
        PolicyStore.newBuilder().policies("random", policies).noSchema().build()) {
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      ExecutionGraph graph = ExecutionGraph.newBuilder().clock(() -> t0).build();
      graph.spawn(
          NodeSpec.builder("session")
              .principal("user:alice")
              .capabilities("tool.call tool:**")
              .ttl(Duration.ofHours(1))
              .build());
      Authorizer cached =
          Authorizer.newBuilder().graph(graph).policyEngine(engine).decisionCache(10_000).build();
      Authorizer uncached =
          Authorizer.newBuilder().graph(graph).policyEngine(engine).decisionCache(0).build();
      List<Map<String, Object>> seen = new ArrayList<>();
      for (int r = 0; r < REQUESTS; r++) {
        Map<String, Object> args = args(rnd, seen);
        seen.add(args);
        AuthorizationRequest req =
            AuthorizationRequest.of("session", "tool.call", "tool:github/x").withArgs(args);
        Decision a = cached.authorize(req);
        Decision b = uncached.authorize(req);
        String where =
            "seed " + seed + ", request " + r + ", args " + args + ", policies:\n" + policies;
        assertThat(a.isPermit()).as(where).isEqualTo(b.isPermit());
        assertThat(reason(a)).as(where).isEqualTo(reason(b));
        assertThat(a.determiningPolicies()).as(where).isEqualTo(b.determiningPolicies());
      }
      HITS.addAndGet(cached.cacheStats().hits());
    }
  }

  private static String reason(Decision d) {
    return d instanceof Decision.Deny deny ? deny.reason().name() : "PERMIT";
  }

  private static String policies(Random rnd) {
    StringBuilder sb = new StringBuilder();
    if (rnd.nextInt(4) != 0) {
      sb.append("@id(\"base\") permit(principal, action, resource);\n");
    }
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      sb.append("@id(\"p")
          .append(i)
          .append("\") ")
          .append(rnd.nextBoolean() ? "permit" : "forbid")
          .append("(principal, action, resource) when { ")
          .append(condition(rnd))
          .append(" };\n");
    }
    return sb.toString();
  }

  private static String condition(Random rnd) {
    String name = NAMES.get(rnd.nextInt(NAMES.size()));
    switch (rnd.nextInt(9)) {
      case 0:
        return "context.args has " + name;
      case 1:
        return "context.args has " + name + " && context.args." + name + " == \"a\"";
      case 2:
        return "context.args has opts && context.args.opts has deep && context.args.opts.deep == 2";
      case 3:
        return "context[\"args\"][\"" + name + "\"] == \"b\"";
      case 4:
        return "context.args == {\"repo\": \"a\"}"; // the whole record
      case 5:
        return "context.args has n && context.args.n > 1";
      case 6:
        return "context.kind == \"session\""; // reads no argument
      case 7:
        return "context has args && context.args has mode";
      default:
        return "context.args." + name + " == \"a\""; // errors when absent: never cached
    }
  }

  /** Random arguments; often a repeat of an earlier request's with only unread values changed. */
  private static Map<String, Object> args(Random rnd, List<Map<String, Object>> seen) {
    Map<String, Object> args;
    if (!seen.isEmpty() && rnd.nextInt(3) != 0) {
      args = new HashMap<>(seen.get(rnd.nextInt(seen.size())));
      args.put("noise", rnd.nextLong()); // read by no policy
    } else {
      args = new HashMap<>();
      for (String name : NAMES) {
        if (rnd.nextBoolean()) {
          args.put(name, value(rnd, name));
        }
      }
    }
    if (rnd.nextInt(4) == 0) {
      // a value Cedar's decimal cannot hold: refused, but only if it is sent
      args.put(
          rnd.nextBoolean() ? "bad" : NAMES.get(rnd.nextInt(NAMES.size())),
          new BigDecimal("1.234567"));
    }
    return args;
  }

  private static Object value(Random rnd, String name) {
    switch (name) {
      case "n":
        return (long) rnd.nextInt(4);
      case "opts":
        return Map.of("deep", (long) rnd.nextInt(3));
      default:
        return List.of("a", "b", "c").get(rnd.nextInt(3));
    }
  }
}
