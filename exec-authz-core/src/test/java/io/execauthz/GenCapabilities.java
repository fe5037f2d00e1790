package io.execauthz;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The property suites' own model of the capability grammar (CONTRACT §1), written from the contract
 * rather than from main code, and the seeded generators that draw capabilities, patterns and
 * requests from a tiny alphabet so that overlaps are frequent.
 *
 * <p>Two schemes ({@code fs}, mostly with a leading {@code /}, and {@code tool}), segments from
 * {@code a b c}, five concrete actions. Capabilities carry {@code maxCalls}, {@code approval} and
 * {@code until} at whole seconds, so {@link GenCap#text()} is the canonical text main code prints.
 */
final class GenCapabilities {
  private GenCapabilities() {}

  static final List<String> ACTIONS =
      List.of("fs.read", "fs.write", "fs.meta.read", "tool.call", "tool.list");
  static final List<String> SEGMENTS = List.of("a", "b", "c");

  /** Action texts that must be refused as a requested action. */
  static final List<String> BAD_ACTIONS =
      List.of(
          "",
          " ",
          "fs.",
          ".read",
          "fs..read",
          "fs.*",
          "*",
          "fs read",
          "fs/read",
          "tool.call\n",
          "t\u00f6\u00f6l.call",
          "fs.re*d",
          "tool.call ");

  /** Resource texts that must be refused as a requested resource. */
  static final List<String> BAD_RESOURCES =
      List.of(
          "",
          "fs",
          "fs/a",
          ":a",
          "fs:",
          "fs:/",
          "fs:a//b",
          "fs:/a/./b",
          "fs:../x",
          "fs:/a/..",
          "fs:a/*",
          "fs:**",
          "fs:/a/**",
          "tool:*",
          "tool:a/*/b",
          "fs:/a/b*",
          "fs:a b",
          "fs:a\tb",
          "1fs:a",
          "f s:a",
          "fs:a\u0000b");

  /**
   * A resource pattern: a scheme and the segments before an optional trailing {@code **}. A
   * concrete resource has no {@code *} segment and no {@code **}.
   */
  record GenPattern(String scheme, List<String> fixed, boolean rest) {
    GenPattern {
      fixed = List.copyOf(fixed);
    }

    String text() {
      String path = String.join("/", fixed);
      return scheme + ":" + (rest ? (fixed.isEmpty() ? "**" : path + "/**") : path);
    }

    /** Whether this pattern matches the concrete resource {@code r}. */
    boolean matches(GenPattern r) {
      if (!scheme.equals(r.scheme)
          || (rest ? r.fixed.size() < fixed.size() : r.fixed.size() != fixed.size())) {
        return false;
      }
      for (int i = 0; i < fixed.size(); i++) {
        if (!fixed.get(i).equals("*") && !fixed.get(i).equals(r.fixed.get(i))) {
          return false;
        }
      }
      return true;
    }

    /**
     * The same set of resources without an empty-path {@code **}: {@code s:**} and {@code s:/**}
     * cannot end right there ({@code s:} alone is no resource), so they match what {@code
     * s:*}{@code /**} and {@code s:/*}{@code /**} match.
     */
    GenPattern normalized() {
      if (rest && (fixed.isEmpty() || (fixed.size() == 1 && fixed.get(0).isEmpty()))) {
        List<String> more = new ArrayList<>(fixed);
        more.add("*");
        return new GenPattern(scheme, more, true);
      }
      return this;
    }

    /** Whether every resource {@code o} matches is matched here. */
    boolean covers(GenPattern other) {
      GenPattern o = other.normalized();
      if (!scheme.equals(o.scheme)) {
        return false;
      }
      if (rest ? o.fixed.size() < fixed.size() : o.rest || o.fixed.size() != fixed.size()) {
        return false;
      }
      for (int i = 0; i < fixed.size(); i++) {
        if (!fixed.get(i).equals("*") && !fixed.get(i).equals(o.fixed.get(i))) {
          return false;
        }
      }
      return true;
    }

    /** Whether some concrete resource matches both patterns. */
    boolean overlaps(GenPattern other) {
      if (rest && normalized() != this) {
        return normalized().overlaps(other);
      }
      GenPattern o = other.normalized();
      if (!scheme.equals(o.scheme)) {
        return false;
      }
      int a = fixed.size();
      int b = o.fixed.size();
      boolean lengthsFit =
          rest && o.rest
              || (!rest && !o.rest ? a == b : !rest ? b <= a /* o.rest */ : a <= b /* rest */);
      if (!lengthsFit) {
        return false;
      }
      for (int i = 0; i < Math.min(a, b); i++) {
        String x = fixed.get(i);
        String y = o.fixed.get(i);
        if (!x.equals("*") && !y.equals("*") && !x.equals(y)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return text();
    }
  }

  /**
   * A capability: action pattern text, resource pattern, {@code maxCalls} (-1: none), {@code
   * approval}, {@code until} (null: none).
   */
  record GenCap(
      String action, GenPattern resource, long maxCalls, boolean approval, Instant until) {

    String text() {
      StringBuilder sb = new StringBuilder(action).append(' ').append(resource.text());
      if (maxCalls >= 0) {
        sb.append(" maxCalls=").append(maxCalls);
      }
      if (approval) {
        sb.append(" approval");
      }
      if (until != null) {
        sb.append(" until=").append(until);
      }
      return sb.toString();
    }

    boolean matches(String concreteAction, GenPattern concreteResource) {
      return actionMatches(action, concreteAction) && resource.matches(concreteResource);
    }

    boolean isValidAt(Instant now) {
      return until == null || now.isBefore(until);
    }

    /** CONTRACT §1: action and resource cover, and {@code o}'s constraints are as strict. */
    boolean covers(GenCap o) {
      return actionCovers(action, o.action)
          && resource.covers(o.resource)
          && (maxCalls < 0 || (o.maxCalls >= 0 && o.maxCalls <= maxCalls))
          && (until == null || (o.until != null && !o.until.isAfter(until)))
          && (!approval || o.approval);
    }

    @Override
    public String toString() {
      return text();
    }
  }

  static boolean actionMatches(String pattern, String action) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.endsWith(".*")) {
      String stem = pattern.substring(0, pattern.length() - 1);
      return action.startsWith(stem) && action.length() > stem.length();
    }
    return pattern.equals(action);
  }

  static boolean actionCovers(String a, String b) {
    if (a.equals("*")) {
      return true;
    }
    if (b.equals("*")) {
      return false;
    }
    if (a.endsWith(".*")) {
      String stem = a.substring(0, a.length() - 1);
      return b.startsWith(stem) && b.length() > stem.length();
    }
    return a.equals(b);
  }

  static boolean isRead(String action) {
    return action.equals("read") || action.endsWith(".read");
  }

  /** Whether some capability of {@code caps} matches the concrete request (constraints aside). */
  static boolean anyAllows(List<GenCap> caps, String action, GenPattern resource) {
    for (GenCap c : caps) {
      if (c.matches(action, resource)) {
        return true;
      }
    }
    return false;
  }

  /** CONTRACT §1: a set covers a set iff every element is covered by some element. */
  static GenCap firstUncovered(List<GenCap> parent, List<GenCap> child) {
    for (GenCap c : child) {
      boolean covered = false;
      for (GenCap p : parent) {
        covered |= p.covers(c);
      }
      if (!covered) {
        return c;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- generators

  static <T> T pick(SplittableRandom rnd, List<T> xs) {
    return xs.get(rnd.nextInt(xs.size()));
  }

  static boolean chance(SplittableRandom rnd, double p) {
    return p > 0 && rnd.nextDouble() < p;
  }

  private static String segment(SplittableRandom rnd) {
    return pick(rnd, SEGMENTS);
  }

  /** A random pattern of the scheme: 0–3 segments, some {@code *}, sometimes a final {@code **}. */
  static GenPattern randomPattern(SplittableRandom rnd, String scheme) {
    List<String> fixed = new ArrayList<>();
    if (scheme.equals("fs") && rnd.nextInt(10) < 8) {
      fixed.add(""); // fs:/…
    }
    int extra = rnd.nextInt(4);
    for (int i = 0; i < extra; i++) {
      fixed.add(segment(rnd));
    }
    for (int i = 0; i < fixed.size(); i++) {
      if (chance(rnd, 0.2)) {
        fixed.set(i, "*");
      }
    }
    boolean rest = rnd.nextInt(10) < 5;
    return valid(rnd, scheme, fixed, rest);
  }

  /** Makes {@code fixed} a valid path: not empty and not a lone leading empty segment. */
  private static GenPattern valid(
      SplittableRandom rnd, String scheme, List<String> fixed, boolean rest) {
    if (!rest && (fixed.isEmpty() || (fixed.size() == 1 && fixed.get(0).isEmpty()))) {
      fixed.add(segment(rnd));
    }
    return new GenPattern(scheme, fixed, rest);
  }

  static String randomScheme(SplittableRandom rnd) {
    return rnd.nextInt(3) < 2 ? "fs" : "tool";
  }

  /** A concrete resource, as a request names it. */
  static GenPattern randomResource(SplittableRandom rnd) {
    String scheme = randomScheme(rnd);
    List<String> fixed = new ArrayList<>();
    if (scheme.equals("fs") && rnd.nextInt(10) < 8) {
      fixed.add("");
    }
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      fixed.add(segment(rnd));
    }
    return new GenPattern(scheme, fixed, false);
  }

  /** A concrete resource the pattern matches. */
  static GenPattern instantiate(SplittableRandom rnd, GenPattern p) {
    List<String> fixed = new ArrayList<>(p.fixed());
    for (int i = 0; i < fixed.size(); i++) {
      if (fixed.get(i).equals("*")) {
        fixed.set(
            i,
            i == 0 && p.scheme().equals("fs") && (fixed.size() > 1 || p.rest()) && rnd.nextBoolean()
                ? ""
                : segment(rnd)); // "" only as the first segment, never alone
      }
    }
    if (p.rest()) {
      int more = rnd.nextInt(3);
      for (int i = 0; i < more; i++) {
        fixed.add(segment(rnd));
      }
    }
    if (fixed.isEmpty() || (fixed.size() == 1 && fixed.get(0).isEmpty())) {
      if (!p.rest()) {
        throw new IllegalStateException("cannot instantiate " + p);
      }
      fixed.add(segment(rnd));
    }
    return new GenPattern(p.scheme(), fixed, false);
  }

  /** A concrete action the pattern matches. */
  static String instantiate(SplittableRandom rnd, String actionPattern) {
    List<String> fits = new ArrayList<>();
    for (String a : ACTIONS) {
      if (actionMatches(actionPattern, a)) {
        fits.add(a);
      }
    }
    return fits.isEmpty() ? pick(rnd, ACTIONS) : pick(rnd, fits);
  }

  private static String actionFor(SplittableRandom rnd, String scheme) {
    int r = rnd.nextInt(10);
    if (r == 0) {
      return "*";
    }
    if (scheme.equals("fs")) {
      return pick(rnd, List.of("fs.*", "fs.*", "fs.read", "fs.write", "fs.meta.read"));
    }
    return pick(rnd, List.of("tool.*", "tool.call", "tool.call", "tool.list"));
  }

  /** A random capability, constraints drawn with the given rates. */
  static GenCap randomCap(
      SplittableRandom rnd,
      Instant now,
      double maxCallsRate,
      double approvalRate,
      double untilRate) {
    String scheme = randomScheme(rnd);
    return new GenCap(
        actionFor(rnd, scheme),
        randomPattern(rnd, scheme),
        chance(rnd, maxCallsRate) ? rnd.nextInt(6) : -1,
        chance(rnd, approvalRate),
        chance(rnd, untilRate) ? later(rnd, now, 60) : null);
  }

  private static Instant later(SplittableRandom rnd, Instant now, int maxMinutes) {
    return now.plusSeconds(60L * (1 + rnd.nextInt(maxMinutes)));
  }

  /** A pattern every resource of which {@code p} matches: never wider. */
  static GenPattern narrowPattern(SplittableRandom rnd, GenPattern p) {
    List<String> fixed = new ArrayList<>(p.fixed());
    boolean rest = p.rest();
    int moves = rnd.nextInt(3);
    for (int m = 0; m < moves; m++) {
      int kind = rnd.nextInt(3);
      if (kind == 0 && fixed.contains("*")) {
        int i = fixed.indexOf("*");
        boolean mayBeEmpty = i == 0 && p.scheme().equals("fs") && (fixed.size() > 1 || rest);
        fixed.set(i, mayBeEmpty && rnd.nextBoolean() ? "" : segment(rnd));
      } else if (kind == 1 && rest) {
        fixed.add(rnd.nextInt(4) == 0 ? "*" : segment(rnd)); // still rest: narrower
      } else if (kind == 2 && rest) {
        rest = false; // "x/**" ⊇ "x" and "x/…"
        if (rnd.nextBoolean() || fixed.isEmpty() || (fixed.size() == 1 && fixed.get(0).isEmpty())) {
          fixed.add(segment(rnd));
        }
      }
    }
    return new GenPattern(p.scheme(), fixed, rest);
  }

  /** A capability {@code parent} covers. */
  static GenCap narrow(SplittableRandom rnd, GenCap parent, Instant now, double addBudgetRate) {
    String action = parent.action();
    if (action.equals("*") && rnd.nextInt(3) > 0) {
      action = actionFor(rnd, parent.resource().scheme());
    }
    if (action.endsWith(".*") && rnd.nextBoolean()) {
      action = instantiate(rnd, action);
    }
    long maxCalls = parent.maxCalls();
    if (maxCalls >= 0 && rnd.nextBoolean()) {
      maxCalls = rnd.nextInt((int) Math.min(maxCalls, 100) + 1);
    } else if (maxCalls < 0 && chance(rnd, addBudgetRate)) {
      maxCalls = rnd.nextInt(5);
    }
    boolean approval = parent.approval() || rnd.nextInt(10) == 0;
    Instant until = parent.until();
    if (until != null && rnd.nextInt(3) == 0) {
      until = until.minusSeconds(60L * rnd.nextInt(10));
    } else if (until == null && rnd.nextInt(10) == 0) {
      until = later(rnd, now, 40);
    }
    return new GenCap(action, narrowPattern(rnd, parent.resource()), maxCalls, approval, until);
  }

  /** A capability that is usually not covered by {@code c}: one constraint or pattern loosened. */
  static GenCap widen(SplittableRandom rnd, GenCap c, Instant now) {
    switch (rnd.nextInt(6)) {
      case 0:
        if (!c.action().equals("*")) {
          String a = c.action().endsWith(".*") ? "*" : c.action().replaceAll("\\.[^.]*$", ".*");
          return new GenCap(a, c.resource(), c.maxCalls(), c.approval(), c.until());
        }
        return widen(rnd, c, now);
      case 1:
        return new GenCap(c.action(), widenPattern(rnd, c.resource()), -1, false, null);
      case 2:
        return new GenCap(
            c.action(),
            c.resource(),
            c.maxCalls() < 0 ? -1 : c.maxCalls() + 1 + rnd.nextInt(3),
            c.approval(),
            c.until());
      case 3:
        return new GenCap(c.action(), c.resource(), -1, false, c.until());
      case 4:
        return new GenCap(
            c.action(),
            c.resource(),
            c.maxCalls(),
            c.approval(),
            c.until() == null ? null : c.until().plus(Duration.ofMinutes(1 + rnd.nextInt(30))));
      default:
        return randomCap(rnd, now, 0.2, 0.1, 0.1);
    }
  }

  /** A pattern that is usually wider than {@code p}. */
  static GenPattern widenPattern(SplittableRandom rnd, GenPattern p) {
    List<String> fixed = new ArrayList<>(p.fixed());
    int concrete = -1;
    for (int i = 0; i < fixed.size(); i++) {
      if (!fixed.get(i).equals("*")) {
        concrete = i;
      }
    }
    if (concrete >= 0 && rnd.nextBoolean()) {
      fixed.set(concrete, "*");
      return new GenPattern(p.scheme(), fixed, p.rest());
    }
    int keep = fixed.isEmpty() ? 0 : rnd.nextInt(fixed.size());
    return new GenPattern(p.scheme(), fixed.subList(0, keep), true);
  }
}
