package io.execauthz.capability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable set of capabilities: what one execution node (or one grant) may do.
 *
 * <pre>{@code
 * CapabilitySet batch = CapabilitySet.parse(List.of("tool.call tool:github/*", "fs.read fs:/repo/**"));
 * batch.allows("tool.call", "tool:github/create_issue"); // true
 * batch.covers(CapabilitySet.parse(List.of("fs.read fs:/repo/src/**"))); // true
 * }</pre>
 *
 * <p>Set {@code A} covers set {@code B} iff every element of {@code B} is covered by some element
 * of {@code A} — the test every spawn, join and attenuation must pass. Iteration order is the order
 * of first appearance; duplicates are dropped.
 *
 * <p>Immutable and thread-safe.
 */
public final class CapabilitySet implements Iterable<Capability> {
  private static final CapabilitySet EMPTY = new CapabilitySet(new Capability[0]);

  private final Capability[] caps;

  private CapabilitySet(Capability[] caps) {
    this.caps = caps;
  }

  /** The empty set, which allows nothing. */
  public static CapabilitySet empty() {
    return EMPTY;
  }

  /** A set of the given capabilities (duplicates dropped). */
  public static CapabilitySet of(Collection<Capability> capabilities) {
    LinkedHashSet<Capability> set = new LinkedHashSet<>();
    for (Capability c : capabilities) {
      set.add(Objects.requireNonNull(c, "capability"));
    }
    return set.isEmpty() ? EMPTY : new CapabilitySet(set.toArray(Capability[]::new));
  }

  /** A set of the given capabilities (duplicates dropped). */
  public static CapabilitySet of(Capability... capabilities) {
    return of(List.of(capabilities));
  }

  /**
   * Parses each text with {@link Capability#parse}.
   *
   * @throws CapabilitySyntaxException for the first malformed entry
   */
  public static CapabilitySet parse(Collection<String> texts) {
    List<Capability> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(Capability.parse(t));
    }
    return of(out);
  }

  /** Shorthand for {@link #parse(Collection)}. */
  public static CapabilitySet parse(String... texts) {
    return parse(List.of(texts));
  }

  /** The number of capabilities. */
  public int size() {
    return caps.length;
  }

  public boolean isEmpty() {
    return caps.length == 0;
  }

  /** The capabilities, in order. */
  public List<Capability> asList() {
    return List.of(caps);
  }

  /** The canonical text of each capability, in order. */
  public List<String> texts() {
    List<String> out = new ArrayList<>(caps.length);
    for (Capability c : caps) {
      out.add(c.toString());
    }
    return out;
  }

  /** Whether some capability here covers {@code capability}. */
  public boolean covers(Capability capability) {
    for (Capability c : caps) {
      if (c.covers(capability)) {
        return true;
      }
    }
    return false;
  }

  /** Whether every capability of {@code other} is covered by one here. */
  public boolean covers(CapabilitySet other) {
    return firstUncovered(other).isEmpty();
  }

  /** The first capability of {@code other} that nothing here covers, if any. */
  public Optional<Capability> firstUncovered(CapabilitySet other) {
    for (Capability c : other.caps) {
      if (!covers(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether some capability here matches the request, constraints not considered.
   *
   * @throws CapabilitySyntaxException if the action or resource is malformed
   */
  public boolean allows(String action, String resource) {
    ActionPattern.checkConcrete(action);
    return !matching(action, ResourcePattern.parseConcrete(resource)).isEmpty();
  }

  /** The capabilities here that match a concrete request, constraints not considered. */
  public List<Capability> matching(String action, ResourcePattern resource) {
    List<Capability> out = null;
    for (Capability c : caps) {
      if (c.matches(action, resource)) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(c);
      }
    }
    return out == null ? List.of() : out;
  }

  /** Whether the resource pattern lies inside the resource of some capability here. */
  public boolean coversResource(ResourcePattern resource) {
    for (Capability c : caps) {
      if (c.resource().covers(resource)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The set allowing exactly what both sets allow, with the stricter constraints where both allow a
   * request. Covered by both operands.
   */
  public CapabilitySet intersect(CapabilitySet other) {
    List<Capability> meets = new ArrayList<>();
    for (Capability a : caps) {
      for (Capability b : other.caps) {
        Capability m = a.meet(b);
        if (m != null) {
          meets.add(m);
        }
      }
    }
    // drop entries another entry already covers (keep the first of equals)
    List<Capability> out = new ArrayList<>();
    for (int i = 0; i < meets.size(); i++) {
      Capability c = meets.get(i);
      boolean redundant = false;
      for (int j = 0; j < meets.size() && !redundant; j++) {
        if (j != i && meets.get(j).covers(c) && (!c.covers(meets.get(j)) || j < i)) {
          redundant = true;
        }
      }
      if (!redundant) {
        out.add(c);
      }
    }
    return of(out);
  }

  @Override
  public Iterator<Capability> iterator() {
    return List.of(caps).iterator();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CapabilitySet s && List.of(s.caps).equals(List.of(caps));
  }

  @Override
  public int hashCode() {
    return List.of(caps).hashCode();
  }

  @Override
  public String toString() {
    return texts().toString();
  }
}
