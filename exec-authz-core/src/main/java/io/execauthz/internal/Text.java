package io.execauthz.internal;

/**
 * Character rules the API packages share: the one implementation behind {@code Names.printable} and
 * the word characters of actions, kinds and schemes. Here so that {@code io.execauthz.capability}
 * needs nothing from {@code io.execauthz} and no rule is written twice.
 *
 * <p>Stateless and thread-safe.
 */
public final class Text {
  private Text() {}

  /**
   * Caller- or attacker-controlled text cut to 64 characters, control characters replaced by {@code
   * ?}: for error messages and deny details, never for decisions.
   */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 65));
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c < ' ' || c == 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : c);
    }
    return s.length() > 64 ? sb + "…" : sb.toString();
  }

  /** Whether {@code c} is a letter, digit, {@code _} or {@code -}: one character of a word. */
  public static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }
}
