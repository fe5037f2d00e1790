package io.execauthz.capability;

import java.text.Normalizer;

/**
 * The rules every resource text follows whatever its scheme (CONTRACT §1 "Canonical form"): no
 * character that prints as nothing or as something else, and Unicode NFC.
 *
 * <p>Refused are control characters (C0, DEL, C1), format characters (Unicode category Cf: the
 * bidirectional overrides and isolates, zero-width spaces and joiners, the byte-order mark, the
 * soft hyphen), every space and line or paragraph separator, and unpaired surrogates. Each either
 * hides part of the text from the person reading a log or an approval prompt, or is read
 * differently by different tools (a NUL ends a C string; U+2028 ends a line in JavaScript; a lone
 * surrogate becomes {@code ?} or U+FFFD depending on the encoder). Text not in NFC has another
 * spelling that most file systems and all policy literals treat as different bytes but users see as
 * the same name.
 *
 * <p>Stateless.
 */
final class ResourceText {
  private ResourceText() {}

  /** Whether {@code c} is refused anywhere in a resource: it does not print as itself. */
  static boolean invisible(char c) {
    if (c > ' ' && c < 0x7f) {
      return false;
    }
    if (c <= ' ' || c == 0x7f) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || Character.isWhitespace(c);
  }

  /**
   * Checks {@code text} from {@code from} on, reporting positions in {@code whole} shifted by
   * {@code base}.
   *
   * @throws CapabilitySyntaxException at the first refused character, or where the text first
   *     differs from its NFC form
   */
  static void check(String whole, String text, int from, int base) {
    boolean ascii = true;
    int n = text.length();
    for (int i = from; i < n; i++) {
      char c = text.charAt(i);
      if (c > ' ' && c < 0x7f) {
        continue;
      }
      ascii = false;
      if (invisible(c)) {
        throw new CapabilitySyntaxException(whole, base + i, describe(c) + " is not allowed");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new CapabilitySyntaxException(whole, base + i, "unpaired surrogate is not allowed");
      }
      if (Character.isLowSurrogate(c)) {
        throw new CapabilitySyntaxException(whole, base + i, "unpaired surrogate is not allowed");
      }
    }
    if (ascii) {
      return; // ASCII is always in NFC
    }
    String s = from == 0 ? text : text.substring(from);
    if (!Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
      String nfc = Normalizer.normalize(s, Normalizer.Form.NFC);
      int i = 0;
      while (i < s.length() && i < nfc.length() && s.charAt(i) == nfc.charAt(i)) {
        i++;
      }
      throw new CapabilitySyntaxException(
          whole,
          base + from + i,
          "text is not in Unicode NFC (write it composed, as java.text.Normalizer.Form.NFC does)");
    }
  }

  /** How a refused character is named in a message: its kind and code point. */
  static String describe(char c) {
    String kind;
    if (c == 0) {
      kind = "NUL";
    } else if (Character.getType(c) == Character.CONTROL) {
      kind = "control character";
    } else if (Character.getType(c) == Character.FORMAT) {
      kind = "format character (invisible or bidirectional control)";
    } else if (Character.getType(c) == Character.LINE_SEPARATOR
        || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
      kind = "line or paragraph separator";
    } else {
      kind = "whitespace";
    }
    return kind + " " + String.format("U+%04X", (int) c);
  }
}
