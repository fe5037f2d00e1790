package io.execauthz.capability;

import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Hosts and ports, as {@code net:} resources and URLs name them: the canonical {@code host[:port]}
 * — a lower-case ASCII (IDNA) host name, a strict dotted-decimal IPv4 address or a normalized IPv6
 * literal — or a refusal naming the position. Addresses are parsed, never looked up.
 *
 * <p>Stateless and thread-safe.
 */
final class Authorities {
  private Authorities() {}

  /**
   * The canonical {@code host[:port]} in {@code path[from, to)}.
   *
   * @param defaultPort the port to drop, or -1
   */
  static String canonical(String path, int from, int to, int defaultPort) {
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
      if (!(Canonicalizers.asciiLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
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
