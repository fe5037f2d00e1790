package io.execauthz.capability;

import io.execauthz.internal.Text;
import java.util.Locale;

/**
 * Reads the text of a resource pattern or a concrete resource into a {@link ResourcePattern}, in
 * the canonical form of a {@link ResourceSchemes} registry (CONTRACT §1): the rules every scheme
 * shares, then the scheme's canonicalizer, then the segment grammar on its output, then case
 * folding for a case-insensitive scheme. Every refusal is a {@link CapabilitySyntaxException}
 * naming the position in the text the user wrote.
 *
 * <p>Stateless and thread-safe.
 */
final class ResourceParser {
  private ResourceParser() {}

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
            "unexpected character '" + Text.printable(String.valueOf(c)) + "' in scheme");
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
    return schemes.isCaseInsensitive(scheme) ? p.caseInsensitive(wildcards) : p;
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
    return ResourcePattern.ofCanonical(scheme, full != null ? full : scheme + ":" + path, restAt);
  }

  /** Maps position {@code p} in a canonical path back to the text the user wrote. */
  private static int at(String path, int p, int base, int shift, String input) {
    if (input == null) {
      return base + p;
    }
    int q = Math.max(0, Math.min(p, path.length()));
    return input.endsWith(path.substring(q)) && q + shift >= 0 ? base + q + shift : base;
  }
}
