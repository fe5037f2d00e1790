package io.execauthz;

/**
 * Capability or resource text that does not follow the grammar of CONTRACT §1.
 *
 * <p>The message names what was expected, what was seen and the zero-based {@link #position()} in
 * {@link #input()} where parsing stopped, so a user can find the mistake in a long scenario file.
 */
public final class CapabilitySyntaxException extends IllegalArgumentException {
  private final String input;
  private final int position;

  CapabilitySyntaxException(String input, int position, String problem) {
    super(problem + " at position " + position + " in \"" + input + "\"");
    this.input = input;
    this.position = position;
  }

  /** The text that was being parsed. */
  public String input() {
    return input;
  }

  /** Zero-based index into {@link #input()} where the problem was found. */
  public int position() {
    return position;
  }
}
