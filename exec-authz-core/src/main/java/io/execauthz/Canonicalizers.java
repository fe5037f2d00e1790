package io.execauthz;

import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/** The built-in {@link ResourceCanonicalizer}s. Each is stateless and thread-safe. */
final class Canonicalizers {
  private Canonicalizers() {}

  static final ResourceCanonicalizer GENERIC =
      new ResourceCanonicalizer() {
        @Override
        public String canonicalize(String path) {
          return path;
        }

        @Override
        public String toString() {
          return "generic";
        }
      };

  static final ResourceCanonicalizer FS =
      new ResourceCanonicalizer() {
        @Override
        public String canonicalize(String path) {
          int n = path.length();
          for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c == '%') {
              throw new CapabilitySyntaxException(
                  path,
                  i,
                  "percent-escapes are not allowed in fs: paths (write the decoded name;"
                      + " a tool must act on exactly the text it was authorized for)");
            }
            if (c == '\\') {
              throw new CapabilitySyntaxException(
                  path, i, "backslashes are not allowed in fs: paths (the separator is '/')");
            }
            if (c >= 0x80 && readsAsPunctuation(path.codePointAt(i))) {
              throw new CapabilitySyntaxException(
                  path,
                  i,
                  String.format("U+%04X", path.codePointAt(i))
                      + " reads as '/', '\\', '.', ':' or '%' after compatibility normalization"
                      + " (NFKC) or a Windows best-fit code page conversion");
            }
            if (c == '.' && (i + 1 == n || path.charAt(i + 1) == '/')) {
              // "." and ".." themselves are refused by the grammar, with their own message
              boolean dotSegment =
                  (i == 0 || path.charAt(i - 1) == '/')
                      || (path.charAt(i - 1) == '.' && (i == 1 || path.charAt(i - 2) == '/'));
              if (!dotSegment) {
                throw new CapabilitySyntaxException(
                    path,
                    i,
                    "an fs: path segment may not end in '.' (Windows drops it: 'a.env.' opens"
                        + " 'a.env')");
              }
            }
          }
          return path;
        }

        @Override
        public String toString() {
          return "fsPaths";
        }
      };

  private static final java.util.Set<String> DEVICES =
      java.util.Set.of(
          "con",
          "prn",
          "aux",
          "nul",
          "conin$",
          "conout$",
          "com0",
          "com1",
          "com2",
          "com3",
          "com4",
          "com5",
          "com6",
          "com7",
          "com8",
          "com9",
          "com\u00b9",
          "com\u00b2",
          "com\u00b3",
          "lpt0",
          "lpt1",
          "lpt2",
          "lpt3",
          "lpt4",
          "lpt5",
          "lpt6",
          "lpt7",
          "lpt8",
          "lpt9",
          "lpt\u00b9",
          "lpt\u00b2",
          "lpt\u00b3");

  static final ResourceCanonicalizer WINDOWS =
      new ResourceCanonicalizer() {
        @Override
        public String canonicalize(String path) {
          FS.canonicalize(path);
          int n = path.length();
          int start = 0;
          boolean first = true;
          for (int i = 0; i <= n; i++) {
            if (i < n && path.charAt(i) != '/') {
              continue;
            }
            String seg = path.substring(start, i);
            if (!seg.isEmpty() && !seg.equals("*") && !seg.equals("**")) {
              windowsSegment(path, start, seg, first);
              first = false;
            }
            start = i + 1;
          }
          return path;
        }

        @Override
        public String toString() {
          return "windowsPaths";
        }
      };

  private static void windowsSegment(String path, int at, String seg, boolean first) {
    for (int j = 0; j < seg.length(); j++) {
      char c = seg.charAt(j);
      if ("<>\"|?*".indexOf(c) >= 0) {
        throw new CapabilitySyntaxException(
            path,
            at + j,
            "'" + c + "' is not allowed in a Windows path (a wildcard or redirection)");
      }
      if (c == ':' && !(first && j == 1 && seg.length() == 2 && asciiLetter(seg.charAt(0)))) {
        throw new CapabilitySyntaxException(
            path,
            at + j,
            "':' is only allowed after a drive letter in a Windows path ('a.env::$DATA' opens"
                + " 'a.env')");
      }
      if (c == '~'
          && j + 1 < seg.length()
          && seg.charAt(j + 1) >= '0'
          && seg.charAt(j + 1) <= '9') {
        throw new CapabilitySyntaxException(
            path, at + j, "an 8.3 short name ('PROGRA~1') may name another file's long name");
      }
    }
    int dot = seg.indexOf('.');
    String base = (dot < 0 ? seg : seg.substring(0, dot)).toLowerCase(java.util.Locale.ROOT);
    if (DEVICES.contains(base)) {
      throw new CapabilitySyntaxException(
          path, at, "'" + seg + "' names a Windows device, not a file");
    }
  }

  private static boolean asciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Whether a non-ASCII character turns into a separator, a dot, a colon or a percent sign when
   * some tool normalizes it (NFKC: {@code U+FF0E} fullwidth full stop, {@code U+2215} division
   * slash, {@code U+2025} two-dot leader) or converts it to a Windows code page (the yen and won
   * signs become {@code \}) — the "best-fit" path traversals.
   */
  static boolean readsAsPunctuation(int cp) {
    if (cp == 0xa5 || cp == 0x20a9) {
      return true;
    }
    String k = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
    for (int i = 0; i < k.length(); i++) {
      if ("/\\.:%".indexOf(k.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  static final ResourceCanonicalizer NET =
      new ResourceCanonicalizer() {
        @Override
        public String canonicalize(String path) {
          if (path.equals("*") || path.equals("**")) {
            return path;
          }
          int slash = path.indexOf('/');
          if (slash >= 0) {
            throw new CapabilitySyntaxException(
                path, slash, "a net: resource is host[:port], without '/'");
          }
          return authority(path, 0, path.length(), -1);
        }

        @Override
        public String toString() {
          return "hostPort";
        }
      };

  /** URLs: {@code //host[:port][/path][?query]}. */
  static final class Url implements ResourceCanonicalizer {
    private final int defaultPort;

    Url(int defaultPort) {
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
      out.append(authority(path, 2, end, defaultPort));
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
      return o instanceof Url u && u.defaultPort == defaultPort;
    }

    @Override
    public int hashCode() {
      return defaultPort;
    }

    @Override
    public String toString() {
      return "urls(" + defaultPort + ")";
    }
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

  /**
   * The canonical {@code host[:port]} in {@code path[from, to)}.
   *
   * @param defaultPort the port to drop, or -1
   */
  static String authority(String path, int from, int to, int defaultPort) {
    String a = path.substring(from, to);
    if (a.equals("*") || a.equals("**")) {
      return a;
    }
    int star = a.indexOf('*');
    if (star >= 0) {
      throw new CapabilitySyntaxException(
          path, from + star, "'*' must be a whole segment ('*' or a final '**')");
    }
    int at = a.indexOf('@');
    if (at >= 0) {
      throw new CapabilitySyntaxException(
          path, from + at, "user information ('user@') is not allowed in a resource");
    }
    if (a.isEmpty()) {
      throw new CapabilitySyntaxException(path, from, "expected a host");
    }
    String host;
    int portAt;
    if (a.charAt(0) == '[') {
      int close = a.indexOf(']');
      if (close < 0) {
        throw new CapabilitySyntaxException(path, from, "expected ']' after an IPv6 address");
      }
      host = ipv6(path, from, a.substring(1, close));
      portAt = close + 1;
      if (portAt < a.length() && a.charAt(portAt) != ':') {
        throw new CapabilitySyntaxException(
            path, from + portAt, "expected ':' and a port after an IPv6 address");
      }
    } else {
      int colon = a.lastIndexOf(':');
      portAt = colon < 0 ? a.length() : colon;
      host = hostName(path, from, a.substring(0, portAt));
    }
    String port = "";
    if (portAt < a.length()) {
      String digits = a.substring(portAt + 1);
      if (!digits.isEmpty()) {
        int p = 0;
        for (int i = 0; i < digits.length(); i++) {
          char c = digits.charAt(i);
          if (c < '0' || c > '9' || p > 65535) {
            throw new CapabilitySyntaxException(
                path, from + portAt + 1 + i, "a port is a decimal number from 1 to 65535");
          }
          p = p * 10 + (c - '0');
        }
        if (p < 1 || p > 65535) {
          throw new CapabilitySyntaxException(
              path, from + portAt + 1, "a port is a decimal number from 1 to 65535");
        }
        if (p != defaultPort) {
          port = ":" + p;
        }
      }
    }
    return host + port;
  }

  private static String ipv6(String path, int from, String literal) {
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
        throw new CapabilitySyntaxException(
            path, from + 1 + i, "unexpected character in an IPv6 address (zone ids are refused)");
      }
    }
    InetAddress parsed;
    try {
      // a literal: parsed, never looked up
      parsed = InetAddress.getByName("[" + literal + "]");
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new CapabilitySyntaxException(path, from + 1, "malformed IPv6 address");
    }
    if (!(parsed instanceof Inet6Address)) {
      throw new CapabilitySyntaxException(
          path, from + 1, "an IPv4-mapped IPv6 address is refused: write the IPv4 address");
    }
    return "[" + parsed.getHostAddress() + "]";
  }

  private static String hostName(String path, int from, String host) {
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1); // the root label: the same host
    }
    if (host.isEmpty()) {
      throw new CapabilitySyntaxException(path, from, "expected a host");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c == '\u00df' || c == '\u03c2') {
        throw new CapabilitySyntaxException(
            path,
            from + i,
            "'"
                + c
                + "' is mapped differently by IDNA2003 and IDNA2008: write the host's ASCII form");
      }
      if (c == '%') {
        throw new CapabilitySyntaxException(
            path, from + i, "percent-escapes are not allowed in a host");
      }
    }
    String ascii;
    if (letterDigitHyphen(host)) {
      // what IDN.toASCII checks of an all-ASCII name (STD3 rules), without its cost
      int start = 0;
      for (int i = 0; i <= host.length(); i++) {
        if (i < host.length() && host.charAt(i) != '.') {
          continue;
        }
        int len = i - start;
        if (len == 0 || len > 63 || host.charAt(start) == '-' || host.charAt(i - 1) == '-') {
          throw new CapabilitySyntaxException(
              path,
              from,
              "not a valid host name (a label is empty, longer than 63, or starts or ends with"
                  + " '-')");
        }
        start = i + 1;
      }
      ascii = host.toLowerCase(Locale.ROOT);
    } else {
      try {
        ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        throw new CapabilitySyntaxException(
            path, from, "not a valid host name (" + e.getMessage() + ")");
      }
    }
    if (ascii.isEmpty() || ascii.endsWith(".") || ascii.startsWith(".")) {
      throw new CapabilitySyntaxException(path, from, "not a valid host name (empty label)");
    }
    int lastDot = ascii.lastIndexOf('.');
    String last = ascii.substring(lastDot + 1);
    if (numeric(last)) {
      checkIpv4(path, from, ascii);
    }
    return ascii;
  }

  private static boolean letterDigitHyphen(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!(asciiLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** Whether a WHATWG URL parser would read a host ending in this label as an IPv4 address. */
  private static boolean numeric(String label) {
    if (label.startsWith("0x")) {
      return true;
    }
    for (int i = 0; i < label.length(); i++) {
      if (label.charAt(i) < '0' || label.charAt(i) > '9') {
        return false;
      }
    }
    return !label.isEmpty();
  }

  private static void checkIpv4(String path, int from, String host) {
    String[] parts = host.split("\\.", -1);
    boolean ok = parts.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      String p = parts[i];
      ok = !p.isEmpty() && p.length() <= 3 && (p.length() == 1 || p.charAt(0) != '0');
      for (int j = 0; ok && j < p.length(); j++) {
        ok = p.charAt(j) >= '0' && p.charAt(j) <= '9';
      }
      ok = ok && Integer.parseInt(p) <= 255;
    }
    if (!ok) {
      throw new CapabilitySyntaxException(
          path,
          from,
          "a host that ends in a number is an IPv4 address, and must be written as four decimal"
              + " numbers 0-255 without leading zeros (a.b.c.d)");
    }
  }
}
