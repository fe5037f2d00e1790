package io.execauthz.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Colour for people at a terminal, and never anywhere else: on only when standard output is a
 * terminal and {@code NO_COLOR} (https://no-color.org) is unset or empty, so CI logs, pipes and
 * files get plain text. Immutable and thread-safe.
 */
final class Ansi {
  static final Ansi OFF = new Ansi(false);
  static final Ansi ON = new Ansi(true);

  private final boolean on;

  private Ansi(boolean on) {
    this.on = on;
  }

  /** Colour for this process: its environment and whether its standard output is a terminal. */
  static Ansi forStdout() {
    return decide(System.getenv(), stdoutIsTerminal());
  }

  /** The rule, on its own so it can be tested: a terminal, and no {@code NO_COLOR}. */
  static Ansi decide(Map<String, String> env, boolean terminal) {
    String noColor = env.get("NO_COLOR");
    boolean off = (noColor != null && !noColor.isEmpty()) || "dumb".equals(env.get("TERM"));
    return terminal && !off ? ON : OFF;
  }

  boolean enabled() {
    return on;
  }

  /**
   * Whether standard output is a terminal. Up to Java 21 a console exists only when both standard
   * input and output are terminals; from Java 22 it may exist for a pipe too, and {@code
   * Console.isTerminal()} says which.
   */
  private static boolean stdoutIsTerminal() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return Boolean.TRUE.equals(isTerminal.invoke(c));
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  String green(String s) {
    return wrap("32", s);
  }

  String red(String s) {
    return wrap("1;31", s);
  }

  String yellow(String s) {
    return wrap("33", s);
  }

  String bold(String s) {
    return wrap("1", s);
  }

  String dim(String s) {
    return wrap("2", s);
  }

  private String wrap(String code, String s) {
    return on ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
  }
}
