package io.execauthz.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential properties: the jackson-core based {@link Json} writes the same bytes as the
 * hand-written reader and writer core carried before ({@link LegacyJson}, kept as the oracle) for
 * every value, and accepts exactly the texts it accepted, with the same result. Seeded; every
 * failure names its seed.
 */
final class JsonProperties {
  private static final int CASES = 1_000;

  /** Characters where Jackson's defaults and core's format could differ, and JSON's own. */
  private static final String SPECIALS =
      "\"\\/\b\f\n\r\t\u0000\u0001\u001b\u001f\u007f\u0080\u00a0\u2028\u2029\ufeff\uffff"
          + "é中😀\ud800\udbff\udc00\udfff{}[]:, ";

  /** The alphabet of text mutations: JSON's structure, escapes, digits, and some it refuses. */
  private static final String MUTATIONS =
      "{}[]:,\"\\/ \t\n\r0123456789-+.eEtrufalsn\u0000\u000b\u00a0\ufeff\u2028\ud800ux'#*/";

  @TestFactory
  Stream<DynamicTest> write_anyValue_isByteForByteWhatCoreAlwaysWrote() {
    return seeds(1L)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      Object value = randomValue(new Random(seed), 0);
                      assertThat(Json.write(value))
                          .as("seed %d", seed)
                          .isEqualTo(LegacyJson.write(value));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> quote_longStrings_acrossJacksonsBufferBoundaries_areUnchanged() {
    return seeds(2L)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      String s = longString(new Random(seed));
                      assertThat(Json.quote(s)).as("seed %d", seed).isEqualTo(LegacyJson.quote(s));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> writeUtf8_anyValue_isTheUtf8OfWhatCoreAlwaysWrote() {
    return seeds(6L)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      Random r = new Random(seed);
                      // long strings put pairs and escapes on Jackson's internal chunk boundaries
                      Object value = r.nextInt(4) == 0 ? longString(r) : randomValue(r, 0);
                      assertThat(Json.writeUtf8(g -> Json.writeValue(g, value), (byte) '\n'))
                          .as("seed %d", seed)
                          .isEqualTo(
                              (LegacyJson.write(value) + "\n").getBytes(StandardCharsets.UTF_8));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> parse_writtenOrMutatedText_isAcceptedExactlyWhenCoreAcceptedIt() {
    return seeds(3L)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      Random r = new Random(seed);
                      String text = spaced(r, LegacyJson.write(randomValue(r, 0)));
                      for (int i = r.nextInt(4); i > 0; i--) {
                        text = mutate(r, text);
                      }
                      assertSameVerdict(seed, text);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> parse_deepOrDuplicated_isRefusedExactlyWhenCoreRefusedIt() {
    return seeds(4L)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      Random r = new Random(seed);
                      int depth = 60 + r.nextInt(10);
                      StringBuilder b = new StringBuilder();
                      for (int i = 0; i < depth; i++) {
                        b.append(r.nextBoolean() ? "[" : "{\"k\":");
                      }
                      String open = b.toString();
                      StringBuilder close = new StringBuilder();
                      for (int i = open.length() - 1; i >= 0; i--) {
                        char c = open.charAt(i);
                        if (c == '[') {
                          close.append(']');
                        } else if (c == '{') {
                          close.append('}');
                        }
                      }
                      String key = "\\u00" + Integer.toHexString(0x61 + r.nextInt(3));
                      String text =
                          open + "{\"a\":1,\"" + (r.nextBoolean() ? key : "b") + "\":2}" + close;
                      assertSameVerdict(seed, text);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> parse_unicodeEscapes_areReadExactlyAsCoreReadThem() {
    return seeds(5L)
        .mapToObj(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + seed,
                    () -> {
                      Random r = new Random(seed);
                      StringBuilder b = new StringBuilder("\"");
                      for (int e = 1 + r.nextInt(3); e > 0; e--) {
                        b.append(r.nextInt(5) == 0 ? "\\\\u" : "\\u");
                        for (int d = 0; d < 4; d++) {
                          int pick = r.nextInt(10);
                          b.append(
                              pick == 0
                                  ? (char) (0x80 + r.nextInt(0xff80)) // low byte may be a digit
                                  : pick == 1
                                      ? (char) (0x20 + r.nextInt(0x5f))
                                      : "0123456789abcdefABCDEF".charAt(r.nextInt(22)));
                        }
                      }
                      assertSameVerdict(seed, b.append('"').toString());
                    }));
  }

  /**
   * Up to 20,000 chars, mostly ASCII with specials and surrogate pairs between: Jackson copies
   * strings in chunks of a few thousand chars, so across the cases pairs, escapes and lone
   * surrogates land on every boundary.
   */
  private static String longString(Random r) {
    StringBuilder b = new StringBuilder();
    int length = 1 + r.nextInt(20_000);
    while (b.length() < length) {
      int pick = r.nextInt(16);
      if (pick == 0) {
        b.append(SPECIALS.charAt(r.nextInt(SPECIALS.length())));
      } else if (pick == 1) {
        b.appendCodePoint(0x10000 + r.nextInt(0x100000));
      } else {
        b.append((char) ('a' + r.nextInt(26)));
      }
    }
    return b.toString();
  }

  private static void assertSameVerdict(long seed, String text) {
    Object expected;
    try {
      expected = LegacyJson.parse(text);
    } catch (IllegalArgumentException refused) {
      String why = refused.getMessage();
      Throwable thrown = catchThrowable(() -> Json.parse(text));
      assertThat(thrown)
          .as("seed %d: core refused %s (%s), Json gave %s", seed, escaped(text), why, thrown)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("malformed JSON: ")
          .hasMessageContaining(" at offset ");
      return;
    }
    assertThat(Json.parse(text)).as("seed %d: %s", seed, text).isEqualTo(expected);
  }

  /** {@code s} with every character outside printable ASCII as a Java escape. */
  private static String escaped(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return b.toString();
  }

  private static java.util.stream.LongStream seeds(long suite) {
    Random r = new Random(0x150_7E57L * 31 + suite);
    return java.util.stream.LongStream.generate(r::nextLong).limit(CASES);
  }

  private static Object randomValue(Random r, int depth) {
    int kind = r.nextInt(depth >= 5 ? 8 : 10);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return r.nextBoolean();
      case 2:
        return r.nextBoolean() ? r.nextLong() : (long) r.nextInt(100) - 50;
      case 3:
        return r.nextInt();
      case 4:
        switch (r.nextInt(6)) {
          case 0:
            return r.nextDouble();
          case 1:
            return Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
          case 2:
            return -0.0;
          case 3:
            return (double) r.nextInt(1000);
          case 4:
            return r.nextFloat() * 1e6f;
          default:
            return r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
        }
      case 5:
      case 6:
      case 7:
        return randomString(r);
      case 8:
        List<Object> list = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
          list.add(randomValue(r, depth + 1));
        }
        return list;
      default:
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
          map.put(randomString(r), randomValue(r, depth + 1));
        }
        return map;
    }
  }

  private static String randomString(Random r) {
    char[] chars = new char[r.nextInt(10)];
    for (int i = 0; i < chars.length; i++) {
      int pick = r.nextInt(3);
      chars[i] =
          pick == 0
              ? SPECIALS.charAt(r.nextInt(SPECIALS.length()))
              : pick == 1 ? (char) (0x20 + r.nextInt(0x5f)) : (char) r.nextInt(0x10000);
    }
    return new String(chars);
  }

  /** {@code json} with JSON whitespace (and sometimes a character that is not) between tokens. */
  private static String spaced(Random r, String json) {
    if (r.nextBoolean()) {
      return json;
    }
    StringBuilder b = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (!inString && r.nextInt(4) == 0) {
        b.append(" \t\n\r".charAt(r.nextInt(4)));
      }
      b.append(c);
      if (c == '"' && (i == 0 || json.charAt(i - 1) != '\\' || escapedBackslash(json, i - 1))) {
        inString = !inString;
      }
    }
    return b.toString();
  }

  /** Whether the backslash at {@code at} is itself escaped (an odd run of them ends there). */
  private static boolean escapedBackslash(String s, int at) {
    int run = 0;
    for (int i = at; i >= 0 && s.charAt(i) == '\\'; i--) {
      run++;
    }
    return run % 2 == 0;
  }

  private static String mutate(Random r, String text) {
    int at = text.isEmpty() ? 0 : r.nextInt(text.length() + 1);
    char c = MUTATIONS.charAt(r.nextInt(MUTATIONS.length()));
    switch (r.nextInt(3)) {
      case 0: // insert
        return text.substring(0, at) + c + text.substring(at);
      case 1: // delete
        return at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text;
      default: // replace
        return at < text.length() ? text.substring(0, at) + c + text.substring(at + 1) : text + c;
    }
  }
}
