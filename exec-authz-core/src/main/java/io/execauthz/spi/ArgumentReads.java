package io.execauthz.spi;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which top-level arguments a policy engine's answers may depend on: all of them, none, or only
 * some names (a policy reading {@code context.args.repo.owner} depends on {@code repo}).
 *
 * <p>Why: real tool calls carry different arguments almost every time. When no policy reads an
 * argument, two calls that differ only in it get the same answer, so the decision cache keys a
 * request by the arguments the engine reads and nothing else; a policy that reads {@code
 * context.args.repo} caches per repo, not per call.
 *
 * <pre>{@code
 * ArgumentReads.only(Set.of("repo")).mayRead("repo");   // true
 * ArgumentReads.none().union(ArgumentReads.all());     // all
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ArgumentReads {
  private static final ArgumentReads ALL = new ArgumentReads(null);
  private static final ArgumentReads NONE = new ArgumentReads(Set.of());

  private final Set<String> names; // null: every argument

  private ArgumentReads(Set<String> names) {
    this.names = names;
  }

  /** Answers may depend on any argument: the safe default. */
  public static ArgumentReads all() {
    return ALL;
  }

  /** Answers depend on no argument. */
  public static ArgumentReads none() {
    return NONE;
  }

  /** Answers may depend on these top-level arguments only (and on whether each is present). */
  public static ArgumentReads only(Set<String> names) {
    Objects.requireNonNull(names, "names");
    return names.isEmpty() ? NONE : new ArgumentReads(Set.copyOf(names));
  }

  /** Whether answers may depend on every argument. */
  public boolean readsAll() {
    return names == null;
  }

  /** Whether answers may depend on no argument at all. */
  public boolean readsNone() {
    return names != null && names.isEmpty();
  }

  /** Whether answers may depend on the top-level argument of this name. */
  public boolean mayRead(String name) {
    return names == null || names.contains(name);
  }

  /**
   * The names answers may depend on.
   *
   * @throws IllegalStateException when {@link #readsAll()}: there is no finite list
   */
  public Set<String> names() {
    if (names == null) {
      throw new IllegalStateException("reads every argument");
    }
    return names;
  }

  /** What either this or {@code other} may read. */
  public ArgumentReads union(ArgumentReads other) {
    if (names == null || other.names == null) {
      return ALL;
    }
    if (other.names.isEmpty() || names.containsAll(other.names)) {
      return this;
    }
    if (names.isEmpty()) {
      return other;
    }
    Set<String> both = new HashSet<>(names);
    both.addAll(other.names);
    return new ArgumentReads(Set.copyOf(both));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ArgumentReads a && Objects.equals(a.names, names);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(names);
  }

  @Override
  public String toString() {
    return names == null ? "ArgumentReads[all]" : "ArgumentReads" + new java.util.TreeSet<>(names);
  }
}
