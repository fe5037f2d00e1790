package io.execauthz;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A call's arguments as an immutable value: what the caller passed, deep-copied at the boundary
 * into a tree of strings, booleans, integers ({@link Long}), decimals ({@link BigDecimal}), lists
 * and string-keyed maps. Nothing the caller keeps can change it afterwards, so a decision (and a
 * cached decision) is always about the arguments as they were when it was asked.
 *
 * <p>Conversions: {@code Integer}, {@code Short}, {@code Byte} and {@code BigInteger} (in range)
 * become {@code Long}; {@code Double}, {@code Float} and {@code BigDecimal} become a {@code
 * BigDecimal} without trailing zeros (NaN and infinities are refused); any {@code Collection}
 * becomes a list (in its iteration order); a map entry whose value is {@code null} is left out.
 * Anything else — another type, a non-string key, a {@code null} list element, nesting deeper than
 * {@value #MAX_DEPTH} levels or more than {@value #MAX_VALUES} values in all — is refused with an
 * {@link IllegalArgumentException} naming where it was.
 *
 * <p>Its hash is computed once, so it is cheap to use as (part of) a cache key. {@link
 * #canonicalJson()} is a stable text form (keys sorted) and {@link #sha256()} its digest, for audit
 * records that bind the exact call without storing its data.
 *
 * <p>Immutable and thread-safe.
 */
public final class Args extends AbstractMap<String, Object> {
  /** The deepest nesting accepted (the top-level map is level 1). */
  public static final int MAX_DEPTH = 32;

  /** The most values (map entries and list elements, at every level) accepted. */
  public static final int MAX_VALUES = 10_000;

  private static final Args EMPTY = new Args(Map.of());

  private final Map<String, Object> values;
  private final int hash;
  private volatile String json;
  private volatile String sha256;

  private Args(Map<String, Object> values) {
    this.values = values;
    this.hash = values.hashCode();
  }

  /** No arguments. */
  public static Args empty() {
    return EMPTY;
  }

  /**
   * A deep, immutable copy of {@code args} ({@code null} is no arguments).
   *
   * @throws IllegalArgumentException naming the first value that cannot be an argument
   */
  public static Args of(Map<String, ?> args) {
    if (args == null || args.isEmpty()) {
      return EMPTY;
    }
    if (args instanceof Args a) {
      return a;
    }
    int[] count = {0};
    return new Args(copyMap(args, "args", 1, count));
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return values.entrySet();
  }

  @Override
  public Object get(Object key) {
    return values.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return values.containsKey(key);
  }

  @Override
  public int size() {
    return values.size();
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (o instanceof Args a) {
      return a.hash == hash && a.values.equals(values);
    }
    return o instanceof Map<?, ?> m && values.equals(m);
  }

  /**
   * The arguments as JSON with every map's keys sorted, integers and decimals in plain notation and
   * strings escaped as RFC 8259 requires: equal arguments give equal text.
   */
  public String canonicalJson() {
    String j = json;
    if (j == null) {
      StringBuilder sb = new StringBuilder();
      write(sb, values);
      json = j = sb.toString();
    }
    return j;
  }

  /** The SHA-256 of {@link #canonicalJson()} in UTF-8, as lowercase hex. */
  public String sha256() {
    String s = sha256;
    if (s == null) {
      try {
        byte[] d =
            MessageDigest.getInstance("SHA-256")
                .digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
        sha256 = s = HexFormat.of().formatHex(d);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }
    return s;
  }

  /**
   * These arguments restricted to what {@code reads} names: the same value when it reads them all
   * (or there is nothing to drop), {@link #empty()} when it reads none. The values are shared, not
   * copied (they are immutable).
   */
  public Args only(io.execauthz.spi.ArgumentReads reads) {
    if (reads.readsAll() || values.isEmpty()) {
      return this;
    }
    if (reads.readsNone()) {
      return EMPTY;
    }
    Map<String, Object> kept = null;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (!reads.mayRead(e.getKey())) {
        if (kept == null) {
          kept = new java.util.HashMap<>(values);
        }
        kept.remove(e.getKey());
      }
    }
    if (kept == null) {
      return this;
    }
    return kept.isEmpty() ? EMPTY : new Args(Map.copyOf(kept));
  }

  @Override
  public String toString() {
    return "Args[" + values.size() + " keys]"; // values may be secrets: never printed
  }

  private static Map<String, Object> copyMap(Map<?, ?> in, String where, int depth, int[] n) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(where + " is nested deeper than " + MAX_DEPTH + " levels");
    }
    Map<String, Object> out = new HashMap<>(Math.max(4, in.size() * 2));
    for (Map.Entry<?, ?> e : in.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new IllegalArgumentException(
            "a key of "
                + where
                + " is "
                + (e.getKey() == null ? "null" : "a " + e.getKey().getClass().getSimpleName())
                + ", not a string");
      }
      if (e.getValue() == null) {
        continue; // a null value leaves its key out, as docs/cedar.md says
      }
      count(n, where);
      out.put(key, copy(e.getValue(), where + "." + Names.printable(key), depth, n));
    }
    return Map.copyOf(out);
  }

  private static Object copy(Object v, String where, int depth, int[] n) {
    if (v instanceof String || v instanceof Boolean || v instanceof Long) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger bi) {
      if (bi.bitLength() > 63) {
        throw new IllegalArgumentException(where + " is out of the range of a long");
      }
      return bi.longValue();
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(where + " is " + d + ", not a number an argument holds");
      }
      return decimal(new BigDecimal(Double.toString(d)));
    }
    if (v instanceof BigDecimal bd) {
      return decimal(bd);
    }
    if (v instanceof Map<?, ?> m) {
      return copyMap(m, where, depth + 1, n);
    }
    if (v instanceof Collection<?> c) {
      if (depth + 1 > MAX_DEPTH) {
        throw new IllegalArgumentException(
            where + " is nested deeper than " + MAX_DEPTH + " levels");
      }
      List<Object> out = new ArrayList<>(c.size());
      int i = 0;
      for (Object e : c) {
        String at = where + "[" + i++ + "]";
        if (e == null) {
          throw new IllegalArgumentException(at + " is null");
        }
        count(n, where);
        out.add(copy(e, at, depth + 1, n));
      }
      return List.copyOf(out);
    }
    throw new IllegalArgumentException(
        where
            + " is a "
            + v.getClass().getName()
            + "; arguments are strings, booleans, integers, decimals, lists and string-keyed maps");
  }

  private static BigDecimal decimal(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    return s.signum() == 0 ? BigDecimal.ZERO : s;
  }

  private static void count(int[] n, String where) {
    if (++n[0] > MAX_VALUES) {
      throw new IllegalArgumentException(
          "args hold more than " + MAX_VALUES + " values (at " + where + ")");
    }
  }

  private static void write(StringBuilder sb, Object v) {
    if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof BigDecimal d) {
      sb.append(d.toPlainString());
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, (String) e.getKey());
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, l.get(i));
      }
      sb.append(']');
    } else {
      sb.append(v); // Long, Boolean
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
