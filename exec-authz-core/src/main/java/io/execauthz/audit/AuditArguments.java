package io.execauthz.audit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A call's arguments as an audit record keeps them: an immutable tree of strings, booleans,
 * integers ({@link Long}), decimals ({@link BigDecimal} without trailing zeros), lists and maps
 * whose keys iterate sorted — the canonical JSON form {@code io.execauthz.Args} hashes, so the
 * JSON-lines sink writes them in exactly that form — and their redaction by key.
 *
 * <p>Stateless and thread-safe.
 */
final class AuditArguments {
  /** What a redacted value is replaced with. */
  static final String REDACTED = "[redacted]";

  /** The deepest nesting kept (as {@code io.execauthz.Args} accepts). */
  private static final int MAX_DEPTH = 32;

  private AuditArguments() {}

  /**
   * An immutable, sorted deep copy of {@code args}, or {@code null} for none (null or empty); a
   * {@code null} map value leaves its key out, as {@code Args} does.
   *
   * @throws IllegalArgumentException naming where a value is of another type, nested too deep, or a
   *     key is not a string
   */
  static Map<String, Object> copy(Map<String, Object> args) {
    if (args == null || args.isEmpty()) {
      return null;
    }
    return copyMap(args, "arguments", 1);
  }

  private static Map<String, Object> copyMap(Map<?, ?> in, String where, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(where + " is nested deeper than " + MAX_DEPTH + " levels");
    }
    TreeMap<String, Object> out = new TreeMap<>();
    for (Map.Entry<?, ?> e : in.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new IllegalArgumentException("a key of " + where + " is not a string");
      }
      if (e.getValue() != null) {
        out.put(key, copyValue(e.getValue(), where + "." + key, depth));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static Object copyValue(Object v, String where, int depth) {
    if (v instanceof String || v instanceof Boolean || v instanceof Long) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger bi && bi.bitLength() <= 63) {
      return bi.longValue();
    }
    if ((v instanceof Double || v instanceof Float)
        && Double.isFinite(((Number) v).doubleValue())) {
      return decimal(new BigDecimal(Double.toString(((Number) v).doubleValue())));
    }
    if (v instanceof BigDecimal d) {
      return decimal(d);
    }
    if (v instanceof Map<?, ?> m) {
      return copyMap(m, where, depth + 1);
    }
    if (v instanceof Collection<?> c) {
      if (depth + 1 > MAX_DEPTH) {
        throw new IllegalArgumentException(
            where + " is nested deeper than " + MAX_DEPTH + " levels");
      }
      List<Object> out = new ArrayList<>(c.size());
      int i = 0;
      for (Object e : c) {
        if (e == null) {
          throw new IllegalArgumentException(where + "[" + i + "] is null");
        }
        out.add(copyValue(e, where + "[" + i++ + "]", depth + 1));
      }
      return List.copyOf(out);
    }
    throw new IllegalArgumentException(
        where
            + " is a "
            + v.getClass().getName()
            + "; arguments are strings, booleans, integers, decimals, lists and string-keyed maps");
  }

  /** A decimal in canonical form: no trailing zeros; zero is the integer 0. */
  private static Object decimal(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    return s.signum() == 0 ? (Object) 0L : s;
  }

  /** {@code keys} in lower case, each checked not to be null or empty. */
  static Set<String> lowerKeys(String... keys) {
    Set<String> lower = new java.util.HashSet<>();
    for (String k : keys) {
      if (k == null || k.isEmpty()) {
        throw new IllegalArgumentException("redact: a key is null or empty");
      }
      lower.add(k.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(lower);
  }

  /** The record a sink writes and the top-level argument names it redacted. */
  record Kept(AuditRecord record, List<String> redacted) {}

  /**
   * What a sink writes of {@code r}: with {@code keys} null, no arguments; else the arguments with
   * the values of {@code keys} (lower case) redacted.
   */
  static Kept kept(AuditRecord r, Set<String> keys) {
    if (r.arguments() == null) {
      return new Kept(r, List.of());
    }
    if (keys == null) {
      return new Kept(r.withArguments(null), List.of());
    }
    Redacted x = redact(r.arguments(), keys);
    return x.names().isEmpty()
        ? new Kept(r, List.of())
        : new Kept(r.withArguments(x.arguments()), x.names());
  }

  /** Arguments with their redacted values replaced, and which top-level names that touched. */
  record Redacted(Map<String, Object> arguments, List<String> names) {}

  /**
   * {@code args} (a tree from {@link #copy}) with the value of every key in {@code keys} (lower
   * case; keys compare case-insensitively) at any depth replaced by {@link #REDACTED}, and the
   * sorted top-level names whose value is or holds such a key.
   */
  static Redacted redact(Map<String, Object> args, Set<String> keys) {
    if (keys.isEmpty()) {
      return new Redacted(args, List.of());
    }
    TreeMap<String, Object> out = new TreeMap<>();
    TreeSet<String> names = new TreeSet<>();
    for (Map.Entry<String, Object> e : args.entrySet()) {
      boolean[] hit = {false};
      if (keys.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        out.put(e.getKey(), REDACTED);
        hit[0] = true;
      } else {
        out.put(e.getKey(), redactValue(e.getValue(), keys, hit));
      }
      if (hit[0]) {
        names.add(e.getKey());
      }
    }
    return names.isEmpty()
        ? new Redacted(args, List.of())
        : new Redacted(Collections.unmodifiableMap(out), List.copyOf(names));
  }

  private static Object redactValue(Object v, Set<String> keys, boolean[] hit) {
    if (v instanceof Map<?, ?> m) {
      TreeMap<String, Object> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = (String) e.getKey();
        if (keys.contains(key.toLowerCase(Locale.ROOT))) {
          out.put(key, REDACTED);
          hit[0] = true;
        } else {
          out.put(key, redactValue(e.getValue(), keys, hit));
        }
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object e : l) {
        out.add(redactValue(e, keys, hit));
      }
      return out;
    }
    return v;
  }
}
