package io.execauthz.cedar.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Java-side scan of Cedar policy text, run before any of it reaches the native parser: splits a
 * source into statements (at {@code ;} outside strings and comments), and refuses text nested
 * deeper than a limit. The native parser recurses on the caller's stack and crashes the whole JVM
 * (about 72 nested parentheses on a 1 MiB stack), so this is the only line of defence.
 *
 * <p>Nesting counts every open {@code (}, {@code [} and {@code {}, plus every {@code if} keyword
 * inside the innermost open bracket (an {@code if} nests without a bracket: {@code if a then if b
 * then …}).
 *
 * <p>Immutable once scanned, so thread-safe.
 */
public final class PolicyText {
  private final String source;
  private final String text;
  private final int[] lineStarts;

  /**
   * One statement of a source: a policy, from its first significant character to its {@code ;}.
   *
   * <p>Immutable, so thread-safe.
   */
  public record Statement(String text, int offset, int line, int column) {}

  /**
   * A problem found by the scan, at a line and column (1-based).
   *
   * <p>Thread-safe once thrown: its fields are final.
   */
  public static final class ScanException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<String> errors;

    ScanException(List<String> errors) {
      super(String.join("; ", errors));
      this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
      return errors;
    }
  }

  public PolicyText(String source, String text) {
    this.source = source;
    this.text = text;
    int[] starts = new int[16];
    int n = 0;
    starts[n++] = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
        }
        starts[n++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, n);
  }

  public String source() {
    return source;
  }

  /** 1-based line of a character offset. */
  public int line(int offset) {
    int i = Arrays.binarySearch(lineStarts, offset);
    return (i >= 0 ? i : -i - 2) + 1;
  }

  /** 1-based column of a character offset. */
  public int column(int offset) {
    return offset - lineStarts[line(offset) - 1] + 1;
  }

  /** {@code source:line:col} of a character offset. */
  public String where(int offset) {
    return source + ":" + line(offset) + ":" + column(offset);
  }

  /**
   * The character offset, in {@code statement}'s text, of a UTF-8 byte offset the native library
   * reported.
   */
  public static int charOffset(String statement, int byteOffset) {
    int bytes = 0;
    for (int i = 0; i < statement.length(); i++) {
      if (bytes >= byteOffset) {
        return i;
      }
      char c = statement.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return statement.length();
  }

  /** Counts the UTF-8 bytes of a string without encoding it. */
  public static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Splits the source into statements, refusing nesting deeper than {@code maxNesting}, strings or
   * comments left open, and unbalanced brackets.
   */
  public List<Statement> statements(int maxNesting) throws ScanException {
    return statements(maxNesting, Integer.MAX_VALUE);
  }

  /**
   * Splits the source into statements as {@link #statements(int)} does, and also refuses a
   * statement whose expressions may nest deeper than {@code maxDepth} levels. The bound counts,
   * along the deepest path, every operator ({@code && || == != < <= > >= + - * ! .} and {@code in
   * has like is if}) and every bracket, taking the largest of the comma-separated items of a list:
   * a chain of 10,000 {@code &&} is 10,000 levels deep, a set of 10,000 names is 2. It is never
   * below the depth of the parsed expression tree (give or take its leaves), so the native parser
   * and serializer, which recurse once per level and crash the JVM when their stack runs out, never
   * see text deeper than this.
   */
  public List<Statement> statements(int maxNesting, int maxDepth) throws ScanException {
    List<Statement> out = new ArrayList<>();
    // per open bracket: operators in the current item, deepest finished item, deepest child
    int[] segOps = new int[maxNesting + 2];
    int[] segMax = new int[maxNesting + 2];
    int[] childMax = new int[maxNesting + 2];
    List<String> errors = new ArrayList<>();
    int[] ifs = new int[maxNesting + 2];
    int[] opens = new int[maxNesting + 2];
    int depth = 0; // open brackets
    int ifTotal = 0; // if keywords inside the open brackets (and at the top)
    int start = -1;
    boolean statementRefused = false;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (start < 0) {
        start = i;
      }
      if (c == '"') {
        int open = i;
        i++;
        while (i < n && text.charAt(i) != '"') {
          if (text.charAt(i) == '\\') {
            i++;
          }
          i++;
        }
        if (i >= n) {
          errors.add(where(open) + ": string not closed");
          break;
        }
        i++;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        depth++;
        if (depth + ifTotal > maxNesting && !statementRefused) {
          errors.add(tooDeep(i, maxNesting));
          statementRefused = true;
        }
        if (depth < opens.length) {
          opens[depth] = i;
          ifs[depth] = 0;
          segOps[depth] = 0;
          segMax[depth] = 0;
          childMax[depth] = 0;
        }
        i++;
        continue;
      }
      if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) {
          errors.add(where(i) + ": '" + c + "' closes nothing");
          statementRefused = true;
        } else {
          if (depth < ifs.length) {
            ifTotal -= ifs[depth];
            int bound = Math.max(segMax[depth], sat(segOps[depth], childMax[depth])) + 1;
            childMax[depth - 1] = Math.max(childMax[depth - 1], bound);
          }
          depth--;
        }
        i++;
        continue;
      }
      if (c == ',' && depth < segOps.length) {
        segMax[depth] = Math.max(segMax[depth], sat(segOps[depth], childMax[depth]));
        segOps[depth] = 0;
        childMax[depth] = 0;
        i++;
        continue;
      }
      if (c == ';' && depth == 0) {
        int bound = Math.max(segMax[0], sat(segOps[0], childMax[0]));
        if (bound > maxDepth && !statementRefused) {
          errors.add(tooDeepExpression(start, bound, maxDepth));
        }
        segOps[0] = 0;
        segMax[0] = 0;
        childMax[0] = 0;
        out.add(statement(start, i + 1));
        start = -1;
        ifTotal = 0;
        statementRefused = false;
        i++;
        continue;
      }
      if (isIdentStart(c)) {
        int s = i;
        while (i < n && isIdentPart(text.charAt(i))) {
          i++;
        }
        if (depth < segOps.length && isKeywordOperator(text, s, i)) {
          segOps[depth]++;
        }
        if (i - s == 2 && text.charAt(s) == 'i' && text.charAt(s + 1) == 'f') {
          ifTotal++;
          if (depth < ifs.length) {
            ifs[depth]++;
          }
          if (depth + ifTotal > maxNesting && !statementRefused) {
            errors.add(tooDeep(s, maxNesting));
            statementRefused = true;
          }
        }
        continue;
      }
      if (isOperator(c)) {
        if (depth < segOps.length) {
          segOps[depth]++;
        }
        // two-character operators count once: && || == != <= >=
        if (i + 1 < n && isSecondOfPair(c, text.charAt(i + 1))) {
          i++;
        }
      }
      i++;
    }
    if (depth > 0 && errors.isEmpty()) {
      int at = depth < opens.length ? opens[depth] : n;
      errors.add(where(at) + ": bracket not closed");
    }
    if (!errors.isEmpty()) {
      throw new ScanException(errors);
    }
    if (start >= 0) {
      int bound = Math.max(segMax[0], sat(segOps[0], childMax[0]));
      if (bound > maxDepth) {
        throw new ScanException(List.of(tooDeepExpression(start, bound, maxDepth)));
      }
      // text after the last ';': hand it to the parser, which names what is missing
      out.add(statement(start, n));
    }
    return out;
  }

  private static int sat(int a, int b) {
    long s = (long) a + b;
    return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) s;
  }

  private static boolean isOperator(char c) {
    return c == '&' || c == '|' || c == '=' || c == '!' || c == '<' || c == '>' || c == '+'
        || c == '-' || c == '*' || c == '.';
  }

  private static boolean isSecondOfPair(char first, char second) {
    return (first == '&' && second == '&')
        || (first == '|' && second == '|')
        || (second == '=' && (first == '=' || first == '!' || first == '<' || first == '>'));
  }

  private static boolean isKeywordOperator(String text, int from, int to) {
    int len = to - from;
    if (len < 2 || len > 4) {
      return false;
    }
    String w = text.substring(from, to);
    return w.equals("in")
        || w.equals("has")
        || w.equals("like")
        || w.equals("is")
        || w.equals("if");
  }

  private String tooDeepExpression(int offset, int bound, int max) {
    return where(offset)
        + ": policy expressions may nest "
        + (bound == Integer.MAX_VALUE ? "too many" : String.valueOf(bound))
        + " levels deep (operators and brackets), over the limit of "
        + max
        + "; too deep to evaluate, refused before parsing";
  }

  private String tooDeep(int offset, int max) {
    return where(offset)
        + ": policy nested deeper than "
        + max
        + " levels (brackets and 'if' expressions); refused before parsing";
  }

  private Statement statement(int from, int to) {
    return new Statement(text.substring(from, to), from, line(from), column(from));
  }

  private static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9');
  }
}
