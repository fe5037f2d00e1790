package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The analysis is sound on random policies: whenever changing only the time changes a decision, the
 * policy set is found to read the time; whenever changing only {@code context.args.a} changes it,
 * the set is found to read that path. Policies spell {@code now} every way Cedar allows.
 */
final class PolicyReadsProperties {
  private static final long BASE_SEED = 0x5eed_2026_1201L;
  private static final int CASES = 1_000;

  private static final List<String> NOW =
      List.of(
          "context.now",
          "context[\"now\"]",
          "context[\"\\u{6e}ow\"]",
          "context[\"\\x6eow\"]",
          "context[\"n\\u{6f}\\u{77}\"]");

  private static PolicyStore store;
  private static final AtomicInteger RAN = new AtomicInteger();
  private static final AtomicInteger TIME_SENSITIVE = new AtomicInteger();
  private static final AtomicInteger ARGS_SENSITIVE = new AtomicInteger();

  @AfterAll
  static void closeAndCheckTheGeneratorReachedBothCases() {
    if (store != null) {
      store.close();
    }
    if (RAN.get() == CASES) {
      // the properties above are vacuous unless decisions do change with time and with args
      assertThat(TIME_SENSITIVE.get())
          .as("cases whose decision changed with the time")
          .isGreaterThan(20);
      assertThat(ARGS_SENSITIVE.get())
          .as("cases whose decision changed with args.a")
          .isGreaterThan(20);
    }
  }

  private static synchronized PolicyStore store() {
    if (store == null) {
      store =
          PolicyStore.newBuilder()
              .noSchema()
              .policies("seed", "permit(principal, action, resource);")
              .build();
    }
    return store;
  }

  /** An integer-valued expression. */
  private static String integer(Random r, int depth) {
    // the time and args.a often: the properties are about them
    int often = r.nextInt(3);
    if (often == 0) {
      return NOW.get(r.nextInt(NOW.size()));
    }
    if (often == 1) {
      return "context.args.a";
    }
    int pick = depth <= 0 ? r.nextInt(4) : r.nextInt(6);
    switch (pick) {
      case 0:
        return NOW.get(r.nextInt(NOW.size()));
      case 1:
        return "context.depth";
      case 2:
        return "context.args.a";
      case 3:
        return String.valueOf(r.nextInt(2_000_000_000));
      case 4:
        return "(" + integer(r, depth - 1) + " + " + integer(r, depth - 1) + ")";
      default:
        return "(if "
            + bool(r, depth - 1)
            + " then "
            + integer(r, depth - 1)
            + " else "
            + integer(r, depth - 1)
            + ")";
    }
  }

  /** A boolean-valued expression. */
  private static String bool(Random r, int depth) {
    int pick = depth <= 0 ? r.nextInt(3) : r.nextInt(10);
    switch (pick) {
      case 0:
        return integer(r, 0) + " < " + integer(r, 0);
      case 1:
        return "context.args has a";
      case 2:
        return "context.args.b like \"x*\"";
      case 3:
        return "(" + bool(r, depth - 1) + " && " + bool(r, depth - 1) + ")";
      case 4:
        return "(" + bool(r, depth - 1) + " || " + bool(r, depth - 1) + ")";
      case 5:
        return "!(" + bool(r, depth - 1) + ")";
      case 6:
        return "[" + integer(r, depth - 1) + ", 7].contains(" + integer(r, depth - 1) + ")";
      case 7:
        return "({k: " + integer(r, depth - 1) + "}.k == " + integer(r, depth - 1) + ")";
      case 8:
        return "(if "
            + bool(r, depth - 1)
            + " then "
            + bool(r, depth - 1)
            + " else "
            + bool(r, depth - 1)
            + ")";
      default:
        return integer(r, depth - 1) + " >= " + integer(r, depth - 1);
    }
  }

  private static String outcome(CedarDecision d) {
    return d.errors().isEmpty() ? (d.permitted() ? "permit" : "deny") : "error";
  }

  @TestFactory
  Stream<DynamicTest> decisionsChangeOnlyWithWhatTheAnalysisSaysIsRead() {
    return IntStream.range(0, CASES)
        .mapToObj(
            i -> {
              long seed = BASE_SEED + i;
              return DynamicTest.dynamicTest("seed " + seed, () -> check(seed));
            });
  }

  private static void check(long seed) {
    Random r = new Random(seed);
    String condition = bool(r, 1 + r.nextInt(3));
    boolean forbid = r.nextBoolean();
    String policy =
        (forbid ? "forbid" : "permit")
            + "(principal, action, resource) when { "
            + condition
            + " };\n"
            // a forbid needs something to forbid
            + (forbid ? "permit(principal, action, resource);\n" : "");
    PolicyStore s = store();
    LoadReport loaded = s.replacePolicies(Map.of("p.cedar", policy));
    assertThat(loaded.applied())
        .as("seed %s: %s loads: %s", seed, policy, loaded.errors())
        .isTrue();
    PolicyReads reads = s.policyReads();
    PolicyTester t = PolicyTester.of(s);

    Instant t1 = Instant.ofEpochSecond(r.nextInt(2_000_000_000));
    Instant t2 = Instant.ofEpochSecond(r.nextInt(2_000_000_000));
    Map<String, Object> args = Map.of("a", (long) r.nextInt(2_000_000_000), "b", "xyz");
    Map<String, Object> otherA = Map.of("a", (long) r.nextInt(2_000_000_000), "b", "xyz");
    PolicyTester.Request base =
        PolicyTester.request("agent:a", "tool.call", "tool:x").node("s", "session");
    String atT1 = outcome(t.decide(base.args(args).at(t1)));
    String atT2 = outcome(t.decide(base.args(args).at(t2)));
    String withOtherA = outcome(t.decide(base.args(otherA).at(t1)));
    RAN.incrementAndGet();
    if (!atT1.equals(atT2)) {
      TIME_SENSITIVE.incrementAndGet();
      assertThat(reads.readsTime())
          .as("seed %s: %s decides %s then %s as only the time changes", seed, policy, atT1, atT2)
          .isTrue();
    }
    if (!atT1.equals(withOtherA)) {
      ARGS_SENSITIVE.incrementAndGet();
      assertThat(reads.mayReadContext("args", "a"))
          .as("seed %s: %s changes with args.a alone", seed, policy)
          .isTrue();
    }
    boolean spellsNow = NOW.stream().anyMatch(policy::contains);
    assertThat(reads.readsTime())
        .as("seed %s: %s reads the time exactly when it names it", seed, policy)
        .isEqualTo(spellsNow);
  }
}
