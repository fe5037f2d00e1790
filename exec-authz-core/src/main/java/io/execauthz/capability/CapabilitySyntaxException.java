package io.execauthz.capability;

/**
 * Capability or resource text that does not follow the grammar of CONTRACT §1, or a resource that
 * has no canonical form under its scheme's rules (CONTRACT §1 "Canonical form").
 *
 * <p>The message names what was expected, what was seen and the zero-based {@link #position()} in
 * {@link #input()} where parsing stopped, so a user can find the mistake in a long scenario file.
 * Control, format and separator characters (but the plain space) and surrogates in the quoted input
 * are printed as {@code \}{@code uXXXX} escapes, so that the message itself is safe to log and to
 * show.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public final class CapabilitySyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String input;
  private final int position;
  private final String problem;

  /**
   * A refusal at {@code position} in {@code input}: how a {@link ResourceCanonicalizer} says that a
   * path has no canonical form (positions then count from the start of the path it was given).
   *
   * @param input the text that was being read
   * @param position zero-based index of the mistake in {@code input}
   * @param problem what is wrong, such as {@code "percent-escapes are not allowed in fs: paths"}
   */
  public CapabilitySyntaxException(String input, int position, String problem) {
    super(problem + " at position " + position + " in \"" + escaped(input) + "\"");
    this.input = input;
    this.position = position;
    this.problem = problem;
  }

  /** The text that was being parsed. */
  public String input() {
    return input;
  }

  /** Zero-based index into {@link #input()} where the problem was found. */
  public int position() {
    return position;
  }

  /** What is wrong, without the position and the input. */
  public String problem() {
    return problem;
  }

  private static String escaped(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c != ' ' && ResourceText.invisible(c)) || Character.isSurrogate(c)) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        sb.append(String.format("\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
