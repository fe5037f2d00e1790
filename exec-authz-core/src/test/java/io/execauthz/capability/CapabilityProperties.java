package io.execauthz.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property suite for the capability model (CONTRACT §1), over seeded {@link SplittableRandom}
 * generators. Every case is one dynamic test named by its seed; every assertion names the seed and
 * the inputs. Replay one case with {@code -Dexecauthz.properties.seed=N
 * -Dexecauthz.properties.cases=1}.
 *
 * <p>The oracles are brute force over a finite universe of concrete resources and actions: paths of
 * 1 to {@link #MAX_PATTERN_SEGMENTS}+2 segments over {@code a b c} (plus an empty first segment)
 * and actions of 1 to {@link #MAX_ACTION_WORDS}+2 words over {@code a b c}. Patterns use only
 * {@code a b} literals, so {@code c} witnesses every wildcard, and the extra two segments (words)
 * witness every {@code **} ({@code .*}). Concrete matching in the oracle is by regular expression
 * over the text, independent of the code under test.
 */
final class CapabilityProperties {
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", 1000);
  private static final long FIRST_SEED = Long.getLong("execauthz.properties.seed", 20260101L);

  private static final int MAX_PATTERN_SEGMENTS = 5; // "" + 3 segments + "**"
  private static final int MAX_ACTION_WORDS = 3;
  private static final List<String> SCHEMES = List.of("fs", "t");
  private static final List<Instant> INSTANTS =
      List.of(
          Instant.parse("2026-01-01T00:00:00Z"),
          Instant.parse("2026-06-01T00:00:00Z"),
          Instant.parse("2027-01-01T00:00:00Z"));

  // the finite universes, and the brute-force match sets of every pattern text seen (by regex)
  private static final List<String> RESOURCES = resourceUniverse();
  private static final List<ResourcePattern> PARSED_RESOURCES =
      RESOURCES.stream().map(ResourcePattern::parseConcrete).toList();
  private static final List<String> ACTIONS = actionUniverse();
  private static final Map<String, BitSet> RESOURCE_ORACLE = new ConcurrentHashMap<>();
  private static final Map<String, BitSet> ACTION_ORACLE = new ConcurrentHashMap<>();
  // the same sets as the code under test computes them
  private static final Map<String, BitSet> RESOURCE_ACTUAL = new ConcurrentHashMap<>();
  private static final Map<String, BitSet> ACTION_ACTUAL = new ConcurrentHashMap<>();

  // ---------------------------------------------------------------- properties

  @TestFactory
  Stream<DynamicTest> parseOfPrint_isIdentity_andPrintIsStable() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          WideText w = wideCapability(r);

          Capability c = Capability.parse(w.text());
          String printed = c.toString();
          Capability again = Capability.parse(printed);

          assertThat(printed).as("seed=%d text=%s", seed, w.text()).isEqualTo(w.canonical());
          assertThat(again).as("seed=%d text=%s", seed, w.text()).isEqualTo(c);
          assertThat(again.hashCode())
              .as("seed=%d text=%s", seed, w.text())
              .isEqualTo(c.hashCode());
          assertThat(again.toString()).as("seed=%d text=%s", seed, w.text()).isEqualTo(printed);
          assertThat(ActionPattern.parse(c.action().toString()))
              .as("seed=%d text=%s", seed, w.text())
              .isEqualTo(c.action());
          assertThat(ResourcePattern.parse(c.resource().toString()))
              .as("seed=%d text=%s", seed, w.text())
              .isEqualTo(c.resource());
        });
  }

  @TestFactory
  Stream<DynamicTest> covers_isReflexive() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          Capability c = capability(r).parse();
          CapabilitySet s = CapabilitySet.of(capability(r).parse(), c, capability(r).parse());

          assertThat(c.covers(c)).as("seed=%d c=%s", seed, c).isTrue();
          assertThat(c.action().covers(c.action())).as("seed=%d c=%s", seed, c).isTrue();
          assertThat(c.resource().covers(c.resource())).as("seed=%d c=%s", seed, c).isTrue();
          assertThat(s.covers(s)).as("seed=%d s=%s", seed, s).isTrue();
          assertThat(s.firstUncovered(s)).as("seed=%d s=%s", seed, s).isEmpty();
        });
  }

  @TestFactory
  Stream<DynamicTest> covers_isTransitive() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          // a chain x ⊇ y ⊇ z made by narrowing
          GenCap x = capability(r);
          GenCap y = narrow(r, x);
          GenCap z = narrow(r, y);
          Capability cx = x.parse();
          Capability cy = y.parse();
          Capability cz = z.parse();
          assertThat(cx.covers(cy)).as("seed=%d x=%s y=%s", seed, cx, cy).isTrue();
          assertThat(cy.covers(cz)).as("seed=%d y=%s z=%s", seed, cy, cz).isTrue();
          assertThat(cx.covers(cz)).as("seed=%d x=%s z=%s", seed, cx, cz).isTrue();

          // and every covering pair of pairs in a small pool
          List<Capability> pool = new ArrayList<>();
          List<GenCap> gens = new ArrayList<>();
          for (int i = 0; i < 7; i++) {
            GenCap g =
                gens.isEmpty() || r.nextInt(3) == 0
                    ? capability(r)
                    : narrow(r, gens.get(r.nextInt(gens.size())));
            gens.add(g);
            pool.add(g.parse());
          }
          for (Capability a : pool) {
            for (Capability b : pool) {
              if (!a.covers(b)) {
                continue;
              }
              for (Capability c : pool) {
                if (b.covers(c)) {
                  assertThat(a.covers(c)).as("seed=%d a=%s b=%s c=%s", seed, a, b, c).isTrue();
                }
              }
            }
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> resourceMatches_agreesWithBruteForce() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          ResourcePattern p = ResourcePattern.parse(resource(r).text());
          BitSet oracle = resourceOracle(p.toString());

          for (int i = 0; i < RESOURCES.size(); i++) {
            if (p.covers(PARSED_RESOURCES.get(i)) != oracle.get(i)) {
              fail("seed=%d %s matches %s: expected %s", seed, p, RESOURCES.get(i), oracle.get(i));
            }
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> resourceCovers_isExactlyContainmentOfMatchedResources() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          GenResource ga = resource(r);
          GenResource gb = r.nextBoolean() ? resource(r) : narrow(r, ga);
          if (r.nextInt(4) == 0) { // sometimes the other way round
            GenResource t = ga;
            ga = gb;
            gb = t;
          }
          ResourcePattern a = ResourcePattern.parse(ga.text());
          ResourcePattern b = ResourcePattern.parse(gb.text());

          assertThat(a.covers(b))
              .as("seed=%d %s covers %s (brute force)", seed, a, b)
              .isEqualTo(contains(resourceOracle(a.toString()), resourceOracle(b.toString())));
        });
  }

  @TestFactory
  Stream<DynamicTest> actionMatchesAndCovers_agreeWithBruteForce() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          GenAction ga = action(r);
          GenAction gb = r.nextBoolean() ? action(r) : narrow(r, ga);
          ActionPattern a = ActionPattern.parse(ga.text());
          ActionPattern b = ActionPattern.parse(gb.text());
          BitSet oa = actionOracle(a.toString());
          BitSet ob = actionOracle(b.toString());

          for (int i = 0; i < ACTIONS.size(); i++) {
            if (a.matches(ACTIONS.get(i)) != oa.get(i)) {
              fail("seed=%d %s matches %s: expected %s", seed, a, ACTIONS.get(i), oa.get(i));
            }
          }
          assertThat(a.covers(b))
              .as("seed=%d %s covers %s (brute force)", seed, a, b)
              .isEqualTo(contains(oa, ob));
          assertThat(b.covers(a))
              .as("seed=%d %s covers %s (brute force)", seed, b, a)
              .isEqualTo(contains(ob, oa));
        });
  }

  @TestFactory
  Stream<DynamicTest> capabilityCovers_isActionAndResourceContainmentAndStricterConstraints() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          GenCap ga = capability(r);
          GenCap gb = r.nextBoolean() ? capability(r) : narrow(r, ga);
          Capability a = ga.parse();
          Capability b = gb.parse();

          boolean expected =
              contains(actionOracle(ga.action().text()), actionOracle(gb.action().text()))
                  && contains(
                      resourceOracle(ga.resource().text()), resourceOracle(gb.resource().text()))
                  && (ga.maxCalls() < 0 || (gb.maxCalls() >= 0 && gb.maxCalls() <= ga.maxCalls()))
                  && (ga.until() == null
                      || (gb.until() != null && gb.until().compareTo(ga.until()) <= 0))
                  && (!ga.approval() || gb.approval());

          assertThat(a.covers(b)).as("seed=%d %s covers %s", seed, a, b).isEqualTo(expected);
        });
  }

  @TestFactory
  Stream<DynamicTest> overlaps_isExistenceOfACommonConcreteMatch_andSymmetric() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          GenResource ga = resource(r);
          GenResource gb = r.nextInt(3) == 0 ? narrow(r, ga) : resource(r);
          ResourcePattern a = ResourcePattern.parse(ga.text());
          ResourcePattern b = ResourcePattern.parse(gb.text());
          BitSet common = resourceOracle(a.toString());
          common.and(resourceOracle(b.toString()));

          assertThat(a.overlaps(b))
              .as("seed=%d %s overlaps %s (brute force)", seed, a, b)
              .isEqualTo(!common.isEmpty());
          assertThat(b.overlaps(a))
              .as("seed=%d %s overlaps %s (symmetry)", seed, b, a)
              .isEqualTo(a.overlaps(b));
          ResourcePattern meet = a.meet(b);
          if (meet != null) {
            assertThat(ResourcePattern.parse(meet.toString()))
                .as("seed=%d meet of %s and %s parses back", seed, a, b)
                .isEqualTo(meet);
            assertThat(resourceOracle(meet.toString()))
                .as("seed=%d meet of %s and %s matches exactly what both match", seed, a, b)
                .isEqualTo(common);
          }

          GenAction xa = action(r);
          GenAction xb = r.nextInt(3) == 0 ? narrow(r, xa) : action(r);
          ActionPattern pa = ActionPattern.parse(xa.text());
          ActionPattern pb = ActionPattern.parse(xb.text());
          BitSet both = actionOracle(pa.toString());
          both.and(actionOracle(pb.toString()));
          assertThat(pa.overlaps(pb))
              .as("seed=%d %s overlaps %s (brute force)", seed, pa, pb)
              .isEqualTo(!both.isEmpty());
          assertThat(pb.overlaps(pa))
              .as("seed=%d %s overlaps %s (symmetry)", seed, pb, pa)
              .isEqualTo(pa.overlaps(pb));
        });
  }

  @TestFactory
  Stream<DynamicTest> intersect_isCoveredByBoth_andAllowsExactlyWhatBothAllow() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          List<GenCap> ga = new ArrayList<>();
          List<GenCap> gb = new ArrayList<>();
          int na = 1 + r.nextInt(3);
          int nb = 1 + r.nextInt(3);
          for (int i = 0; i < na; i++) {
            ga.add(capability(r));
          }
          for (int i = 0; i < nb; i++) {
            gb.add(r.nextBoolean() ? capability(r) : narrow(r, ga.get(r.nextInt(na))));
          }
          CapabilitySet a = CapabilitySet.of(ga.stream().map(GenCap::parse).toList());
          CapabilitySet b = CapabilitySet.of(gb.stream().map(GenCap::parse).toList());

          CapabilitySet i = a.intersect(b);

          assertThat(a.covers(i)).as("seed=%d A=%s B=%s A∩B=%s", seed, a, b, i).isTrue();
          assertThat(b.covers(i)).as("seed=%d A=%s B=%s A∩B=%s", seed, a, b, i).isTrue();
          assertThat(CapabilitySet.parse(i.texts()))
              .as("seed=%d A=%s B=%s A∩B=%s parses back", seed, a, b, i)
              .isEqualTo(i);
          List<BitSet[]> oa = a.asList().stream().map(CapabilityProperties::oracleFor).toList();
          List<BitSet[]> ob = b.asList().stream().map(CapabilityProperties::oracleFor).toList();
          List<BitSet[]> oi = i.asList().stream().map(CapabilityProperties::actualFor).toList();
          Set<List<Boolean>> seen = new HashSet<>();
          for (int ai = 0; ai < ACTIONS.size(); ai++) {
            if (!seen.add(actionSignature(ai, oa, ob, oi))) {
              continue; // an action matched by the same elements allows the same resources
            }
            BitSet expected = allowedResources(oa, ai);
            expected.and(allowedResources(ob, ai));
            BitSet actual = allowedResources(oi, ai);
            if (!expected.equals(actual)) {
              BitSet diff = (BitSet) expected.clone();
              diff.xor(actual);
              int ri = diff.nextSetBit(0);
              fail(
                  "seed=%d A=%s B=%s A∩B=%s: %s %s allowed by both: %s, by A∩B: %s",
                  seed,
                  a,
                  b,
                  i,
                  ACTIONS.get(ai),
                  RESOURCES.get(ri),
                  expected.get(ri),
                  actual.get(ri));
            }
          }
          // and the public entry point agrees on a sample of requests
          for (int k = 0; k < 50; k++) {
            String action = ACTIONS.get(r.nextInt(ACTIONS.size()));
            String res = RESOURCES.get(r.nextInt(RESOURCES.size()));
            assertThat(i.allows(action, res))
                .as("seed=%d A=%s B=%s A∩B=%s allows %s %s", seed, a, b, i, action, res)
                .isEqualTo(a.allows(action, res) && b.allows(action, res));
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> mutatedText_parsesOrIsRefusedWithAPositionInRange() {
    return forEachSeed(
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          for (int k = 0; k < 8; k++) {
            WideText w = wideCapability(r);
            String text = mutate(r, w.text());
            checkParseOrRefuse(seed, text, Capability::parse, Capability::toString);
            String resource = mutate(r, w.resource());
            checkParseOrRefuse(seed, resource, ResourcePattern::parse, ResourcePattern::toString);
            checkParseOrRefuse(
                seed, resource, ResourcePattern::parseConcrete, ResourcePattern::toString);
            String action = mutate(r, w.action());
            checkParseOrRefuse(seed, action, ActionPattern::parse, ActionPattern::toString);
            checkParseOrRefuse(seed, action, ActionPattern::checkConcrete, Function.identity());
          }
        });
  }

  // ---------------------------------------------------------------- harness

  private static Stream<DynamicTest> forEachSeed(LongConsumer body) {
    return LongStream.range(FIRST_SEED, FIRST_SEED + CASES)
        .mapToObj(seed -> dynamicTest("seed=" + seed, () -> body.accept(seed)));
  }

  private static <T> void checkParseOrRefuse(
      long seed, String text, Function<String, T> parse, Function<T, String> print) {
    T parsed;
    try {
      parsed = parse.apply(text);
    } catch (CapabilitySyntaxException e) {
      assertThat(e.input()).as("seed=%d text=%s", seed, text).isEqualTo(text);
      assertThat(e.position())
          .as("seed=%d text=%s message=%s", seed, text, e.getMessage())
          .isBetween(0, text.length());
      assertThat(e.getMessage())
          .as("seed=%d text=%s", seed, text)
          .contains("at position " + e.position());
      return;
    } catch (RuntimeException e) {
      throw new AssertionError("seed=" + seed + " text=" + text + ": threw " + e, e);
    }
    String printed = print.apply(parsed);
    assertThat(print.apply(parse.apply(printed)))
        .as("seed=%d text=%s printed=%s", seed, text, printed)
        .isEqualTo(printed);
  }

  private static boolean contains(BitSet outer, BitSet inner) {
    BitSet extra = (BitSet) inner.clone();
    extra.andNot(outer);
    return extra.isEmpty();
  }

  /** Which elements' actions match the action: the allowed resources depend on nothing else. */
  @SafeVarargs
  private static List<Boolean> actionSignature(int actionIndex, List<BitSet[]>... sets) {
    List<Boolean> out = new ArrayList<>();
    for (List<BitSet[]> set : sets) {
      for (BitSet[] e : set) {
        out.add(e[0].get(actionIndex));
      }
    }
    return out;
  }

  /** The resources a set allows with the action, given each element's {actions, resources}. */
  private static BitSet allowedResources(List<BitSet[]> elements, int actionIndex) {
    BitSet out = new BitSet(RESOURCES.size());
    for (BitSet[] e : elements) {
      if (e[0].get(actionIndex)) {
        out.or(e[1]);
      }
    }
    return out;
  }

  private static BitSet[] oracleFor(Capability c) {
    return new BitSet[] {
      actionOracle(c.action().toString()), resourceOracle(c.resource().toString())
    };
  }

  private static BitSet[] actualFor(Capability c) {
    BitSet actions =
        ACTION_ACTUAL.computeIfAbsent(
            c.action().toString(),
            t -> {
              BitSet b = new BitSet(ACTIONS.size());
              for (int i = 0; i < ACTIONS.size(); i++) {
                b.set(i, c.action().matches(ACTIONS.get(i)));
              }
              return b;
            });
    BitSet resources =
        RESOURCE_ACTUAL.computeIfAbsent(
            c.resource().toString(),
            t -> {
              BitSet b = new BitSet(RESOURCES.size());
              for (int i = 0; i < RESOURCES.size(); i++) {
                b.set(i, c.resource().covers(PARSED_RESOURCES.get(i)));
              }
              return b;
            });
    return new BitSet[] {actions, resources};
  }

  // ---------------------------------------------------------------- oracles

  /** Every concrete resource of 1..MAX_PATTERN_SEGMENTS+2 segments, in both schemes. */
  private static List<String> resourceUniverse() {
    List<String> out = new ArrayList<>();
    for (String scheme : SCHEMES) {
      List<String> paths = new ArrayList<>(List.of("", "a", "b", "c")); // the first segment
      for (int len = 1; len <= MAX_PATTERN_SEGMENTS + 2; len++) {
        List<String> longer = new ArrayList<>();
        for (String p : paths) {
          if (!p.isEmpty()) { // "scheme:" is no resource
            out.add(scheme + ":" + p);
          }
          for (String s : List.of("a", "b", "c")) {
            longer.add(p + "/" + s);
          }
        }
        paths = longer;
      }
    }
    return List.copyOf(out);
  }

  /** Every concrete action of 1..MAX_ACTION_WORDS+2 words. */
  private static List<String> actionUniverse() {
    List<String> out = new ArrayList<>();
    List<String> level = List.of("a", "b", "c");
    for (int words = 1; words <= MAX_ACTION_WORDS + 2; words++) {
      out.addAll(level);
      List<String> next = new ArrayList<>();
      for (String a : level) {
        for (String w : List.of("a", "b", "c")) {
          next.add(a + "." + w);
        }
      }
      level = next;
    }
    return List.copyOf(out);
  }

  /** The universe's resources that the pattern text matches, by a regex built from the text. */
  private static BitSet resourceOracle(String pattern) {
    BitSet cached =
        RESOURCE_ORACLE.computeIfAbsent(
            pattern,
            text -> {
              int colon = text.indexOf(':');
              String[] segments = text.substring(colon + 1).split("/", -1);
              StringBuilder regex = new StringBuilder(Pattern.quote(text.substring(0, colon + 1)));
              for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.equals("**")) {
                  regex.append(i == 0 ? ".*" : "(?:/[^/]*)*");
                } else {
                  regex.append(i == 0 ? "" : "/");
                  regex.append(s.equals("*") ? "[^/]*" : Pattern.quote(s));
                }
              }
              Pattern p = Pattern.compile(regex.toString());
              BitSet b = new BitSet(RESOURCES.size());
              for (int i = 0; i < RESOURCES.size(); i++) {
                b.set(i, p.matcher(RESOURCES.get(i)).matches());
              }
              return b;
            });
    return (BitSet) cached.clone();
  }

  /** The universe's actions that the pattern text matches, by a regex built from the text. */
  private static BitSet actionOracle(String pattern) {
    BitSet cached =
        ACTION_ORACLE.computeIfAbsent(
            pattern,
            text -> {
              String regex;
              if (text.equals("*")) {
                regex = "[^.]+(?:\\.[^.]+)*";
              } else if (text.endsWith(".*")) {
                regex = Pattern.quote(text.substring(0, text.length() - 2)) + "(?:\\.[^.]+)+";
              } else {
                regex = Pattern.quote(text);
              }
              Pattern p = Pattern.compile(regex);
              BitSet b = new BitSet(ACTIONS.size());
              for (int i = 0; i < ACTIONS.size(); i++) {
                b.set(i, p.matcher(ACTIONS.get(i)).matches());
              }
              return b;
            });
    return (BitSet) cached.clone();
  }

  // ---------------------------------------------------------------- generators (small alphabet)

  /** A resource pattern: segments (the first may be "" for a leading '/'), then maybe "**". */
  private record GenResource(String scheme, List<String> segments, boolean rest) {
    String text() {
      String path = String.join("/", segments);
      if (rest) {
        path = segments.isEmpty() ? "**" : path + "/**";
      }
      return scheme + ":" + path;
    }

    int length() {
      return segments.size() + (rest ? 1 : 0);
    }

    boolean valid() {
      return rest || !(segments.isEmpty() || (segments.size() == 1 && segments.get(0).isEmpty()));
    }
  }

  /** An action pattern: "*" (no words), exact words, or words then ".*". */
  private record GenAction(List<String> words, boolean prefix) {
    String text() {
      return words.isEmpty() ? "*" : String.join(".", words) + (prefix ? ".*" : "");
    }
  }

  /** A capability; maxCalls -1 for none, until null for none. */
  private record GenCap(
      GenAction action, GenResource resource, long maxCalls, boolean approval, Instant until) {
    String text() {
      return action.text()
          + " "
          + resource.text()
          + (maxCalls >= 0 ? " maxCalls=" + maxCalls : "")
          + (approval ? " approval" : "")
          + (until != null ? " until=" + until : "");
    }

    Capability parse() {
      return Capability.parse(text());
    }
  }

  private static String pick(SplittableRandom r, List<String> options) {
    return options.get(r.nextInt(options.size()));
  }

  private static String segment(SplittableRandom r) {
    int n = r.nextInt(10);
    return n < 4 ? "*" : n < 7 ? "a" : "b";
  }

  private static GenResource resource(SplittableRandom r) {
    List<String> segments = new ArrayList<>();
    if (r.nextBoolean()) {
      segments.add("");
    }
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      segments.add(segment(r));
    }
    boolean rest = r.nextInt(3) == 0;
    if (!new GenResource("s", segments, rest).valid()) {
      segments.add(segment(r));
    }
    return new GenResource(pick(r, SCHEMES), List.copyOf(segments), rest);
  }

  /** A pattern that the given one covers: wildcards replaced, '**' extended or dropped. */
  private static GenResource narrow(SplittableRandom r, GenResource g) {
    List<String> segments = new ArrayList<>(g.segments());
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).equals("*") && r.nextInt(10) < 3) {
        segments.set(i, i == 0 ? pick(r, List.of("", "a", "b")) : pick(r, List.of("a", "b")));
      }
    }
    boolean rest = g.rest();
    if (rest) {
      int choice = r.nextInt(3);
      int extra = choice == 0 ? 0 : r.nextInt(3);
      for (int i = 0; i < extra; i++) {
        segments.add(segments.isEmpty() ? pick(r, List.of("", "a", "*")) : segment(r));
      }
      rest = choice != 1;
    }
    GenResource n = new GenResource(g.scheme(), List.copyOf(segments), rest);
    return n.valid() && n.length() <= MAX_PATTERN_SEGMENTS ? n : g;
  }

  private static GenAction action(SplittableRandom r) {
    if (r.nextInt(6) == 0) {
      return new GenAction(List.of(), true);
    }
    List<String> words = new ArrayList<>();
    int n = 1 + r.nextInt(MAX_ACTION_WORDS);
    for (int i = 0; i < n; i++) {
      words.add(r.nextBoolean() ? "a" : "b");
    }
    return new GenAction(words, r.nextBoolean());
  }

  /** An action pattern that the given one covers. */
  private static GenAction narrow(SplittableRandom r, GenAction g) {
    if (!g.prefix() || r.nextInt(3) == 0) {
      return g;
    }
    if (g.words().isEmpty()) {
      return action(r);
    }
    if (g.words().size() >= MAX_ACTION_WORDS) {
      return g;
    }
    List<String> words = new ArrayList<>(g.words());
    words.add(r.nextBoolean() ? "a" : "b");
    return new GenAction(words, r.nextBoolean());
  }

  private static GenCap capability(SplittableRandom r) {
    return new GenCap(
        action(r),
        resource(r),
        r.nextInt(3) == 0 ? List.of(0L, 1L, 5L).get(r.nextInt(3)) : -1,
        r.nextInt(3) == 0,
        r.nextInt(3) == 0 ? INSTANTS.get(r.nextInt(INSTANTS.size())) : null);
  }

  /** A capability that the given one covers. */
  private static GenCap narrow(SplittableRandom r, GenCap g) {
    long maxCalls = g.maxCalls();
    if (maxCalls >= 0) {
      maxCalls = r.nextLong(maxCalls + 1);
    } else if (r.nextInt(4) == 0) {
      maxCalls = r.nextInt(6);
    }
    Instant until = g.until();
    if (until != null) {
      until = until.minusSeconds(r.nextInt(2) * 86_400L);
    } else if (r.nextInt(4) == 0) {
      until = INSTANTS.get(r.nextInt(INSTANTS.size()));
    }
    return new GenCap(
        narrow(r, g.action()),
        narrow(r, g.resource()),
        maxCalls,
        g.approval() || r.nextInt(4) == 0,
        until);
  }

  // ---------------------------------------------------------------- generators (wide alphabet)

  /** A capability text in any accepted spelling, with its parts and its canonical form. */
  private record WideText(String text, String action, String resource, String canonical) {}

  private static final String WORD_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
  private static final String SCHEME_CHARS = "abcxyzABZ0123+-.";
  private static final String SEGMENT_CHARS = "abcXYZ019_-.:@~=+é,";

  private static String chars(SplittableRandom r, String alphabet, int min, int max) {
    StringBuilder sb = new StringBuilder();
    int n = min + r.nextInt(max - min + 1);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String separator(SplittableRandom r, int min) {
    return chars(r, "  \t", min, min + 2);
  }

  private static WideText wideCapability(SplittableRandom r) {
    String action;
    if (r.nextInt(8) == 0) {
      action = "*";
    } else {
      List<String> words = new ArrayList<>();
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        words.add(chars(r, WORD_CHARS, 1, 5));
      }
      action = String.join(".", words) + (r.nextBoolean() ? ".*" : "");
    }

    String scheme = chars(r, "abcxyzXYZ", 1, 1) + chars(r, SCHEME_CHARS, 0, 4);
    List<String> segments = new ArrayList<>();
    if (r.nextBoolean()) {
      segments.add("");
    }
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      String s;
      do {
        s = r.nextInt(4) == 0 ? "*" : chars(r, SEGMENT_CHARS, 1, 6);
      } while (s.equals(".") || s.equals(".."));
      segments.add(s);
    }
    boolean rest = r.nextInt(3) == 0;
    if (!new GenResource(scheme, segments, rest).valid()) {
      segments.add(chars(r, "abc", 1, 3));
    }
    String resource = new GenResource(scheme, segments, rest).text();

    List<String> constraints = new ArrayList<>();
    // the scheme is case-insensitive and prints in lower case (CONTRACT §1 "Canonical form")
    String canonicalResource =
        new GenResource(scheme.toLowerCase(java.util.Locale.ROOT), segments, rest).text();
    StringBuilder canonical = new StringBuilder(action).append(' ').append(canonicalResource);
    if (r.nextBoolean()) {
      long calls = r.nextBoolean() ? r.nextInt(100) : r.nextLong(Long.MAX_VALUE) + 1;
      constraints.add("maxCalls=" + "0".repeat(r.nextInt(3)) + calls);
      canonical.append(" maxCalls=").append(calls);
    }
    if (r.nextBoolean()) {
      constraints.add("approval");
      canonical.append(" approval");
    }
    if (r.nextBoolean()) {
      // years 0002..9998 so that every offset keeps the local date inside RFC 3339's four digits
      long second = r.nextLong(-62_104_060_800L, 253_339_200_000L);
      int nanos =
          switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1000;
            default -> r.nextInt(1_000_000_000);
          };
      Instant until = Instant.ofEpochSecond(second, nanos);
      ZoneOffset offset = ZoneOffset.ofTotalSeconds(r.nextInt(-18 * 60, 18 * 60 + 1) * 60);
      String at = OffsetDateTime.ofInstant(until, offset).format(RFC_3339[r.nextInt(2)]);
      if (r.nextInt(5) == 0) {
        at = at.replace('T', 't').replace('Z', 'z');
      }
      constraints.add("until=" + at);
      canonical.append(" until=").append(until);
    }
    Collections.shuffle(constraints, new java.util.Random(r.nextLong()));

    StringBuilder text = new StringBuilder(separator(r, 0)).append(action);
    text.append(separator(r, 1)).append(resource);
    for (String c : constraints) {
      text.append(separator(r, 1)).append(c);
    }
    text.append(separator(r, 0));
    return new WideText(text.toString(), action, resource, canonical.toString());
  }

  private static final DateTimeFormatter[] RFC_3339 = {
    rfc3339("Z"), rfc3339("+00:00"),
  };

  private static DateTimeFormatter rfc3339(String zero) {
    return new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
        .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
        .appendOffset("+HH:MM", zero)
        .toFormatter(Locale.ROOT);
  }

  private static final String MUTATION_CHARS = " \t\n\u0000*/:.=-+Z T019aé𝄞?%\\\"";

  /** One to three random edits: insert, delete, replace, duplicate, swap, truncate. */
  private static String mutate(SplittableRandom r, String text) {
    StringBuilder sb = new StringBuilder(text);
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
      String c = String.valueOf(MUTATION_CHARS.charAt(r.nextInt(MUTATION_CHARS.length())));
      switch (r.nextInt(6)) {
        case 0 -> sb.insert(r.nextInt(sb.length() + 1), c);
        case 1 -> {
          if (sb.length() > 0) {
            sb.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (sb.length() > 0) {
            sb.replace(at, at + 1, c);
          }
        }
        case 3 -> {
          int end = Math.min(sb.length(), at + 1 + r.nextInt(6));
          sb.insert(at, sb.substring(at, end));
        }
        case 4 -> {
          if (sb.length() > 1 && at + 1 < sb.length()) {
            char x = sb.charAt(at);
            sb.setCharAt(at, sb.charAt(at + 1));
            sb.setCharAt(at + 1, x);
          }
        }
        default -> sb.setLength(at);
      }
    }
    return sb.toString();
  }
}
