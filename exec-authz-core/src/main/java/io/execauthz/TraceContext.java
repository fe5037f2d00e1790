package io.execauthz;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A W3C trace context ({@code traceparent} header, version 00): every execution node carries one, a
 * child keeps its parent's trace id under a new span id, and every audit record carries the node's,
 * so a decision can be found from the run that caused it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId 16 lowercase hex digits, not all zero
 * @param flags the trace flags byte (bit 0: sampled)
 */
public record TraceContext(String traceId, String spanId, int flags) {
  public TraceContext {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    checkHex(traceId, 32, "trace id");
    checkHex(spanId, 16, "span id");
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("trace flags must be one byte, was " + flags);
    }
  }

  /**
   * Parses a {@code traceparent} header value such as {@code
   * 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TraceContext parse(String traceparent) {
    Objects.requireNonNull(traceparent, "traceparent");
    String[] parts = traceparent.split("-", -1);
    if (parts.length != 4 || !parts[0].equals("00")) {
      throw new IllegalArgumentException(
          "traceparent must be 00-<32 hex>-<16 hex>-<2 hex>, was \"" + traceparent + "\"");
    }
    checkHex(parts[3], 2, "trace flags");
    return new TraceContext(parts[1], parts[2], Integer.parseInt(parts[3], 16));
  }

  /** A new trace with a random trace id and span id. */
  public static TraceContext newTrace(RandomGenerator random) {
    return new TraceContext(hex(random, 32), hex(random, 16), 1);
  }

  /** A child span: the same trace id and flags, a new random span id. */
  public TraceContext child(RandomGenerator random) {
    return new TraceContext(traceId, hex(random, 16), flags);
  }

  /** The {@code traceparent} header value. */
  public String traceparent() {
    return "00-" + traceId + "-" + spanId + "-" + String.format("%02x", flags);
  }

  @Override
  public String toString() {
    return traceparent();
  }

  private static String hex(RandomGenerator random, int digits) {
    StringBuilder sb = new StringBuilder(digits);
    while (true) {
      sb.setLength(0);
      boolean nonZero = false;
      for (int i = 0; i < digits; i++) {
        int d = random.nextInt(16);
        nonZero |= d != 0;
        sb.append(Character.forDigit(d, 16));
      }
      if (nonZero) {
        return sb.toString();
      }
    }
  }

  private static void checkHex(String s, int digits, String what) {
    boolean zero = true;
    boolean ok = s.length() == digits;
    for (int i = 0; ok && i < s.length(); i++) {
      char c = s.charAt(i);
      ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      zero &= c == '0';
    }
    if (!ok || (zero && digits > 2)) {
      throw new IllegalArgumentException(
          what + " must be " + digits + " lowercase hex digits, not all zero; was \"" + s + "\"");
    }
  }
}
