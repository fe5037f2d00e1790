package io.execauthz;

import io.execauthz.internal.Text;

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
    return Text.printable(s);
  }
}
