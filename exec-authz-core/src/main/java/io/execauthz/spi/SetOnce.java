package io.execauthz.spi;

/**
 * The rule every builder of exec-authz follows — each option is set once, and bounded — in one
 * place for every module: core's builders and those of the modules that plug into it ({@code
 * exec-authz-jwt}, {@code exec-authz-cedar}) use it, so that a second call to an option fails the
 * same way everywhere. It lives in the SPI package because implementations of the SPI are its other
 * users; application code has no need of it.
 *
 * <p>Stateless and thread-safe.
 */
public final class SetOnce {
  private SetOnce() {}

  /**
   * Refuses to set an option a second time.
   *
   * @param current the option's current value; {@code null} while it is unset
   * @param option the option's name, for the message
   * @throws IllegalStateException naming the option if it was set before
   */
  public static void once(Object current, String option) {
    if (current != null) {
      throw new IllegalStateException(option + " was already set");
    }
  }

  /**
   * Checks an option's bounds.
   *
   * @return {@code value}
   * @throws IllegalArgumentException naming the option unless {@code min <= value <= max}
   */
  public static int within(int value, int min, int max, String option) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }
}
