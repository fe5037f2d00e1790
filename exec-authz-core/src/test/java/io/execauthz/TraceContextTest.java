package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class TraceContextTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final String HEADER = "00-" + TRACE + "-" + SPAN + "-01";

  @Test
  void parse_validHeader_givesItsPartsAndPrintsItBack() {
    TraceContext t = TraceContext.parse(HEADER);

    assertThat(t.traceId()).isEqualTo(TRACE);
    assertThat(t.spanId()).isEqualTo(SPAN);
    assertThat(t.flags()).isEqualTo(1);
    assertThat(t.traceparent()).isEqualTo(HEADER);
    assertThat(t).hasToString(HEADER);
    assertThat(TraceContext.parse(t.traceparent())).isEqualTo(t);
  }

  @Test
  void parse_unsampledAndOtherFlags_areKept() {
    assertThat(TraceContext.parse("00-" + TRACE + "-" + SPAN + "-00").flags()).isZero();
    TraceContext ff = TraceContext.parse("00-" + TRACE + "-" + SPAN + "-ff");
    assertThat(ff.flags()).isEqualTo(0xff);
    assertThat(ff.traceparent()).endsWith("-ff");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "version 01       | 01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01  | 00-<32 hex>-<16 hex>-<2 hex>",
        "version ff       | ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01  | 00-<32 hex>-<16 hex>-<2 hex>",
        "too few parts    | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7     | 00-<32 hex>-<16 hex>-<2 hex>",
        "too many parts   | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x | 00-<32 hex>-<16 hex>-<2 hex>",
        "empty            | ''                                                       | 00-<32 hex>-<16 hex>-<2 hex>",
        "short trace id   | 00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01   | trace id must be 32 lowercase hex digits",
        "long trace id    | 00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01 | trace id must be 32 lowercase hex digits",
        "upper trace id   | 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01  | trace id must be 32 lowercase hex digits",
        "non-hex trace id | 00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01  | trace id must be 32 lowercase hex digits",
        "zero trace id    | 00-00000000000000000000000000000000-00f067aa0ba902b7-01  | not all zero",
        "short span id    | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01   | span id must be 16 lowercase hex digits",
        "upper span id    | 00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01  | span id must be 16 lowercase hex digits",
        "zero span id     | 00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01  | span id must be 16 lowercase hex digits, not all zero",
        "short flags      | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1   | trace flags must be 2 lowercase hex digits",
        "upper flags      | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A  | trace flags must be 2 lowercase hex digits",
        "non-hex flags    | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g  | trace flags must be 2 lowercase hex digits",
      })
  void parse_malformedValue_isRejectedWithAClearMessage(
      String what, String traceparent, String expectedMessage) {
    assertThatThrownBy(() -> TraceContext.parse(traceparent))
        .as(what)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expectedMessage);
  }

  @Test
  void parse_malformedValue_messageQuotesWhatWasSeen() {
    assertThatThrownBy(() -> TraceContext.parse("00-abc-" + SPAN + "-01"))
        .hasMessageContaining("\"abc\"");
  }

  @Test
  void constructor_rejectsFlagsOutsideOneByte() {
    assertThatThrownBy(() -> new TraceContext(TRACE, SPAN, 256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one byte");
    assertThatThrownBy(() -> new TraceContext(TRACE, SPAN, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void newTrace_isValidSampledAndReproducibleFromTheSeed() {
    TraceContext a = TraceContext.newTrace(new SplittableRandom(5));
    TraceContext b = TraceContext.newTrace(new SplittableRandom(5));
    TraceContext c = TraceContext.newTrace(new SplittableRandom(6));

    assertThat(a).isEqualTo(b);
    assertThat(c.traceId()).isNotEqualTo(a.traceId());
    assertThat(a.flags()).isEqualTo(1);
    assertThat(TraceContext.parse(a.traceparent())).isEqualTo(a);
    assertThat(a.traceId()).matches("[0-9a-f]{32}");
    assertThat(a.spanId()).matches("[0-9a-f]{16}");
  }

  @Test
  void newTrace_fromARandomThatFirstYieldsZeros_isStillNotAllZero() {
    // a generator whose first 48 draws are 0, then 7s
    java.util.random.RandomGenerator zerosFirst =
        new java.util.random.RandomGenerator() {
          private int calls;

          @Override
          public long nextLong() {
            return calls++ < 48 ? 0 : 7;
          }

          @Override
          public int nextInt(int bound) {
            return calls++ < 48 ? 0 : 7;
          }
        };

    TraceContext t = TraceContext.newTrace(zerosFirst);

    assertThat(t.traceId()).isNotEqualTo("0".repeat(32));
    assertThat(t.spanId()).isNotEqualTo("0".repeat(16));
  }

  @Test
  void child_keepsTraceIdAndFlagsWithANewSpanId() {
    TraceContext parent = TraceContext.parse("00-" + TRACE + "-" + SPAN + "-00");
    TraceContext child = parent.child(new SplittableRandom(9));

    assertThat(child.traceId()).isEqualTo(TRACE);
    assertThat(child.flags()).isZero();
    assertThat(child.spanId()).isNotEqualTo(SPAN).matches("[0-9a-f]{16}");
  }
}
