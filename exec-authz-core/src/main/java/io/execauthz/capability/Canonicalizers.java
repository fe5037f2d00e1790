package io.execauthz.capability;

import java.text.Normalizer;

/**
 * The built-in {@link ResourceCanonicalizer}s for paths and host names ({@code fs:}, Windows paths,
 * {@code net:}); URLs are {@link UrlCanonicalizer}'s, hosts and ports {@link Authorities}'. Each is
 * stateless and thread-safe.
 */
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

  static boolean asciiLetter(char c) {
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
          return Authorities.canonical(path, 0, path.length(), -1);
        }

        @Override
        public String toString() {
          return "hostPort";
        }
      };
}
