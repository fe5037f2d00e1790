package io.execauthz.langchain4j;

/** The one rule every builder here follows: each option is set once. */
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
}
