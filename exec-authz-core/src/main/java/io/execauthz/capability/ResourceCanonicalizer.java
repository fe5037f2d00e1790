package io.execauthz.capability;

import io.execauthz.Reason;

/**
 * Brings the path of one scheme's resources (the text after {@code scheme:}) to its canonical form,
 * or refuses it: the per-scheme half of CONTRACT §1 "Canonical form". Registered in {@link
 * ResourceSchemes}.
 *
 * <p>A canonicalizer sees a path that already follows the rules of every scheme (no control, format
 * or separator characters, no unpaired surrogates, Unicode NFC); what it returns is checked against
 * them and against the path grammar again. It is given patterns as well as requested resources, so
 * it must pass the wildcard segments {@code *} and {@code **} through unchanged.
 *
 * <p>A canonicalizer must be a pure function, idempotent ({@code c(c(p))} equals {@code c(p)}) and
 * thread-safe, and it must never widen: every spelling it maps to one canonical text must name the
 * same thing to the tools that act on it. When in doubt, refuse — a refusal is a deny with {@link
 * Reason#ERROR}, and the caller can retry with the canonical spelling.
 */
@FunctionalInterface
public interface ResourceCanonicalizer {

  /**
   * The canonical form of {@code path}.
   *
   * @param path the text after {@code scheme:}, never empty
   * @return the canonical path (the same text when it already is)
   * @throws CapabilitySyntaxException when the path has no canonical form, with {@link
   *     CapabilitySyntaxException#position()} counted from the start of {@code path}
   */
  String canonicalize(String path);

  /**
   * Whether paths of this scheme begin with {@code //} and an authority ({@code https://host/...}):
   * the two empty segments this spells are then allowed. False by default.
   */
  default boolean authorityForm() {
    return false;
  }

  /**
   * Paths checked by the rules of every scheme only (the default for schemes without their own,
   * such as {@code tool:} and {@code secret:}).
   */
  static ResourceCanonicalizer generic() {
    return Canonicalizers.GENERIC;
  }

  /**
   * File system paths ({@code fs:}): refuses percent-escapes, backslashes, segments ending in
   * {@code .} (Windows drops the dot), and non-ASCII characters that read as {@code /}, {@code \},
   * {@code .}, {@code :} or {@code %} after compatibility normalization (NFKC) or a Windows
   * best-fit code page conversion (fullwidth and small forms, dot leaders, division slash, yen and
   * won signs). With the rules of every scheme and the grammar ({@code .}, {@code ..} and empty
   * segments refused), a path means what it says to tools that decode, convert or normalize it.
   * Never rewrites: a path is canonical or refused.
   */
  static ResourceCanonicalizer fsPaths() {
    return Canonicalizers.FS;
  }

  /**
   * File system paths on Windows: the rules of {@link #fsPaths()}, and also refused: {@code < > " |
   * ? *} inside a segment (Win32 wildcards and redirections), {@code :} anywhere but after a drive
   * letter at the start ({@code a.env::$DATA} is an alternate data stream of {@code a.env}), 8.3
   * short names ({@code PROGRA~1}, which alias long names), and device names ({@code NUL}, {@code
   * CON}, {@code COM1}..., with or without an extension). Register it with {@link
   * ResourceSchemes#caseInsensitive} for {@code fs} on Windows:
   *
   * <pre>{@code
   * ResourceSchemes.defaults().with("fs", ResourceCanonicalizer.windowsPaths()).caseInsensitive("fs")
   * }</pre>
   */
  static ResourceCanonicalizer windowsPaths() {
    return Canonicalizers.WINDOWS;
  }

  /**
   * URLs ({@code http:}, {@code https:} and the like): {@code //host[:port][/path]}. The host is
   * lowercased, an internationalized host name converted to its ASCII form (IDNA, {@link
   * java.net.IDN}), a trailing dot dropped, an IPv6 literal written out in full and {@code
   * defaultPort} dropped. In the path, escapes of unreserved characters are decoded, other escapes
   * written in upper case, other characters not allowed in a URL path percent-encoded as UTF-8, and
   * a root path {@code /} dropped. Refused: user information ({@code user@}), fragments,
   * backslashes, escaped {@code /} or {@code \} in the path, escaped control characters,
   * double-encoded escapes ({@code %252e}), {@code .} and {@code ..} segments (escaped or not, or
   * before {@code ;parameters}: {@code ..;x}), empty segments, host names that are not valid IDNA
   * or could be read as an IPv4 address in more than one way ({@code 127.1}, {@code 0x7f.0.0.1}),
   * and host names with characters IDNA2003 and IDNA2008 map differently ({@code ß}, {@code ς}).
   *
   * @param defaultPort the scheme's default port, dropped when given ({@code 443} for https)
   */
  static ResourceCanonicalizer urls(int defaultPort) {
    if (defaultPort < 1 || defaultPort > 65535) {
      throw new IllegalArgumentException("defaultPort must be 1..65535, was " + defaultPort);
    }
    return new UrlCanonicalizer(defaultPort);
  }

  /**
   * Network endpoints ({@code net:host[:port]}): one segment, the host canonicalized as for {@link
   * #urls} (lowercase, IDNA ASCII form, no trailing dot, IPv6 in full, IPv4 only as four decimal
   * numbers), the port in plain decimal. There is no default port, so none is dropped.
   */
  static ResourceCanonicalizer hostPort() {
    return Canonicalizers.NET;
  }
}
