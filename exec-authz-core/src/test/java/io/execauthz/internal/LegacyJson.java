package io.execauthz.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON reader and writer core carried before it used jackson-core, kept unchanged (but for its
 * name) as the oracle of the differential suite {@link JsonProperties}: {@link Json} must write the
 * same bytes for every value and accept exactly the texts this accepted, so that logs written
 * before the change still verify.
 *
 * <p>Formerly: a small, strict JSON (RFC 8259) writer and parser, so that core can write and read
 * its own formats (the audit log) without a third-party JSON library on its runtime classpath.
 *
 * <p>Writing: strings are escaped so that the output is one line of valid UTF-8 whatever the input
 * holds — {@code "} and {@code \}, every control character (U+0000–U+001F, U+007F), the JavaScript
 * line terminators U+2028 and U+2029, and unpaired surrogates are written as escapes. Values are
 * {@code null}, {@link String}, {@link Boolean}, integral {@link Number}s ({@code Long}, {@code
 * Integer}, {@code Short}, {@code Byte}), finite {@code Double}/{@code Float}, {@code Map<String,
 * ?>} (written in iteration order) and {@code List<?>}.
 *
 * <p>Parsing: {@link #parse} accepts exactly the RFC 8259 grammar — no comments, no trailing
 * commas, no single quotes, no leading zeros, no unescaped control characters, no duplicate object
 * keys, nothing after the value but whitespace — and nests at most {@link #MAX_DEPTH} arrays and
 * objects deep, so hostile input cannot exhaust the stack. Objects become {@link LinkedHashMap}s
 * (document order), arrays {@link ArrayList}s, integers without fraction or exponent {@link Long}s
 * (out of {@code long} range is an error, never a silent loss of precision), other numbers {@link
 * Double}s. Every error is an {@link IllegalArgumentException} that names the offset (in UTF-16
 * chars) and what was expected there.
 *
 * <p>Internal: not part of the API, no compatibility promise. Stateless and thread-safe.
 */
final class LegacyJson {
  /** The deepest nesting of arrays and objects that {@link #parse} and the writer accept. */
  static final int MAX_DEPTH = 64;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LegacyJson() {}

  // ---------------------------------------------------------------- writing

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    return appendString(new StringBuilder(s.length() + 2), s).toString();
  }

  /** Appends {@code s} as a JSON string literal, quotes included, and returns {@code out}. */
  static StringBuilder appendString(StringBuilder out, String s) {
    Objects.requireNonNull(s, "s");
    out.append('"');
    int n = s.length();
    int plainFrom = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String shorthand = null;
      boolean escape;
      if (c == '"') {
        shorthand = "\\\"";
        escape = true;
      } else if (c == '\\') {
        shorthand = "\\\\";
        escape = true;
      } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
        shorthand = controlShorthand(c);
        escape = true;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++; // a well-formed pair: written as is
          escape = false;
        } else {
          escape = true;
        }
      } else {
        escape = Character.isLowSurrogate(c); // unpaired (a paired one was skipped above)
      }
      if (escape) {
        out.append(s, plainFrom, i);
        if (shorthand != null) {
          out.append(shorthand);
        } else {
          appendUnicodeEscape(out, c);
        }
        plainFrom = i + 1;
      }
    }
    out.append(s, plainFrom, n);
    return out.append('"');
  }

  private static String controlShorthand(char c) {
    switch (c) {
      case '\b':
        return "\\b";
      case '\f':
        return "\\f";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        return null;
    }
  }

  private static void appendUnicodeEscape(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  /** {@code value} as compact JSON text (no whitespace). */
  static String write(Object value) {
    return appendValue(new StringBuilder(), value).toString();
  }

  /**
   * Appends {@code value} as compact JSON text and returns {@code out}.
   *
   * @throws IllegalArgumentException for a value of another type, a non-finite number, a map key
   *     that is not a string, or nesting deeper than {@link #MAX_DEPTH}
   */
  static StringBuilder appendValue(StringBuilder out, Object value) {
    appendValue(out, value, 0);
    return out;
  }

  private static void appendValue(StringBuilder out, Object value, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String) {
      appendString(out, (String) value);
    } else if (value instanceof Boolean) {
      out.append(((Boolean) value).booleanValue());
    } else if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      out.append(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON has no " + d + "; only finite numbers");
      }
      out.append(d);
    } else if (value instanceof Map) {
      checkDepth(depth + 1);
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        if (!(e.getKey() instanceof String)) {
          throw new IllegalArgumentException(
              "JSON object keys must be strings, found "
                  + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
        }
        if (!first) {
          out.append(',');
        }
        first = false;
        appendString(out, (String) e.getKey());
        out.append(':');
        appendValue(out, e.getValue(), depth + 1);
      }
      out.append('}');
    } else if (value instanceof List) {
      checkDepth(depth + 1);
      out.append('[');
      boolean first = true;
      for (Object element : (List<?>) value) {
        if (!first) {
          out.append(',');
        }
        first = false;
        appendValue(out, element, depth + 1);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException(
          "cannot write a " + value.getClass().getName() + " as JSON");
    }
  }

  private static void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("JSON nesting deeper than " + MAX_DEPTH);
    }
  }

  // ---------------------------------------------------------------- parsing

  /**
   * Parses one JSON text.
   *
   * @return a {@link LinkedHashMap}, {@link ArrayList}, {@link String}, {@link Long}, {@link
   *     Double}, {@link Boolean} or {@code null}
   * @throws IllegalArgumentException naming the offset and what was expected there
   */
  static Object parse(String text) {
    Objects.requireNonNull(text, "text");
    Parser p = new Parser(text);
    p.skipWhitespace();
    Object value = p.value(0);
    p.skipWhitespace();
    if (p.pos < text.length()) {
      throw p.error("expected end of input after the value");
    }
    return value;
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String expected) {
      return error(expected, pos);
    }

    IllegalArgumentException error(String expected, int at) {
      String found = at >= s.length() ? "end of input" : describe(s.charAt(at));
      return new IllegalArgumentException(
          "malformed JSON: " + expected + ", found " + found + " at offset " + at);
    }

    private static String describe(char c) {
      if (c >= 0x20 && c < 0x7f) {
        return "'" + c + "'";
      }
      return String.format("U+%04X", (int) c);
    }

    void skipWhitespace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    Object value(int depth) {
      if (pos >= s.length()) {
        throw error("expected a value");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object(depth + 1);
        case '[':
          return array(depth + 1);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("expected a value");
      }
    }

    private void literal(String word) {
      if (!s.startsWith(word, pos)) {
        int at = pos;
        while (at < s.length()
            && at - pos < word.length()
            && s.charAt(at) == word.charAt(at - pos)) {
          at++;
        }
        throw error("expected '" + word + "'", at);
      }
      pos += word.length();
    }

    private void enter(int depth) {
      if (depth > MAX_DEPTH) {
        throw new IllegalArgumentException(
            "malformed JSON: nesting deeper than " + MAX_DEPTH + " at offset " + pos);
      }
    }

    private LinkedHashMap<String, Object> object(int depth) {
      enter(depth);
      pos++; // '{'
      LinkedHashMap<String, Object> map = new LinkedHashMap<>();
      skipWhitespace();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return map;
      }
      while (true) {
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a string key");
        }
        int keyAt = pos;
        String key = string();
        if (map.containsKey(key)) {
          throw new IllegalArgumentException(
              "malformed JSON: duplicate key " + quote(key) + " at offset " + keyAt);
        }
        skipWhitespace();
        if (pos >= s.length() || s.charAt(pos) != ':') {
          throw error("expected ':'");
        }
        pos++;
        skipWhitespace();
        map.put(key, value(depth));
        skipWhitespace();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          skipWhitespace();
        } else if (pos < s.length() && s.charAt(pos) == '}') {
          pos++;
          return map;
        } else {
          throw error("expected ',' or '}'");
        }
      }
    }

    private ArrayList<Object> array(int depth) {
      enter(depth);
      pos++; // '['
      ArrayList<Object> list = new ArrayList<>();
      skipWhitespace();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return list;
      }
      while (true) {
        list.add(value(depth));
        skipWhitespace();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          skipWhitespace();
        } else if (pos < s.length() && s.charAt(pos) == ']') {
          pos++;
          return list;
        } else {
          throw error("expected ',' or ']'");
        }
      }
    }

    private String string() {
      pos++; // opening quote
      StringBuilder out = null;
      int plainFrom = pos;
      while (true) {
        if (pos >= s.length()) {
          throw error("expected '\"' to close the string");
        }
        char c = s.charAt(pos);
        if (c == '"') {
          String result =
              out == null ? s.substring(plainFrom, pos) : out.append(s, plainFrom, pos).toString();
          pos++;
          return result;
        }
        if (c < 0x20) {
          throw error("expected a control character to be escaped");
        }
        if (c != '\\') {
          pos++;
          continue;
        }
        if (out == null) {
          out = new StringBuilder();
        }
        out.append(s, plainFrom, pos);
        pos++; // backslash
        if (pos >= s.length()) {
          throw error("expected an escape character");
        }
        char e = s.charAt(pos);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out.append(e);
            break;
          case 'b':
            out.append('\b');
            break;
          case 'f':
            out.append('\f');
            break;
          case 'n':
            out.append('\n');
            break;
          case 'r':
            out.append('\r');
            break;
          case 't':
            out.append('\t');
            break;
          case 'u':
            out.append(hex4(pos + 1));
            pos += 4;
            break;
          default:
            throw error("expected one of \" \\ / b f n r t u after '\\'");
        }
        pos++;
        plainFrom = pos;
      }
    }

    private char hex4(int from) {
      int v = 0;
      for (int i = from; i < from + 4; i++) {
        int d = i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
        if (d < 0 || s.charAt(i) > 'f') { // Character.digit also takes non-ASCII digits
          throw error("expected 4 hex digits after '\\u'", i);
        }
        v = (v << 4) | d;
      }
      return (char) v;
    }

    private Object number() {
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length() || !isDigit(s.charAt(pos))) {
        throw error("expected a digit");
      }
      if (s.charAt(pos) == '0') {
        pos++;
        if (pos < s.length() && isDigit(s.charAt(pos))) {
          throw error("expected no leading zero");
        }
      } else {
        digits();
      }
      boolean integral = true;
      if (pos < s.length() && s.charAt(pos) == '.') {
        integral = false;
        pos++;
        if (pos >= s.length() || !isDigit(s.charAt(pos))) {
          throw error("expected a digit after '.'");
        }
        digits();
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        integral = false;
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        if (pos >= s.length() || !isDigit(s.charAt(pos))) {
          throw error("expected a digit in the exponent");
        }
        digits();
      }
      String text = s.substring(start, pos);
      if (integral) {
        try {
          return Long.parseLong(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "malformed JSON: integer out of the 64-bit range at offset " + start, e);
        }
      }
      double d = Double.parseDouble(text);
      if (Double.isInfinite(d)) {
        throw new IllegalArgumentException(
            "malformed JSON: number out of the double range at offset " + start);
      }
      return d;
    }

    private void digits() {
      while (pos < s.length() && isDigit(s.charAt(pos))) {
        pos++;
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }
}
