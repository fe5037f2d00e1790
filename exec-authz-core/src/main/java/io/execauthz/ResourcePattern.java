package io.execauthz;

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
 * <p>Every test here ({@link #covers}, {@link #overlaps}, {@link #matches}) runs in time linear in
 * the number of segments. Immutable and thread-safe.
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

  static ResourcePattern parse(String whole, String text, int offset, boolean wildcards) {
    return parse(whole, text, offset, wildcards, ResourceSchemes.DEFAULTS);
  }

  static boolean schemeChar(char c, int i) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
  }

  /**
   * Reads {@code text} (found at {@code offset} in {@code whole}, for positions in messages) in the
   * canonical form of {@code schemes}: the rules of every scheme, then the scheme's canonicalizer,
   * then the grammar on what it returned, then (for a concrete resource of a case-insensitive
   * scheme) case folding.
   */
  static ResourcePattern parse(
      String whole, String text, int offset, boolean wildcards, ResourceSchemes schemes) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new CapabilitySyntaxException(
          whole, offset + text.length(), "expected scheme:path (e.g. fs:/repo/**), found no ':'");
    }
    if (colon == 0) {
      throw new CapabilitySyntaxException(whole, offset, "expected a scheme before ':'");
    }
    boolean lower = true;
    for (int i = 0; i < colon; i++) {
      char c = text.charAt(i);
      if (!schemeChar(c, i)) {
        throw new CapabilitySyntaxException(
            whole,
            offset + i,
            "unexpected character '" + Names.printable(String.valueOf(c)) + "' in scheme");
      }
      lower &= !(c >= 'A' && c <= 'Z');
    }
    String scheme =
        lower ? text.substring(0, colon) : text.substring(0, colon).toLowerCase(Locale.ROOT);
    String path = text.substring(colon + 1);
    int base = offset + colon + 1;
    if (path.isEmpty()) {
      throw new CapabilitySyntaxException(whole, base, "expected a path after ':'");
    }
    ResourceText.check(whole, path, 0, base);
    ResourceCanonicalizer canonicalizer = schemes.canonicalizer(scheme);
    String canonical;
    try {
      canonical = canonicalizer.canonicalize(path);
    } catch (CapabilitySyntaxException e) {
      int at = Math.max(0, Math.min(e.position(), path.length()));
      throw new CapabilitySyntaxException(whole, base + at, e.problem());
    }
    boolean same = path.equals(canonical);
    if (!same) {
      if (canonical == null || canonical.isEmpty()) {
        throw new CapabilitySyntaxException(
            whole, base, "the " + scheme + ": canonicalizer returned no path");
      }
      try {
        ResourceText.check(canonical, canonical, 0, 0);
      } catch (CapabilitySyntaxException e) {
        throw new CapabilitySyntaxException(
            whole,
            base,
            "the " + scheme + ": canonicalizer returned a malformed path: " + e.problem());
      }
    }
    ResourcePattern p =
        grammar(
            whole,
            lower && same ? text : null,
            scheme,
            same ? path : canonical,
            base,
            same ? 0 : path.length() - canonical.length(),
            same ? null : path,
            wildcards,
            canonicalizer.authorityForm());
    if (!schemes.isCaseInsensitive(scheme)) {
      return p;
    }
    if (wildcards) {
      return new ResourcePattern(p.scheme, p.segs(), p.rest, p.text, true);
    }
    String[] f = foldAll(p.segs());
    ResourcePattern r = new ResourcePattern(scheme, f, false, render(scheme, f, false), true);
    r.foldedFixed = f; // already folded: never folded twice
    return r;
  }

  /**
   * Splits a canonical path into segments and checks the grammar. When the path is the output of a
   * canonicalizer that changed it ({@code input} not null), a position is mapped back into the
   * input when the text after it is unchanged, and to the path's start otherwise.
   */
  private static ResourcePattern grammar(
      String whole,
      String full,
      String scheme,
      String path,
      int base,
      int shift,
      String input,
      boolean wildcards,
      boolean authority) {
    int start = 0;
    int restAt = -1;
    int n = path.length();
    for (int i = 0; i <= n; i++) {
      if (i < n && path.charAt(i) != '/') {
        continue;
      }
      int len = i - start;
      if (restAt >= 0) {
        throw new CapabilitySyntaxException(
            whole, at(path, start - 1, base, shift, input), "'**' may only be the last segment");
      }
      if (len == 0 && start > 0 && !(authority && start == 1)) {
        throw new CapabilitySyntaxException(
            whole, at(path, start, base, shift, input), "empty path segment");
      }
      if ((len == 1 || len == 2) && path.charAt(start) == '.' && path.charAt(i - 1) == '.') {
        throw new CapabilitySyntaxException(
            whole,
            at(path, start, base, shift, input),
            "path segment '" + path.substring(start, i) + "' is not allowed");
      }
      int star = path.indexOf('*', start);
      if (star >= 0 && star < i) {
        if (!wildcards) {
          throw new CapabilitySyntaxException(
              whole,
              at(path, start, base, shift, input),
              "a requested resource cannot contain a wildcard");
        }
        if (len == 2 && path.charAt(start) == '*' && path.charAt(start + 1) == '*') {
          restAt = start;
        } else if (len != 1) {
          throw new CapabilitySyntaxException(
              whole,
              at(path, star, base, shift, input),
              "'*' must be a whole segment ('*' or a final '**')");
        }
      }
      start = i + 1;
    }
    return new ResourcePattern(
        scheme, full != null ? full : scheme + ":" + path, restAt >= 0, restAt);
  }

  /** Maps position {@code p} in a canonical path back to the text the user wrote. */
  private static int at(String path, int p, int base, int shift, String input) {
    if (input == null) {
      return base + p;
    }
    int q = Math.max(0, Math.min(p, path.length()));
    return input.endsWith(path.substring(q)) && q + shift >= 0 ? base + q + shift : base;
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

  /** Whether this pattern matches the concrete (wildcard-free) resource {@code resource}. */
  public boolean matches(ResourcePattern resource) {
    return covers(resource);
  }

  /** Whether every resource {@code other} can match is also matched by this pattern. */
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
