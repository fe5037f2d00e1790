package io.execauthz.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Objects;

/**
 * Reading JSON for {@link Json#parse}: it accepts exactly the RFC 8259 grammar — Jackson's defaults
 * refuse comments, trailing commas, single quotes, leading zeros, unescaped control characters,
 * {@code NaN}; here duplicate object keys are refused too ({@link
 * StreamReadFeature#STRICT_DUPLICATE_DETECTION}), as is anything after the value but whitespace;
 * nesting is bounded by {@link Json#MAX_DEPTH} (so hostile input cannot exhaust the stack) and the
 * text by {@link Json#MAX_DOCUMENT_CHARS}. Objects become {@link LinkedHashMap}s (document order),
 * arrays {@link ArrayList}s, integers without fraction or exponent {@link Long}s (out of {@code
 * long} range is an error, never a silent loss of precision), other numbers {@link Double}s. Every
 * error is an {@link IllegalArgumentException} starting {@code malformed JSON:} and naming the
 * offset (in UTF-16 chars); it quotes at most a few characters of the input.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonReader {
  private JsonReader() {}

  /**
   * Parses one JSON text.
   *
   * @return a {@link LinkedHashMap}, {@link ArrayList}, {@link String}, {@link Long}, {@link
   *     Double}, {@link Boolean} or {@code null}
   * @throws IllegalArgumentException starting {@code malformed JSON:}, naming the offset and what
   *     is wrong there
   */
  static Object parse(String text) {
    return parse(text, false);
  }

  /**
   * Parses one JSON text; with {@code exact}, numbers with a fraction or exponent become {@link
   * java.math.BigDecimal}s (their digits as written) instead of {@link Double}s.
   */
  static Object parse(String text, boolean exact) {
    Objects.requireNonNull(text, "text");
    checkUnicodeEscapes(text);
    try (JsonParser p = Json.FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw error("expected a value, found end of input", text.length());
      }
      Object value = value(p, first, 0, exact);
      if (p.nextToken() != null) {
        throw error("expected end of input after the value", p.currentTokenLocation());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw error(e.getOriginalMessage(), e.getLocation(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does not fail
    }
  }

  /**
   * Refuses a {@code \}{@code u} escape with a non-ASCII character among its four digits, which
   * jackson-core (2.20–2.22) reads by the character's low byte: it would take U+0661 for {@code a}
   * and accept {@code "\}{@code u00\u0661\u0661"} as U+00AA. ASCII non-digits Jackson refuses
   * itself; a backslash outside a string is refused either way.
   */
  private static void checkUnicodeEscapes(String text) {
    int n = text.length();
    for (int i = text.indexOf('\\'); i >= 0 && i + 1 < n; i = text.indexOf('\\', i)) {
      if (text.charAt(i + 1) == 'u') {
        for (int j = i + 2; j < Math.min(i + 6, n); j++) {
          if (text.charAt(j) >= 0x80) {
            throw error("expected 4 hex digits after '\\u'", j);
          }
        }
      }
      i += 2; // past the backslash and the escaped character ("\\\\u" escapes no u)
    }
  }

  private static Object value(JsonParser p, JsonToken t, int depth, boolean exact)
      throws IOException {
    if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth >= Json.MAX_DEPTH) {
      throw error("nesting deeper than " + Json.MAX_DEPTH, p.currentTokenLocation());
    }
    switch (t) {
      case START_OBJECT:
        LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
          String key = p.currentName(); // a FIELD_NAME: Jackson refuses anything else here
          map.put(key, value(p, p.nextToken(), depth + 1, exact)); // duplicates: refused by Jackson
        }
        return map;
      case START_ARRAY:
        ArrayList<Object> list = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          list.add(value(p, e, depth + 1, exact));
        }
        return list;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw error("integer out of the 64-bit range", p.currentTokenLocation());
        }
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        if (exact) {
          return p.getDecimalValue();
        }
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)) {
          throw error("number out of the double range", p.currentTokenLocation());
        }
        return d;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw error("unexpected " + t, p.currentTokenLocation());
    }
  }

  private static IllegalArgumentException error(String what, long offset) {
    return new IllegalArgumentException("malformed JSON: " + what + " at offset " + offset);
  }

  private static IllegalArgumentException error(String what, JsonLocation at) {
    return error(what, at == null ? -1 : at.getCharOffset());
  }

  private static IllegalArgumentException error(
      String what, JsonLocation at, JsonProcessingException cause) {
    IllegalArgumentException e = error(what, at);
    e.initCause(cause);
    return e;
  }
}
