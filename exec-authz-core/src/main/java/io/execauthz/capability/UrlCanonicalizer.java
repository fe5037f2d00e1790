package io.execauthz.capability;

import java.nio.charset.StandardCharsets;

/**
 * The canonicalizer of URL schemes ({@code https:}, {@code http:}, ...): {@code
 * //host[:port][/path][?query]}, the host and port by {@link Authorities}, the default port
 * dropped, unreserved characters decoded and everything else percent-encoded in upper case; escaped
 * separators, double encoding, fragments, backslashes and dot segments refused.
 *
 * <p>Immutable and thread-safe.
 */
final class UrlCanonicalizer implements ResourceCanonicalizer {
  private final int defaultPort;

  UrlCanonicalizer(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  @Override
  public boolean authorityForm() {
    return true;
  }

  @Override
  public String canonicalize(String path) {
    if (path.equals("*") || path.equals("**")) {
      return path;
    }
    if (!path.startsWith("//")) {
      throw new CapabilitySyntaxException(
          path, 0, "expected '//' and a host (e.g. https://api.example.com/v1)");
    }
    int n = path.length();
    int end = 2;
    while (end < n && "/?#".indexOf(path.charAt(end)) < 0) {
      end++;
    }
    StringBuilder out = new StringBuilder(n + 8).append("//");
    out.append(Authorities.canonical(path, 2, end, defaultPort));
    if (end == n || (end == n - 1 && path.charAt(end) == '/')) {
      return finish(path, out); // no path, or the root "/": the same request
    }
    if (path.charAt(end) == '?') {
      out.append('/');
    }
    boolean query = false;
    int segStart = out.length();
    int segInput = end;
    for (int i = end; i < n; i++) {
      char c = path.charAt(i);
      if (c == '/') {
        if (i > end) {
          checkSegment(path, segInput, out, segStart);
        }
        out.append('/');
        segStart = out.length();
        segInput = i + 1;
        continue;
      }
      if (c == '#') {
        throw new CapabilitySyntaxException(
            path, i, "a fragment ('#') is not part of a resource (it never reaches the server)");
      }
      if (c == '\\') {
        throw new CapabilitySyntaxException(
            path, i, "backslashes are not allowed in URLs (browsers and many servers read '/')");
      }
      if (c == '?') {
        query = true;
        out.append(c);
        continue;
      }
      if (c == '%') {
        int b = escape(path, i);
        if (!query && (b == '/' || b == '\\')) {
          throw new CapabilitySyntaxException(
              path,
              i,
              "an escaped '/' or '\\' is not allowed in a URL path (servers disagree on"
                  + " whether it separates segments)");
        }
        if (b == '%'
            && i + 4 < n
            && Character.digit(path.charAt(i + 3), 16) >= 0
            && Character.digit(path.charAt(i + 4), 16) >= 0) {
          throw new CapabilitySyntaxException(
              path,
              i,
              "a double-encoded escape ('%25' and two hex digits) is not allowed (a server that"
                  + " decodes twice reads another character)");
        }
        if (b < 0x20 || b == 0x7f) {
          throw new CapabilitySyntaxException(
              path, i, "an escaped control character is not allowed");
        }
        if (unreserved(b)) {
          out.append((char) b);
        } else {
          appendEscape(out, b);
        }
        i += 2;
        continue;
      }
      if (c < 0x80 && allowedRaw(c)) {
        out.append(c);
      } else {
        int cp = path.codePointAt(i);
        for (byte x : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          appendEscape(out, x & 0xff);
        }
        i += Character.charCount(cp) - 1;
      }
    }
    checkSegment(path, segInput, out, segStart);
    return finish(path, out);
  }

  private static String finish(String path, StringBuilder out) {
    return out.length() == path.length() && path.contentEquals(out) ? path : out.toString();
  }

  /** Refuses an empty or dot segment once its escapes are decoded. */
  private static void checkSegment(String path, int inputStart, StringBuilder out, int start) {
    int len = out.length() - start;
    if (len == 0) {
      throw new CapabilitySyntaxException(path, inputStart, "empty path segment");
    }
    int semi = out.indexOf(";", start);
    if (semi >= 0) {
      len = semi - start; // "..;x" is ".." to servers that strip path parameters
    }
    if ((len == 1 && out.charAt(start) == '.')
        || (len == 2 && out.charAt(start) == '.' && out.charAt(start + 1) == '.')) {
      throw new CapabilitySyntaxException(
          path,
          inputStart,
          "path segment '"
              + out.substring(start, start + len)
              + "' is not allowed (escaped, or followed by ';parameters', or not)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UrlCanonicalizer u && u.defaultPort == defaultPort;
  }

  @Override
  public int hashCode() {
    return defaultPort;
  }

  @Override
  public String toString() {
    return "urls(" + defaultPort + ")";
  }

  private static boolean unreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  /** RFC 3986 pchar and query characters that may appear unescaped. */
  private static boolean allowedRaw(char c) {
    return unreserved(c) || "!$&'()*+,;=:@".indexOf(c) >= 0;
  }

  private static int escape(String path, int i) {
    if (i + 2 >= path.length()) {
      throw new CapabilitySyntaxException(
          path, i, "malformed percent-escape (expected '%' and two hex digits)");
    }
    int hi = Character.digit(path.charAt(i + 1), 16);
    int lo = Character.digit(path.charAt(i + 2), 16);
    if (hi < 0 || lo < 0 || path.charAt(i + 1) > 0x7f || path.charAt(i + 2) > 0x7f) {
      throw new CapabilitySyntaxException(
          path, i, "malformed percent-escape (expected '%' and two hex digits)");
    }
    return hi * 16 + lo;
  }

  private static void appendEscape(StringBuilder out, int b) {
    out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)));
    out.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
  }
}
