package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Arguments are values: random nested arguments, which callers keep mutating after each call, never
 * change a later decision; and the cached and uncached authorizers agree on every decision.
 */
final class ArgumentProperties {
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", 1_000);
  private static final long FIRST = Long.getLong("execauthz.properties.seed", 0xA565L);
  private static final String[] KEYS = {"flags", "repo", "n", "opts", "path"};
  private static final String[] WORDS = {"force", "main", "dev", "x", ""};

  /** Decides on the whole argument tree: permits unless its canonical text holds "force". */
  private static final PolicyEngine READS_EVERYTHING =
      r -> {
        String text = Args.of(r.args()).canonicalJson();
        boolean permit = !text.contains("force") && text.length() % 5 != 0;
        return new PolicyDecision(permit, List.of("p"), List.of());
      };

  private static Object randomValue(SplittableRandom rnd, int depth) {
    int k = rnd.nextInt(depth > 2 ? 4 : 7);
    switch (k) {
      case 0:
        return WORDS[rnd.nextInt(WORDS.length)];
      case 1:
        return rnd.nextBoolean();
      case 2:
        return rnd.nextInt(3) == 0 ? (Object) rnd.nextInt(-3, 4) : (Object) (long) rnd.nextInt(4);
      case 3:
        return rnd.nextBoolean() ? 1.5 : new BigDecimal("1.50");
      case 4:
      case 5:
        List<Object> l = new ArrayList<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
          l.add(randomValue(rnd, depth + 1));
        }
        return l;
      default:
        return randomMap(rnd, depth + 1);
    }
  }

  private static Map<String, Object> randomMap(SplittableRandom rnd, int depth) {
    Map<String, Object> m = new HashMap<>();
    for (int i = rnd.nextInt(4); i > 0; i--) {
      m.put(KEYS[rnd.nextInt(KEYS.length)], rnd.nextInt(8) == 0 ? null : randomValue(rnd, depth));
    }
    return m;
  }

  /** Changes something somewhere in a mutable tree the caller still holds. */
  @SuppressWarnings("unchecked")
  private static void mutate(SplittableRandom rnd, Object tree) {
    if (tree instanceof Map<?, ?> m) {
      Map<String, Object> mm = (Map<String, Object>) m;
      List<Object> children = new ArrayList<>(mm.values());
      children.removeIf(c -> c == null);
      if (!children.isEmpty() && rnd.nextBoolean()) {
        mutate(rnd, children.get(rnd.nextInt(children.size())));
      } else {
        mm.put(KEYS[rnd.nextInt(KEYS.length)], randomValue(rnd, 3));
      }
    } else if (tree instanceof List<?> l) {
      List<Object> ll = (List<Object>) l;
      if (!ll.isEmpty() && rnd.nextBoolean()) {
        mutate(rnd, ll.get(rnd.nextInt(ll.size())));
      } else {
        ll.add(rnd.nextBoolean() ? "force" : randomValue(rnd, 3));
      }
    }
  }

  private static Authorizer authorizer(ExecutionGraph graph, int cacheSize) {
    return Authorizer.newBuilder()
        .graph(graph)
        .policyEngine(READS_EVERYTHING)
        .decisionCache(cacheSize)
        .build();
  }

  @TestFactory
  Stream<DynamicTest> mutatingArgumentsAfterACall_neverChangesALaterDecision() {
    return LongStream.range(FIRST, FIRST + CASES)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> mutationCase(seed)));
  }

  private static void mutationCase(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:**")
            .ttl(Duration.ofHours(1))
            .build());
    Authorizer cached = authorizer(graph, 10_000);
    Authorizer uncached = authorizer(graph, 0);
    List<Map<String, Object>> held = new ArrayList<>();
    List<AuthorizationRequest> asked = new ArrayList<>();
    List<Boolean> answers = new ArrayList<>();
    for (int step = 0; step < 12; step++) {
      Map<String, Object> args;
      if (!held.isEmpty() && rnd.nextBoolean()) {
        args = held.get(rnd.nextInt(held.size())); // the caller reuses a map it mutated
      } else {
        args = randomMap(rnd, 1);
        held.add(args);
      }
      AuthorizationRequest r = AuthorizationRequest.of("s", "tool.call", "tool:t").withArgs(args);
      boolean expected =
          READS_EVERYTHING
              .evaluate(
                  new io.execauthz.spi.PolicyRequest(
                      graph.node("s").view(),
                      "tool.call",
                      "tool:t",
                      r.args(),
                      false,
                      clock.instant()))
              .permitted();
      Decision c = cached.authorize(r);
      Decision u = uncached.authorize(r);
      assertThat(c.isPermit())
          .as("seed %d step %d: cached vs uncached", seed, step)
          .isEqualTo(u.isPermit());
      assertThat(c.isPermit())
          .as("seed %d step %d: decision vs its arguments", seed, step)
          .isEqualTo(expected);
      asked.add(r);
      answers.add(c.isPermit());
      mutate(rnd, held.get(rnd.nextInt(held.size())));
      // every earlier request still decides as it did when it was made
      int i = rnd.nextInt(asked.size());
      assertThat(cached.authorize(asked.get(i)).isPermit())
          .as("seed %d step %d: request %d asked again after a mutation", seed, step, i)
          .isEqualTo(answers.get(i));
    }
  }
}
