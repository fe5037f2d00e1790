package io.execauthz.cedar;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a set of policies may read from a request, derived from each policy's parsed form (never
 * from its text, so <code>context["&#92;u{6e}ow"]</code> is a read of {@code now} like {@code
 * context.now}). The analysis is conservative: whatever it cannot follow — {@code context} used as
 * a whole, a top-level {@code context} attribute the mapping does not send, an operator or function
 * it does not know, a template slot — counts as reading everything of that kind.
 *
 * <p>Why: the decision cache keeps an answer across seconds only when no policy reads the time
 * ({@link #readsTime()}), and a request needs to carry only what some policy may read.
 *
 * <pre>{@code
 * PolicyReads r = engine.policyReads();
 * if (!r.mayReadContext("delegators")) { ... }   // no policy looks at context.delegators
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param allContext whether a policy may read any part of {@code context}
 * @param contextPaths the paths under {@code context} a policy may read, each as the attribute
 *     names from {@code context} down ({@code [args, repo]}, {@code [execution]}); a path covers
 *     everything below it, and reading {@code x has y} counts as reading {@code y}. Empty when
 *     {@code allContext}.
 * @param allEntityAttributes whether a policy may read any attribute of any entity
 * @param entityAttributes the names of the entity attributes a policy may read (of any entity:
 *     {@code principal.team} and {@code context.execution.kind} both count); empty when {@code
 *     allEntityAttributes}
 * @param entityHierarchy whether a policy may test entity ancestry ({@code in}), so that the
 *     lineage sent as entity parents matters
 */
public record PolicyReads(
    boolean allContext,
    Set<List<String>> contextPaths,
    boolean allEntityAttributes,
    Set<String> entityAttributes,
    boolean entityHierarchy) {

  private static final PolicyReads EVERYTHING =
      new PolicyReads(true, Set.of(), true, Set.of(), true);
  private static final PolicyReads NOTHING =
      new PolicyReads(false, Set.of(), false, Set.of(), false);

  /**
   * Copies and normalizes: a path covered by a shorter one is dropped.
   *
   * @throws IllegalArgumentException for an empty path
   */
  public PolicyReads {
    Objects.requireNonNull(contextPaths, "contextPaths");
    Objects.requireNonNull(entityAttributes, "entityAttributes");
    Set<List<String>> copied = new HashSet<>();
    for (List<String> p : contextPaths) {
      if (p.isEmpty()) {
        throw new IllegalArgumentException("a context path names at least one attribute");
      }
      copied.add(List.copyOf(p));
    }
    contextPaths = allContext ? Set.of() : minimal(copied);
    entityAttributes = allEntityAttributes ? Set.of() : Set.copyOf(entityAttributes);
  }

  /** The fallback when nothing is known: reads everything. */
  public static PolicyReads everything() {
    return EVERYTHING;
  }

  /** Reads nothing (an empty policy set, or policies without conditions). */
  public static PolicyReads nothing() {
    return NOTHING;
  }

  /** Whether a policy may read the request time, {@code context.now}. */
  public boolean readsTime() {
    return mayReadContext("now");
  }

  /**
   * Whether a policy may read {@code context} at this path, or anything below or above it: {@code
   * mayReadContext("args")} is true when a policy reads {@code context.args.repo}.
   */
  public boolean mayReadContext(String... path) {
    if (allContext) {
      return true;
    }
    List<String> q = List.of(path);
    for (List<String> p : contextPaths) {
      int n = Math.min(p.size(), q.size());
      if (p.subList(0, n).equals(q.subList(0, n))) {
        return true;
      }
    }
    return false;
  }

  /** Whether a policy may read an entity attribute of this name. */
  public boolean mayReadEntityAttribute(String name) {
    return allEntityAttributes || entityAttributes.contains(name);
  }

  /**
   * The top-level {@code context} attributes a policy may read ({@code args}, {@code execution}):
   * meaningful only when not {@link #allContext()}.
   */
  public Set<String> contextFields() {
    Set<String> out = new HashSet<>();
    for (List<String> p : contextPaths) {
      out.add(p.get(0));
    }
    return Set.copyOf(out);
  }

  /** What either this or {@code other} may read. */
  public PolicyReads union(PolicyReads other) {
    Set<List<String>> paths = new HashSet<>(contextPaths);
    paths.addAll(other.contextPaths);
    Set<String> attrs = new HashSet<>(entityAttributes);
    attrs.addAll(other.entityAttributes);
    return new PolicyReads(
        allContext || other.allContext,
        paths,
        allEntityAttributes || other.allEntityAttributes,
        attrs,
        entityHierarchy || other.entityHierarchy);
  }

  private static Set<List<String>> minimal(Set<List<String>> paths) {
    List<List<String>> out = new ArrayList<>();
    for (List<String> p : paths) {
      boolean covered = false;
      for (int n = 1; n < p.size() && !covered; n++) {
        covered = paths.contains(p.subList(0, n));
      }
      if (!covered) {
        out.add(p);
      }
    }
    return Set.copyOf(out);
  }
}
