package io.execauthz.capability;

import io.execauthz.Authorizer;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The resource half of a capability, and the syntax of claims: {@code scheme:path} where the path
 * is split on {@code /}; a segment {@code *} matches exactly one segment and a final {@code **}
 * matches any number (zero or more) of further segments. A leading {@code /} is an empty first
 * segment, so {@code fs:/repo/**} matches {@code fs:/repo/a/b}.
 *
 * <p>Matching compares segments as text, so every pattern and every requested resource is held to
 * its scheme's canonical form (CONTRACT §1, {@link ResourceSchemes}) before it is compared: the
 * scheme in lower case; no {@code .}, {@code ..} or empty segment; no control, format or separator
 * character; Unicode NFC; and the scheme's own rules — for {@code fs:} no percent-escape or
 * backslash, for URLs a lower-case ASCII host without its default port. Otherwise {@code
 * fs:/repo/src/%2e%2e/etc/passwd} would fall inside {@code fs:/repo/src/**} as text while naming a
 * file outside it.
 *
 * <p>Every test here ({@link #covers}, {@link #overlaps}) runs in time linear in the number of
 * segments. Immutable and thread-safe.
 */
public final class ResourcePattern {
  static final String ONE = "*";
  static final String ANY = "**";

  private final String scheme;
  private final boolean rest;
  private final String text;
  // whether this pattern compares case-insensitively (its scheme is, in the registry it came from)
  private final boolean folded;
  // where the trailing "**" starts in the path (-1: none), for splitting the segments lazily
  private final int restAt;
  // the segments before a trailing "**" (all of them when there is none), split from the text on
  // first use, so that a decision answered from the cache never splits its resource; every thread
  // computes the same array, published through the volatile field
  private volatile String[] fixed;
  // the case-folded segments, computed on first use in the same way
  private volatile String[] foldedFixed;

  private ResourcePattern(
      String scheme, String[] fixed, boolean rest, String text, boolean folded) {
    this.scheme = scheme;
    this.fixed = fixed;
    this.rest = rest;
    this.text = text;
    this.folded = folded;
    this.restAt = -1;
  }

  /** A pattern whose segments are split from {@code text} when first needed. */
  private ResourcePattern(String scheme, String text, boolean rest, int restAt) {
    this.scheme = scheme;
    this.text = text;
    this.rest = rest;
    this.restAt = restAt;
    this.folded = false;
  }

  /** The segments before a trailing {@code **}. */
  private String[] segs() {
    String[] f = fixed;
    if (f == null) {
      int from = scheme.length() + 1;
      f =
          rest
              ? (restAt == 0 ? new String[0] : split(text, from, from + restAt - 1))
              : split(text, from, text.length());
      fixed = f;
    }
    return f;
  }

  private static String[] split(String s, int from, int to) {
    int n = 1;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '/') {
        n++;
      }
    }
    String[] out = new String[n];
    int k = 0;
    int start = from;
    for (int i = from; i <= to; i++) {
      if (i == to || s.charAt(i) == '/') {
        out[k++] = s.substring(start, i);
        start = i + 1;
      }
    }
    return out;
  }

  /**
   * Parses a resource pattern such as {@code fs:/repo/src/**} or {@code tool:github/*}, in the
   * canonical form of {@link ResourceSchemes#defaults()}.
   *
   * @throws CapabilitySyntaxException naming the offending position
   */
  public static ResourcePattern parse(String text) {
    Objects.requireNonNull(text, "text");
    return parse(text, text, 0, true);
  }

  /**
   * Parses a concrete resource as a request names it ({@code fs:/repo/a.md}, {@code
   * tool:github/create_issue}): the pattern syntax without wildcards, brought to the canonical form
   * of {@link ResourceSchemes#defaults()} (an {@link Authorizer} uses its own {@link
   * ResourceSchemes}).
   *
   * @throws CapabilitySyntaxException if it is malformed, contains a wildcard segment or has no
   *     canonical form
   */
  public static ResourcePattern parseConcrete(String text) {
    Objects.requireNonNull(text, "resource");
    return parse(text, text, 0, false);
  }

  static ResourcePattern parse(String whole, String text, int offset, boolean wildcards) {
    return ResourceParser.parse(whole, text, offset, wildcards, ResourceSchemes.DEFAULTS);
  }

  /** A parsed pattern in canonical text; its segments are split from the text when first needed. */
  static ResourcePattern ofCanonical(String scheme, String text, int restAt) {
    return new ResourcePattern(scheme, text, restAt >= 0, restAt);
  }

  /**
   * This pattern, compared case-insensitively (its scheme is, in the registry it was parsed with):
   * a pattern keeps its text and folds when it compares; a concrete resource is folded now.
   */
  ResourcePattern caseInsensitive(boolean wildcards) {
    if (wildcards) {
      return new ResourcePattern(scheme, segs(), rest, text, true);
    }
    String[] f = foldAll(segs());
    ResourcePattern r = new ResourcePattern(scheme, f, false, render(scheme, f, false), true);
    r.foldedFixed = f; // already folded: never folded twice
    return r;
  }

  /** The case-insensitive form of a segment: upper case, then lower case, then NFC. */
  static String fold(String s) {
    boolean ascii = true;
    for (int i = 0; i < s.length() && ascii; i++) {
      ascii = s.charAt(i) < 0x80;
    }
    if (ascii) {
      return s.toLowerCase(Locale.ROOT);
    }
    return Normalizer.normalize(
        s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
  }

  private static String[] foldAll(String[] segments) {
    String[] out = new String[segments.length];
    for (int i = 0; i < segments.length; i++) {
      out[i] = segments[i].equals(ONE) ? ONE : fold(segments[i]);
    }
    return out;
  }

  /** The segments compared with a case-insensitive pattern or resource. */
  private String[] foldedSegments() {
    String[] f = foldedFixed;
    if (f == null) {
      f = foldAll(segs());
      foldedFixed = f;
    }
    return f;
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
    for (String s : segs()) {
      if (s.equals(ONE)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every resource {@code other} can match is also matched by this pattern; for a concrete
   * {@code other} (from {@link #parseConcrete}), whether this pattern matches it.
   */
  public boolean covers(ResourcePattern other) {
    if (!scheme.equals(other.scheme)) {
      return false;
    }
    boolean fold = folded || other.folded;
    String[] mine = fold ? foldedSegments() : segs();
    String[] theirs = fold ? other.foldedSegments() : other.segs();
    if (other.rest && isEmptyPath(theirs)) {
      // "s:**" and "s:/**" cannot end right there (the empty path is no resource), so they match
      // exactly what "s:*/**" and "s:/*/**" match
      theirs = Arrays.copyOf(theirs, theirs.length + 1);
      theirs[theirs.length - 1] = ONE;
    }
    if (rest ? theirs.length < mine.length : (other.rest || theirs.length != mine.length)) {
      return false;
    }
    for (int i = 0; i < mine.length; i++) {
      String a = mine[i];
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
    boolean fold = folded || other.folded;
    String[] mine = fold ? foldedSegments() : segs();
    String[] theirs = fold ? other.foldedSegments() : other.segs();
    int n = Math.min(mine.length, theirs.length);
    if (!rest && !other.rest && mine.length != theirs.length) {
      return null;
    }
    if (!rest && theirs.length > mine.length) {
      return null;
    }
    if (!other.rest && mine.length > theirs.length) {
      return null;
    }
    String[] longer = mine.length >= theirs.length ? mine : theirs;
    String[] out = Arrays.copyOf(longer, longer.length);
    for (int i = 0; i < n; i++) {
      String a = mine[i];
      String b = theirs[i];
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
    return new ResourcePattern(scheme, out, bothRest, render(scheme, out, bothRest), fold);
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
