package io.execauthz.internal;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Strict JSON (RFC 8259) reading and writing on jackson-core's streaming API, in the exact byte
 * form core's formats (the audit log and its checkpoints) have always had, so that logs written
 * before core used Jackson still verify byte for byte.
 *
 * <p>Writing: compact (no whitespace), members in the order written, strings escaped so that the
 * output is one line of valid UTF-8 whatever the input holds. Jackson escapes {@code "}, {@code \}
 * and the control characters U+0000–U+001F ({@code \b \f \n \r \t} as shorthands, the others as
 * {@code \}{@code u00xx}, lowercase hex); four kinds of character it leaves raw are then escaped
 * here the same way, since each can only stand inside a string literal of Jackson's output: U+007F,
 * the JavaScript line terminators U+2028 and U+2029 (so a viewer cannot split a line), and unpaired
 * surrogates (which UTF-8 cannot hold: Jackson would write them as {@code ?}). Paired surrogates
 * and other non-ASCII characters are written as they are; {@code /} is not escaped. Values are
 * {@code null}, {@link String}, {@link Boolean}, integral {@link Number}s ({@code Long}, {@code
 * Integer}, {@code Short}, {@code Byte}), finite {@code Double}/{@code Float} (as {@link
 * Double#toString} writes the {@code double}), {@code BigDecimal} (plain digits without trailing
 * zeros), {@code Map<String, ?>} (in iteration order) and {@code List<?>}.
 *
 * <p>Reading: {@link #parse}, strict RFC 8259, by {@link JsonReader}.
 *
 * <p>Internal: not part of the API, no compatibility promise. Stateless and thread-safe (the
 * factory is configured once and only read).
 */
public final class Json {
  /** The deepest nesting of arrays and objects that {@link #parse} and the writer accept. */
  public static final int MAX_DEPTH = 64;

  /** The longest text {@link #parse} reads, in chars (the audit log's lines are at most 1 MiB). */
  public static final int MAX_DOCUMENT_CHARS = 8 << 20;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The one configured factory, for writing here and reading in {@link JsonReader}. */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          // "\u001f", as core has always written it (Jackson's default is upper case)
          .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
          // a surrogate pair as its 4-byte UTF-8 form, as core always wrote it, not as two escapes
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // hostile keys must not fill the JVM's string pool
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  // a backstop: value() refuses depth MAX_DEPTH + 1 first, naming the offset
                  .maxNestingDepth(MAX_DEPTH + 1)
                  .maxDocumentLength(MAX_DOCUMENT_CHARS)
                  .maxStringLength(MAX_DOCUMENT_CHARS)
                  .build())
          .streamWriteConstraints(
              StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          // errors quote a short token at most, never a whole hostile line
          .errorReportConfiguration(
              ErrorReportConfiguration.builder()
                  .maxErrorTokenLength(16)
                  .maxRawContentLength(0)
                  .build())
          .build();

  private Json() {}

  /**
   * What writes one JSON text through a generator; see {@link #write(Body)}.
   *
   * <p>Called once, on the thread that writes; it need not be thread-safe.
   */
  @FunctionalInterface
  public interface Body {
    /** Writes one complete JSON value to {@code g}. */
    void writeTo(JsonGenerator g) throws IOException;
  }

  // ---------------------------------------------------------------- writing

  /**
   * The JSON text {@code body} writes, compact, with the escapes described above.
   *
   * @throws IllegalArgumentException if {@code body} writes malformed JSON or nests deeper than
   *     {@link #MAX_DEPTH}
   */
  public static String write(Body body) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.writeTo(g);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return escapeRest(out.toString());
  }

  /**
   * The UTF-8 bytes of the JSON text {@code body} writes, followed by the ASCII byte {@code end}
   * (the audit log's newline): the same bytes as {@code (write(body) + (char) end)} in UTF-8, built
   * without the intermediate string when it can be. Jackson's UTF-8 writer would write U+007F,
   * U+2028 and U+2029 raw and mangle unpaired surrogates; on the first string holding one (rare),
   * the body is written again through {@link #write(Body)} (so {@code body} must do nothing but
   * write).
   *
   * @throws IllegalArgumentException as {@link #write(Body)}
   */
  public static byte[] writeUtf8(Body body, byte end) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = new Utf8Plain(FACTORY.createGenerator(out, JsonEncoding.UTF8))) {
      body.writeTo(g);
    } catch (NotUtf8Plain e) {
      return (write(body) + (char) end).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    out.write(end);
    return out.toByteArray();
  }

  /**
   * Whether Jackson's UTF-8 writer writes {@code s} as {@link #quote} does: it holds no U+007F,
   * U+2028, U+2029 or unpaired surrogate. (Paired ones Jackson combines into one code point, {@link
   * JsonWriteFeature#COMBINE_UNICODE_SURROGATES_IN_UTF8}; a high surrogate before anything but a
   * low one it would wrongly combine too.)
   */
  static boolean isUtf8Plain(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x7f) {
        continue;
      }
      if (c == 0x7f || c == '\u2028' || c == '\u2029') {
        return false;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++; // a well-formed pair
        } else {
          return false;
        }
      }
    }
    return true;
  }

  /** Thrown (never out of {@link #writeUtf8}) when a string needs the char path. */
  private static final class NotUtf8Plain extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotUtf8Plain() {
      super("a string Jackson's UTF-8 writer would write differently", null, false, false);
    }
  }

  /** Passes strings to Jackson's UTF-8 writer only when it writes them as {@link #quote} does. */
  private static final class Utf8Plain extends JsonGeneratorDelegate {
    Utf8Plain(JsonGenerator g) {
      super(g, false);
    }

    private static String check(String s) {
      if (s != null && !isUtf8Plain(s)) {
        throw new NotUtf8Plain();
      }
      return s;
    }

    @Override
    public void writeString(String text) throws IOException {
      super.writeString(check(text));
    }

    @Override
    public void writeString(char[] text, int offset, int len) throws IOException {
      check(new String(text, offset, len));
      super.writeString(text, offset, len);
    }

    @Override
    public void writeString(SerializableString text) throws IOException {
      check(text.getValue());
      super.writeString(text);
    }

    @Override
    public void writeFieldName(String name) throws IOException {
      super.writeFieldName(check(name));
    }

    @Override
    public void writeFieldName(SerializableString name) throws IOException {
      check(name.getValue());
      super.writeFieldName(name);
    }

    @Override
    public void writeRawValue(String text) throws IOException {
      super.writeRawValue(check(text));
    }

    @Override
    public void writeRaw(String text) throws IOException {
      super.writeRaw(check(text));
    }
  }

  /** {@code s} as a JSON string literal, quotes included. */
  public static String quote(String s) {
    Objects.requireNonNull(s, "s");
    return write(g -> g.writeString(s));
  }

  /**
   * {@code value} as compact JSON text.
   *
   * @throws IllegalArgumentException for a value of another type, a non-finite number, a map key
   *     that is not a string, or nesting deeper than {@link #MAX_DEPTH}
   */
  public static String write(Object value) {
    return write(g -> writeValue(g, value, 0));
  }

  /** Writes {@code value} (of the types {@link #write(Object)} takes) to {@code g}. */
  public static void writeValue(JsonGenerator g, Object value) throws IOException {
    writeValue(g, value, 0);
  }

  private static void writeValue(JsonGenerator g, Object value, int depth) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof java.math.BigDecimal d) {
      // plain digits, no trailing zeros: the form io.execauthz.Args gives a decimal
      java.math.BigDecimal s = d.stripTrailingZeros();
      g.writeNumber(s.signum() == 0 ? "0" : s.toPlainString());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue(); // a Float as its double, as core always wrote it
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON has no " + d + "; only finite numbers");
      }
      g.writeNumber(d);
    } else if (value instanceof Map<?, ?> map) {
      checkDepth(depth + 1);
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "JSON object keys must be strings, found "
                  + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
        }
        g.writeFieldName(key);
        writeValue(g, e.getValue(), depth + 1);
      }
      g.writeEndObject();
    } else if (value instanceof List<?> list) {
      checkDepth(depth + 1);
      g.writeStartArray();
      for (Object element : list) {
        writeValue(g, element, depth + 1);
      }
      g.writeEndArray();
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

  /**
   * {@code json} (Jackson's output) with U+007F, U+2028, U+2029 and unpaired surrogates escaped as
   * {@code \}{@code uxxxx}. Jackson writes none of them outside a string literal, and inside one
   * the escape stands for the same character, so the JSON value is unchanged. Returns {@code json}
   * itself, without copying, when there is nothing to escape (nearly always).
   */
  static String escapeRest(String json) {
    int n = json.length();
    StringBuilder out = null;
    int plainFrom = 0;
    for (int i = 0; i < n; i++) {
      char c = json.charAt(i);
      if (c < 0x7f) {
        continue;
      }
      boolean escape;
      if (c == 0x7f || c == '\u2028' || c == '\u2029') {
        escape = true;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(json.charAt(i + 1))) {
          i++; // a well-formed pair: written as is
          escape = false;
        } else {
          escape = true;
        }
      } else {
        escape = Character.isLowSurrogate(c); // unpaired (a paired one was skipped above)
      }
      if (escape) {
        if (out == null) {
          out = new StringBuilder(n + 16);
        }
        out.append(json, plainFrom, i)
            .append("\\u")
            .append(HEX[(c >> 12) & 0xf])
            .append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
        plainFrom = i + 1;
      }
    }
    return out == null ? json : out.append(json, plainFrom, n).toString();
  }

  // ---------------------------------------------------------------- reading

  /**
   * Parses one JSON text (see {@link JsonReader}).
   *
   * @return a {@link LinkedHashMap}, {@link ArrayList}, {@link String}, {@link Long}, {@link
   *     Double}, {@link Boolean} or {@code null}
   * @throws IllegalArgumentException starting {@code malformed JSON:}, naming the offset and what
   *     is wrong there
   */
  public static Object parse(String text) {
    return JsonReader.parse(text);
  }

  /**
   * Parses one JSON text as {@link #parse} does, but a number with a fraction or exponent becomes a
   * {@link java.math.BigDecimal} holding its digits as written, so that {@link #write(Object)}
   * gives the same text back when it was written from a {@code BigDecimal}: for the audit log's
   * kept arguments, whose decimals a {@code double} could not hold.
   */
  public static Object parseExact(String text) {
    return JsonReader.parse(text, true);
  }
}
