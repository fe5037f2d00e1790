package io.execauthz.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class JsonTest {
  private static final String SPECIALS = "\"\\/\n\r\t\u0000\u2028\u2029é😀";

  @Test
  void quote_plainText_isWrappedInQuotes() {
    assertThat(Json.quote("tool:github/create_issue")).isEqualTo("\"tool:github/create_issue\"");
  }

  @Test
  void quote_quotesAndBackslashes_areEscaped() {
    assertThat(Json.quote("a\"b\\c/d")).isEqualTo("\"a\\\"b\\\\c/d\"");
  }

  @Test
  void quote_controlCharacters_useShorthandOrUnicodeEscapes() {
    assertThat(Json.quote("\b\f\n\r\t\u0000\u0001\u001f\u007f"))
        .isEqualTo("\"\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\\u007f\"");
  }

  @Test
  void quote_lineAndParagraphSeparators_areEscaped() {
    assertThat(Json.quote("a\u2028b\u2029c")).isEqualTo("\"a\\u2028b\\u2029c\"");
  }

  @Test
  void quote_nonAsciiAndSurrogatePairs_areWrittenAsIs() {
    assertThat(Json.quote("é中😀")).isEqualTo("\"é中😀\"");
  }

  @Test
  void quote_unpairedSurrogates_areEscaped() {
    assertThat(Json.quote("a\ud83dz\ude00\ude00\ud83d"))
        .isEqualTo("\"a\\ud83dz\\ude00\\ude00\\ud83d\"");
  }

  // Where Jackson's defaults differ from core's format (each configured or escaped in Json)

  @Test
  void quote_unicodeEscapes_useLowerCaseHex() {
    // Jackson's default would be "\u001B"
    assertThat(Json.quote("\u001b\u0000")).isEqualTo("\"\\u001b\\u0000\"");
  }

  @Test
  void quote_deleteAndLineTerminators_areEscapedThoughJacksonLeavesThemRaw() {
    assertThat(Json.quote("\u007f\u2028\u2029")).isEqualTo("\"\\u007f\\u2028\\u2029\"");
  }

  @Test
  void quote_loneHighSurrogateBeforeAscii_isEscapedNotMerged() {
    // jackson-core's UTF-8 writer, combining surrogates, would merge the pair "\ud800y" into one
    // code point; Json writes through chars and escapes the lone surrogate itself
    assertThat(Json.quote("x\ud800y")).isEqualTo("\"x\\ud800y\"");
    assertThat(Json.quote("\ud800")).isEqualTo("\"\\ud800\"");
    assertThat(Json.quote("\udc00\ud800")).isEqualTo("\"\\udc00\\ud800\"");
  }

  @Test
  void quote_slashAndNonAscii_areNotEscaped() {
    assertThat(Json.quote("a/b\u00e9\u0080\ufeff")).isEqualTo("\"a/b\u00e9\u0080\ufeff\"");
  }

  @Test
  void writeUtf8_pairsAndSpecials_areTheUtf8OfTheCharPath() {
    for (String s :
        List.of("é中😀/", "x\ud800y", "\ud83d", "\ude00😀", "\u007f", "a\u2028b\u2029")) {
      assertThat(Json.writeUtf8(g -> g.writeString(s), (byte) '\n'))
          .as(Json.quote(s))
          .isEqualTo((Json.quote(s) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(Json.writeUtf8(g -> g.writeString("😀"), (byte) '\n'))
        .isEqualTo("\"😀\"\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void isUtf8Plain_isFalseOnlyForWhatJacksonsUtf8WriterWritesDifferently() {
    assertThat(Json.isUtf8Plain("ascii é中😀\u0080\u00a0\ufeff/\"\\\n")).isTrue();
    for (String s :
        List.of("\u007f", "\u2028", "\u2029", "\ud800", "\udc00", "\ud800x", "😀\ud83d")) {
      assertThat(Json.isUtf8Plain(s)).as(Json.quote(s)).isFalse();
    }
  }

  @Test
  void write_float_isWrittenAsItsDouble() {
    // Jackson's writeNumber(float) would write 0.1
    assertThat(Json.write(List.of(0.1f, 1e10, 1e-5, -0.0)))
        .isEqualTo("[0.10000000149011612,1.0E10,1.0E-5,-0.0]");
  }

  @Test
  void write_membersAndWhitespace_areCompactInInsertionOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", 1L);
    m.put("a", Map.of());
    assertThat(Json.write(m)).isEqualTo("{\"b\":1,\"a\":{}}");
  }

  @Test
  void escapeRest_plainOutput_isReturnedWithoutCopying() {
    String json = "{\"a\":\"\u00e9\ud83d\ude00\"}";
    assertThat(Json.escapeRest(json)).isSameAs(json);
  }

  @Test
  void parse_twoRootValues_areRefused() {
    // Jackson reads a sequence of root values; Json refuses anything after the first
    assertThatThrownBy(() -> Json.parse("1 2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed JSON: expected end of input after the value at offset 2");
    assertThatThrownBy(() -> Json.parse("{}{}")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_byteOrderMark_isRefused() {
    assertThatThrownBy(() -> Json.parse("\ufeff{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON: ");
  }

  @Test
  void parse_nonAsciiDigitInUnicodeEscape_isRefused() {
    // jackson-core alone reads the digits by their low byte: U+0661 would count as 'a'
    assertThatThrownBy(() -> Json.parse("\"\\u00\u0661\u0661\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed JSON: expected 4 hex digits after '\\u' at offset 5");
    assertThatThrownBy(() -> Json.parse("\"\\u202\uc342\""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_escapedBackslashBeforeU_isNotAUnicodeEscape() {
    assertThat(Json.parse("\"\\\\u\u0661\"")).isEqualTo("\\u\u0661");
  }

  @Test
  void parse_escapedDuplicateKey_isRefused() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1,\"\\u0061\":2}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate field");
  }

  @Test
  void write_nestedValues_areCompactAndInOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", 1L);
    m.put("a", List.of(true, false, "x"));
    m.put("n", null);
    m.put("d", 1.5);
    m.put("i", 7);
    m.put("o", Map.of());
    assertThat(Json.write(m))
        .isEqualTo("{\"z\":1,\"a\":[true,false,\"x\"],\"n\":null,\"d\":1.5,\"i\":7,\"o\":{}}");
  }

  @Test
  void write_nonFiniteNumber_isRefused() {
    assertThatThrownBy(() -> Json.write(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
    assertThatThrownBy(() -> Json.write(List.of(Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void write_unsupportedTypeOrKey_isRefusedNamingIt() {
    assertThatThrownBy(() -> Json.write(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> Json.write(Map.of(1, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys must be strings");
  }

  @Test
  void write_tooDeep_isRefused() {
    Object v = "leaf";
    for (int i = 0; i < Json.MAX_DEPTH + 1; i++) {
      v = List.of(v);
    }
    Object tooDeep = v;
    assertThatThrownBy(() -> Json.write(tooDeep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deeper than 64");
  }

  @Test
  void parse_scalars_haveTheirJavaTypes() {
    assertThat(Json.parse("\"s\"")).isEqualTo("s");
    assertThat(Json.parse("42")).isEqualTo(42L);
    assertThat(Json.parse("-0")).isEqualTo(0L);
    assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(Json.parse("1.25")).isEqualTo(1.25);
    assertThat(Json.parse("1e3")).isEqualTo(1000.0);
    assertThat(Json.parse("-2.5E-1")).isEqualTo(-0.25);
    assertThat(Json.parse("true")).isEqualTo(Boolean.TRUE);
    assertThat(Json.parse("false")).isEqualTo(Boolean.FALSE);
    assertThat(Json.parse(" \t\r\nnull \n")).isNull();
  }

  @Test
  void parse_object_keepsDocumentOrder() {
    Object parsed = Json.parse("{ \"b\" : 1 , \"a\" : [ ] , \"c\" : { } }");
    assertThat(parsed).isInstanceOf(LinkedHashMap.class);
    assertThat(List.copyOf(((Map<?, ?>) parsed).keySet())).isEqualTo(List.of("b", "a", "c"));
    assertThat(((Map<?, ?>) parsed).get("a")).isInstanceOf(ArrayList.class);
  }

  @Test
  void parse_escapes_areDecoded() {
    assertThat(Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u00E9\\ud83d\\ude00\""))
        .isEqualTo("\"\\/\b\f\n\r\t\u00e9\u00e9😀");
  }

  @Test
  void parse_rawLineSeparatorAndNonAscii_areAccepted() {
    assertThat(Json.parse("\"a\u2028b中\"")).isEqualTo("a\u2028b中");
  }

  @Test
  void parse_depthAtTheLimit_isAccepted() {
    String text = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertThat(Json.parse(text)).isInstanceOf(List.class);
  }

  @Test
  void parse_tooDeep_isRefusedNamingTheOffset() {
    String text = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> Json.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deeper than 64")
        .hasMessageContaining("offset 64");
  }

  @Test
  void parse_hugeNesting_failsWithoutStackOverflow() {
    String text = "[{\"a\":".repeat(100_000);
    assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_duplicateKey_isRefusedNamingIt() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed JSON: Duplicate field 'a' at offset 10");
  }

  @Test
  void parse_integerOutOfRange_isRefused() {
    assertThatThrownBy(() -> Json.parse("9223372036854775808"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64-bit range at offset 0");
    assertThatThrownBy(() -> Json.parse("1e999"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("double range");
  }

  @Test
  void parse_unescapedControlCharacter_isRefusedNamingOffset() {
    assertThatThrownBy(() -> Json.parse("\"ab\ncd\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "malformed JSON: Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped"
                + " using backslash to be included in string value at offset 3");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "{",
        "}",
        "[",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1}x",
        "{} {}",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\",
        "01",
        "-",
        "-a",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "NaN",
        "Infinity",
        "tru",
        "nul",
        "True",
        "/* c */ 1",
        "\u00a01"
      })
  void parse_malformedInput_isRefusedNamingTheOffset(String text) {
    assertThatThrownBy(() -> Json.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON: ")
        .hasMessageContaining("offset ");
  }

  @Test
  void parse_error_saysWhatWasExpectedAndFound() {
    assertThatThrownBy(() -> Json.parse("[1 2]"))
        .hasMessage(
            "malformed JSON: Unexpected character ('2' (code 50)): was expecting comma to separate"
                + " Array entries at offset 3");
    assertThatThrownBy(() -> Json.parse("{\"a\":"))
        .hasMessageStartingWith("malformed JSON: Unexpected end-of-input")
        .hasMessageEndingWith(" at offset 5");
  }

  @Test
  void roundTrip_hostileStrings_areExact() {
    List<String> hostile =
        List.of(
            "",
            "\"",
            "\\",
            "\"},{\"seq\":1",
            "line1\nline2\r\n",
            "\u0000\u0001\u001f\u007f",
            "\u2028\u2029",
            "😀\ud83d\ude00",
            "\ud800",
            "\udfff\ud800",
            "\\u0000",
            "</script>");
    for (String s : hostile) {
      String written = Json.quote(s);
      assertThat(written).as("written %s", written).doesNotContain("\n", "\r", "\u2028");
      assertThat(Json.parse(written)).as("round trip of %s", written).isEqualTo(s);
    }
  }

  @Test
  void roundTrip_randomValues_areExact() {
    SplittableRandom random = new SplittableRandom(20240601L);
    for (int i = 0; i < 500; i++) {
      long seed = random.nextLong();
      Object value = randomValue(new SplittableRandom(seed), 0);
      String text = Json.write(value);
      assertThat(Json.parse(text)).as("seed=%d", seed).isEqualTo(value);
      assertThat(Json.write(Json.parse(text))).as("seed=%d", seed).isEqualTo(text);
    }
  }

  private static Object randomValue(SplittableRandom r, int depth) {
    int kind = r.nextInt(depth >= 4 ? 5 : 7);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return r.nextBoolean();
      case 2:
        return r.nextLong();
      case 3:
        return r.nextDouble(-1e9, 1e9);
      case 4:
        return randomString(r);
      case 5:
        List<Object> list = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          list.add(randomValue(r, depth + 1));
        }
        return list;
      default:
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          map.put(randomString(r), randomValue(r, depth + 1));
        }
        return map;
    }
  }

  private static String randomString(SplittableRandom r) {
    char[] chars = new char[r.nextInt(8)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] =
          r.nextBoolean()
              ? SPECIALS.charAt(r.nextInt(SPECIALS.length()))
              : (char) r.nextInt(0x10000);
    }
    return new String(chars);
  }
}
