package io.execauthz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The resource half of a capability, and the syntax of claims: {@code scheme:path} where the path
 * is split on {@code /}; a segment {@code *} matches exactly one segment and a final {@code **}
 * matches any number (zero or more) of further segments. A leading {@code /} is an empty first
 * segment, so {@code fs:/repo/**} matches {@code fs:/repo/a/b}.
 *
 * <p>Segments {@code .} and {@code ..} are refused, in patterns and in requested resources alike:
 * matching is textual, and {@code fs:/repo/../etc/passwd} would otherwise fall inside {@code
 * fs:/repo/**}.
 *
 * <p>Every test here ({@link #covers}, {@link #overlaps}, {@link #matches}) runs in time linear in
 * the number of segments. Immutable and thread-safe.
 */
public final class ResourcePattern {
  static final String ONE = "*";
  static final String ANY = "**";

  private final String scheme;
  // the segments before a trailing "**" (all of them when there is none)
  private final String[] fixed;
  private final boolean rest;
  private final String text;

  private ResourcePattern(String scheme, String[] fixed, boolean rest, String text) {
    this.scheme = scheme;
    this.fixed = fixed;
    this.rest = rest;
    this.text = text;
  }

  /**
   * Parses a resource pattern such as {@code fs:/repo/src/**} or {@code tool:github/*}.
   *
   * @throws CapabilitySyntaxException naming the offending position
   */
  public static ResourcePattern parse(String text) {
    Objects.requireNonNull(text, "text");
    return parse(text, text, 0, true);
  }

  static ResourcePattern parse(String whole, String text, int offset, boolean wildcards) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new CapabilitySyntaxException(
          whole, offset + text.length(), "expected scheme:path (e.g. fs:/repo/**), found no ':'");
    }
    if (colon == 0) {
      throw new CapabilitySyntaxException(whole, offset, "expected a scheme before ':'");
    }
    for (int i = 0; i < colon; i++) {
      char c = text.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
      if (!ok) {
        throw new CapabilitySyntaxException(
            whole, offset + i, "unexpected character '" + c + "' in scheme");
      }
    }
    String path = text.substring(colon + 1);
    if (path.isEmpty()) {
      throw new CapabilitySyntaxException(whole, offset + colon + 1, "expected a path after ':'");
    }
    List<String> segments = new ArrayList<>();
    int start = 0;
    int base = offset + colon + 1;
    boolean rest = false;
    for (int i = 0; i <= path.length(); i++) {
      if (i < path.length() && path.charAt(i) != '/') {
        char c = path.charAt(i);
        if (Character.isWhitespace(c) || Character.isISOControl(c)) {
          throw new CapabilitySyntaxException(
              whole, base + i, "unexpected whitespace or control character in path");
        }
        continue;
      }
      String seg = path.substring(start, i);
      if (rest) {
        throw new CapabilitySyntaxException(
            whole, base + start - 1, "'**' may only be the last segment");
      }
      if (seg.isEmpty() && start > 0) {
        throw new CapabilitySyntaxException(whole, base + start, "empty path segment");
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw new CapabilitySyntaxException(
            whole, base + start, "path segment '" + seg + "' is not allowed");
      }
      if (seg.indexOf('*') >= 0) {
        if (!wildcards) {
          throw new CapabilitySyntaxException(
              whole, base + start, "a requested resource cannot contain a wildcard");
        }
        if (seg.equals(ANY)) {
          rest = true;
          start = i + 1;
          continue;
        }
        if (!seg.equals(ONE)) {
          throw new CapabilitySyntaxException(
              whole,
              base + start + seg.indexOf('*'),
              "'*' must be a whole segment ('*' or a final '**')");
        }
      }
      segments.add(seg);
      start = i + 1;
    }
    return new ResourcePattern(
        text.substring(0, colon), segments.toArray(String[]::new), rest, text);
  }

  /** The scheme, such as {@code fs} or {@code tool}. */
  public String scheme() {
    return scheme;
  }

  /** Whether the pattern contains a wildcard segment. */
  public boolean isWildcard() {
    if (rest) {
      return true;
    }
    for (String s : fixed) {
      if (s.equals(ONE)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this pattern matches the concrete (wildcard-free) resource {@code resource}. */
  public boolean matches(ResourcePattern resource) {
    return covers(resource);
  }

  /** Whether every resource {@code other} can match is also matched by this pattern. */
  public boolean covers(ResourcePattern other) {
    if (!scheme.equals(other.scheme)) {
      return false;
    }
    String[] theirs = other.fixed;
    if (other.rest && isEmptyPath(theirs)) {
      // "s:**" and "s:/**" cannot end right there (the empty path is no resource), so they match
      // exactly what "s:*/**" and "s:/*/**" match
      theirs = Arrays.copyOf(theirs, theirs.length + 1);
      theirs[theirs.length - 1] = ONE;
    }
    if (rest ? theirs.length < fixed.length : (other.rest || theirs.length != fixed.length)) {
      return false;
    }
    for (int i = 0; i < fixed.length; i++) {
      String a = fixed[i];
      if (!a.equals(ONE) && !a.equals(theirs[i])) {
        return false;
      }
    }
    return true;
  }

  /** Whether some concrete resource matches both patterns (the test for conflicting claims). */
  public boolean overlaps(ResourcePattern other) {
    return meet(other) != null;
  }

  /** The pattern matching exactly what both match, or {@code null} when nothing does. */
  ResourcePattern meet(ResourcePattern other) {
    if (!scheme.equals(other.scheme)) {
      return null;
    }
    int n = Math.min(fixed.length, other.fixed.length);
    if (!rest && !other.rest && fixed.length != other.fixed.length) {
      return null;
    }
    if (!rest && other.fixed.length > fixed.length) {
      return null;
    }
    if (!other.rest && fixed.length > other.fixed.length) {
      return null;
    }
    String[] longer = fixed.length >= other.fixed.length ? fixed : other.fixed;
    String[] out = Arrays.copyOf(longer, longer.length);
    for (int i = 0; i < n; i++) {
      String a = fixed[i];
      String b = other.fixed[i];
      if (a.equals(ONE)) {
        out[i] = b;
      } else if (b.equals(ONE) || a.equals(b)) {
        out[i] = a;
      } else {
        return null;
      }
    }
    boolean bothRest = rest && other.rest;
    if (!bothRest && isEmptyPath(out)) {
      return null; // only "scheme:" would match both, and that is no resource
    }
    return new ResourcePattern(scheme, out, bothRest, render(scheme, out, bothRest));
  }

  /** Whether these segments spell the empty path ({@code scheme:} alone), which never parses. */
  private static boolean isEmptyPath(String[] segments) {
    return segments.length == 0 || (segments.length == 1 && segments[0].isEmpty());
  }

  private static String render(String scheme, String[] segments, boolean rest) {
    StringBuilder sb = new StringBuilder(scheme).append(':');
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(segments[i]);
    }
    if (rest) {
      sb.append(segments.length > 0 ? "/**" : "**");
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourcePattern r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The canonical text, which {@link #parse} reads back to an equal pattern. */
  @Override
  public String toString() {
    return text;
  }
}
