package io.execauthz.capability;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One unit of authority: an action pattern on a resource pattern, with optional constraints that
 * can only tighten on descent.
 *
 * <pre>{@code
 * Capability c = Capability.parse("fs.* fs:/repo/** maxCalls=10 approval");
 * c.covers(Capability.parse("fs.write fs:/repo/src/** maxCalls=3 approval")); // true
 * }</pre>
 *
 * <p>Text form (CONTRACT §1): {@code action resource [maxCalls=N] [approval]
 * [until=RFC3339-instant]}. {@link #toString()} prints the canonical form (constraints in that
 * order, single spaces, {@code until} in UTC), and {@code parse(c.toString())} equals {@code c}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Capability {
  private final ActionPattern action;
  private final ResourcePattern resource;
  private final long maxCalls; // -1: no budget
  private final boolean approval;
  private final Instant until; // null: no limit
  private final String text;

  private Capability(
      ActionPattern action,
      ResourcePattern resource,
      long maxCalls,
      boolean approval,
      Instant until) {
    this.action = action;
    this.resource = resource;
    this.maxCalls = maxCalls;
    this.approval = approval;
    this.until = until;
    StringBuilder sb = new StringBuilder().append(action).append(' ').append(resource);
    if (maxCalls >= 0) {
      sb.append(" maxCalls=").append(maxCalls);
    }
    if (approval) {
      sb.append(" approval");
    }
    if (until != null) {
      sb.append(" until=").append(until);
    }
    this.text = sb.toString();
  }

  /** A capability without constraints. */
  public static Capability of(ActionPattern action, ResourcePattern resource) {
    return new Capability(
        Objects.requireNonNull(action, "action"),
        Objects.requireNonNull(resource, "resource"),
        -1,
        false,
        null);
  }

  /**
   * Parses the text form.
   *
   * @throws CapabilitySyntaxException naming the offending position
   */
  public static Capability parse(String text) {
    Objects.requireNonNull(text, "text");
    int[] pos = {0};
    String actionText = token(text, pos);
    if (actionText == null) {
      throw new CapabilitySyntaxException(text, pos[0], "expected an action (e.g. tool.call)");
    }
    ActionPattern action = ActionPattern.parse(text, actionText, pos[0] - actionText.length());
    String resourceText = token(text, pos);
    if (resourceText == null) {
      throw new CapabilitySyntaxException(
          text, pos[0], "expected a resource (e.g. tool:github/*) after the action");
    }
    ResourcePattern resource =
        ResourcePattern.parse(text, resourceText, pos[0] - resourceText.length(), true);
    long maxCalls = -1;
    boolean approval = false;
    Instant until = null;
    String c;
    while ((c = token(text, pos)) != null) {
      int at = pos[0] - c.length();
      if (c.startsWith("maxCalls=")) {
        if (maxCalls >= 0) {
          throw new CapabilitySyntaxException(text, at, "duplicate constraint maxCalls");
        }
        String digits = c.substring("maxCalls=".length());
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
          throw new CapabilitySyntaxException(
              text, at + 9, "expected digits after maxCalls=, found '" + digits + "'");
        }
        try {
          maxCalls = Long.parseLong(digits);
        } catch (NumberFormatException e) {
          throw new CapabilitySyntaxException(text, at + 9, "maxCalls is too large");
        }
      } else if (c.equals("approval")) {
        if (approval) {
          throw new CapabilitySyntaxException(text, at, "duplicate constraint approval");
        }
        approval = true;
      } else if (c.startsWith("until=")) {
        if (until != null) {
          throw new CapabilitySyntaxException(text, at, "duplicate constraint until");
        }
        try {
          until = OffsetDateTime.parse(c.substring("until=".length())).toInstant();
        } catch (DateTimeParseException e) {
          throw new CapabilitySyntaxException(
              text,
              at + 6,
              "expected an RFC 3339 instant after until= (e.g. 2026-01-01T00:00:00Z)");
        }
        if (!isPrintable(until)) {
          throw new CapabilitySyntaxException(
              text, at + 6, "until is out of range once converted to UTC");
        }
      } else {
        throw new CapabilitySyntaxException(
            text, at, "unknown constraint '" + c + "' (expected maxCalls=N, approval or until=…)");
      }
    }
    return new Capability(action, resource, maxCalls, approval, until);
  }

  // the instants whose UTC text parse() reads back (OffsetDateTime's year range)
  private static boolean isPrintable(Instant instant) {
    return !instant.isBefore(LocalDateTime.MIN.toInstant(ZoneOffset.UTC))
        && !instant.isAfter(LocalDateTime.MAX.toInstant(ZoneOffset.UTC));
  }

  private static String token(String s, int[] pos) {
    int i = pos[0];
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    if (i == s.length()) {
      pos[0] = i;
      return null;
    }
    int start = i;
    while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
      i++;
    }
    pos[0] = i;
    return s.substring(start, i);
  }

  public ActionPattern action() {
    return action;
  }

  public ResourcePattern resource() {
    return resource;
  }

  /** The call budget, if any. */
  public OptionalLong maxCalls() {
    return maxCalls < 0 ? OptionalLong.empty() : OptionalLong.of(maxCalls);
  }

  /** Whether each use needs an approval given with the request. */
  public boolean requiresApproval() {
    return approval;
  }

  /** The instant after which this capability no longer allows anything, if any. */
  public Optional<Instant> until() {
    return Optional.ofNullable(until);
  }

  /** A copy with a call budget; refuses to loosen an existing one. */
  public Capability withMaxCalls(long calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("maxCalls must be >= 0, was " + calls);
    }
    return new Capability(
        action, resource, maxCalls < 0 ? calls : Math.min(maxCalls, calls), approval, until);
  }

  /** A copy that needs approval. */
  public Capability withApproval() {
    return new Capability(action, resource, maxCalls, true, until);
  }

  /** A copy that ends at {@code instant} (or earlier if it already did). */
  public Capability withUntil(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    Instant u = until == null || instant.isBefore(until) ? instant : until;
    if (!isPrintable(u)) {
      throw new IllegalArgumentException("until out of range: " + instant);
    }
    return new Capability(action, resource, maxCalls, approval, u);
  }

  /**
   * Whether this capability covers {@code other}: every request {@code other} allows is allowed
   * here, and {@code other}'s constraints are at least as strict.
   */
  public boolean covers(Capability other) {
    return action.covers(other.action)
        && resource.covers(other.resource)
        && (maxCalls < 0 || (other.maxCalls >= 0 && other.maxCalls <= maxCalls))
        && (until == null || (other.until != null && !other.until.isAfter(until)))
        && (!approval || other.approval);
  }

  /**
   * Whether the action and resource fall inside this capability (constraints not considered).
   *
   * @param resource a concrete resource, as {@link ResourcePattern#parseConcrete} gives
   */
  public boolean matches(String action, ResourcePattern resource) {
    return this.action.matches(action) && this.resource.covers(resource);
  }

  /** Whether this capability still allows anything at {@code now}. */
  public boolean isValidAt(Instant now) {
    return until == null || now.isBefore(until);
  }

  /** The capability allowing exactly what both allow, with the stricter constraints; or null. */
  Capability meet(Capability other) {
    ActionPattern a = action.meet(other.action);
    if (a == null) {
      return null;
    }
    ResourcePattern r = resource.meet(other.resource);
    if (r == null) {
      return null;
    }
    long m =
        maxCalls < 0
            ? other.maxCalls
            : other.maxCalls < 0 ? maxCalls : Math.min(maxCalls, other.maxCalls);
    Instant u =
        until == null
            ? other.until
            : other.until == null || until.isBefore(other.until) ? until : other.until;
    return new Capability(a, r, m, approval || other.approval, u);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Capability c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The canonical text form. */
  @Override
  public String toString() {
    return text;
  }
}
