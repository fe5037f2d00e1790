package io.execauthz.jwt;

/** The rules every builder here follows: each option is set once, and bounded. */
final class SetOnce {
  private SetOnce() {}

  /**
   * @throws IllegalStateException naming the option if it was set before
   */
  static void once(Object current, String option) {
    if (current != null) {
      throw new IllegalStateException(option + " was already set");
    }
  }

  /**
   * @throws IllegalArgumentException naming the option unless {@code min <= value <= max}
   */
  static int within(int value, int min, int max, String option) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }
}
