package io.execauthz;

/**
 * Text from callers, made safe to put in a message: the one {@code printable} every module uses.
 *
 * <p>Stateless and thread-safe.
 */
public final class Names {
  private Names() {}

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
}
