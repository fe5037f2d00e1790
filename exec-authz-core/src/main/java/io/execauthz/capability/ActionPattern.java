package io.execauthz.capability;

import io.execauthz.internal.Text;
import java.util.Objects;

/**
 * The action half of a capability: {@code *} (every action), an exact dotted verb such as {@code
 * tool.call}, or a prefix {@code fs.*} that matches every action below {@code fs.} ({@code
 * fs.read}, {@code fs.write}, {@code fs.meta.read}) but not {@code fs} itself.
 *
 * <p>Immutable and thread-safe.
 */
public final class ActionPattern {
  private static final ActionPattern ANY = new ActionPattern("*", "", true);

  private final String text;
  // for a prefix pattern "fs.*" the stem is "fs." ; for an exact one the whole verb; "" for "*"
  private final String stem;
  private final boolean wildcard;

  private ActionPattern(String text, String stem, boolean wildcard) {
    this.text = text;
    this.stem = stem;
    this.wildcard = wildcard;
  }

  /**
   * Parses an action pattern.
   *
   * @throws CapabilitySyntaxException naming the offending position
   */
  public static ActionPattern parse(String text) {
    Objects.requireNonNull(text, "text");
    return parse(text, text, 0);
  }

  static ActionPattern parse(String whole, String text, int offset) {
    if (text.equals("*")) {
      return ANY;
    }
    if (text.isEmpty()) {
      throw new CapabilitySyntaxException(whole, offset, "expected an action (e.g. tool.call)");
    }
    boolean prefix = text.endsWith(".*");
    String verb = prefix ? text.substring(0, text.length() - 2) : text;
    int wordStart = 0;
    for (int i = 0; i <= verb.length(); i++) {
      char c = i < verb.length() ? verb.charAt(i) : '.';
      if (c == '.') {
        if (i == wordStart) {
          throw new CapabilitySyntaxException(
              whole, offset + i, "expected a word in the action, found '" + c + "'");
        }
        wordStart = i + 1;
      } else if (!Text.isWordChar(c)) {
        throw new CapabilitySyntaxException(
            whole, offset + i, "unexpected character '" + c + "' in action");
      }
    }
    return prefix
        ? new ActionPattern(text, verb + ".", true)
        : new ActionPattern(text, verb, false);
  }

  /**
   * Validates a concrete action such as {@code tool.call}, as a request names it: an exact dotted
   * verb, no wildcard.
   *
   * @return {@code action}
   * @throws CapabilitySyntaxException if it is malformed or a wildcard
   */
  public static String checkConcrete(String action) {
    Objects.requireNonNull(action, "action");
    ActionPattern p = parse(action);
    if (p.wildcard) {
      throw new CapabilitySyntaxException(
          action, action.length() - 1, "a requested action cannot contain a wildcard");
    }
    return action;
  }

  /** True for {@code *} and {@code prefix.*}. */
  public boolean isWildcard() {
    return wildcard;
  }

  /** Whether this pattern matches the concrete action {@code action}. */
  public boolean matches(String action) {
    if (!wildcard) {
      return stem.equals(action);
    }
    return action.length() > stem.length() && action.startsWith(stem);
  }

  /** Whether every action {@code other} matches is matched by this pattern. */
  public boolean covers(ActionPattern other) {
    if (!wildcard) {
      return !other.wildcard && stem.equals(other.stem);
    }
    if (!other.wildcard) {
      return matches(other.stem);
    }
    return other.stem.startsWith(stem);
  }

  /** The pattern matching exactly the actions both match, or {@code null} when there are none. */
  ActionPattern meet(ActionPattern other) {
    if (covers(other)) {
      return other;
    }
    if (other.covers(this)) {
      return this;
    }
    return null;
  }

  /** Whether some action matches both patterns. */
  public boolean overlaps(ActionPattern other) {
    return meet(other) != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ActionPattern a && a.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The canonical text, which {@link #parse} reads back to an equal pattern. */
  @Override
  public String toString() {
    return text;
  }
}
