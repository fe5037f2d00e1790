package io.execauthz;

import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.internal.Text;
import io.execauthz.spi.SetOnce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a new execution node asks for. Built with {@link #builder(String)}; every option can be set
 * once.
 *
 * <pre>{@code
 * NodeSpec batch = NodeSpec.builder("batch-2")
 *     .kind("batch")
 *     .capabilities("tool.call tool:github/*", "fs.read fs:/repo/**")
 *     .claims("fs:/repo/docs/**")
 *     .ttl(Duration.ofMinutes(10))
 *     .build();
 * }</pre>
 *
 * <p>The spec refuses bad input when it is made (by the builder or the constructor), with {@link
 * ExecutionGraphException}: {@link GraphError#INVALID} for a malformed id, kind, principal,
 * attribute or ttl, {@link GraphError#LIMIT} for more than 64 attributes. Limits that depend on a
 * graph's configuration (capabilities and claims per node, depth, fan-out, lineage) are checked by
 * the graph at spawn.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the node id (letters, digits and {@code . _ - : @ /}; at most 128 characters)
 * @param kind the kind, 1 to 64 letters, digits, {@code _} or {@code -}; {@code task} unless set
 * @param principal the acting identity, 1 to 256 printable ASCII characters without spaces, quotes
 *     or backslashes; {@code null} to keep the parent's (required at a root)
 * @param capabilities what the node asks for; must be covered by every parent's set
 * @param ttl how long the node lives; {@code null} for the parent's remaining time (the graph's
 *     default at a root); always clamped to the parents' deadlines
 * @param claims resources reserved for this node's subtree while it is active
 * @param holdOnConflict when a claim conflicts: {@code true} creates the node {@link
 *     NodeState#HELD}, {@code false} refuses it with {@link GraphError#CLAIM_CONFLICT}
 * @param attributes attributes for policies: at most 64, keys as a kind, values at most 1024 chars
 * @param trace the trace context for a root; {@code null} to start a new trace. Children always
 *     continue their first parent's trace.
 */
public record NodeSpec(
    String id,
    String kind,
    String principal,
    CapabilitySet capabilities,
    Duration ttl,
    List<ResourcePattern> claims,
    boolean holdOnConflict,
    Map<String, String> attributes,
    TraceContext trace) {

  public NodeSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(capabilities, "capabilities");
    claims = List.copyOf(claims);
    attributes = Map.copyOf(attributes);
    checkId(id, "node id");
    checkKind(kind, id);
    checkAttributes(attributes, id);
    if (principal != null) {
      checkPrincipal(principal, id);
    }
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new ExecutionGraphException(
          GraphError.INVALID, "ttl of node '" + id + "' must be positive, was " + ttl);
    }
  }

  /**
   * Checks a node or graph id: 1 to 128 letters, digits or {@code . _ - : @ /}.
   *
   * @throws ExecutionGraphException {@link GraphError#INVALID} naming {@code what}
   */
  static void checkId(String id, String what) {
    if (id.isEmpty() || id.length() > 128) {
      throw new ExecutionGraphException(
          GraphError.INVALID, what + " must be 1 to 128 characters, was " + id.length());
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == ':'
              || c == '@'
              || c == '/';
      if (!ok) {
        throw new ExecutionGraphException(
            GraphError.INVALID,
            what + " '" + Names.printable(id) + "' has a character not allowed at position " + i);
      }
    }
  }

  /** Whether {@code s} is 1 to 64 letters, digits, {@code _} or {@code -}. */
  private static boolean isWord(String s) {
    boolean ok = !s.isEmpty() && s.length() <= 64;
    for (int i = 0; ok && i < s.length(); i++) {
      ok = Text.isWordChar(s.charAt(i));
    }
    return ok;
  }

  private static void checkKind(String kind, String id) {
    if (!isWord(kind)) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "kind '"
              + Names.printable(kind)
              + "' of node '"
              + id
              + "' must be 1 to 64 letters, digits, '_' or '-'");
    }
  }

  private static void checkPrincipal(String p, String id) {
    boolean ok = !p.isEmpty() && p.length() <= 256;
    for (int i = 0; ok && i < p.length(); i++) {
      char c = p.charAt(i);
      ok = c > ' ' && c < 0x7f && c != '"' && c != '\\';
    }
    if (!ok) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "principal '"
              + Names.printable(p)
              + "' of node '"
              + id
              + "' must be 1 to 256 printable ASCII characters without spaces, quotes or"
              + " backslashes");
    }
  }

  private static void checkAttributes(Map<String, String> attributes, String id) {
    if (attributes.size() > 64) {
      throw new ExecutionGraphException(
          GraphError.LIMIT, "node '" + id + "' has more than 64 attributes");
    }
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      if (!isWord(e.getKey()) || e.getValue().length() > 1024) {
        throw new ExecutionGraphException(
            GraphError.INVALID,
            "attribute '"
                + Names.printable(e.getKey())
                + "' of node '"
                + id
                + "': keys are 1 to 64 letters, digits, '_' or '-'; values at most 1024 chars");
      }
    }
  }

  /** Starts a spec for a node with the given id. */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** Builds a {@link NodeSpec}; not thread-safe. */
  public static final class Builder {
    private final String id;
    private String kind;
    private String principal;
    private CapabilitySet capabilities;
    private Duration ttl;
    private List<ResourcePattern> claims;
    private Boolean hold;
    private Map<String, String> attributes;
    private TraceContext trace;

    private Builder(String id) {
      this.id = Objects.requireNonNull(id, "id");
    }

    public Builder kind(String kind) {
      SetOnce.once(this.kind, "kind");
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    public Builder principal(String principal) {
      SetOnce.once(this.principal, "principal");
      this.principal = Objects.requireNonNull(principal, "principal");
      return this;
    }

    public Builder capabilities(CapabilitySet capabilities) {
      SetOnce.once(this.capabilities, "capabilities");
      this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
      return this;
    }

    /** Parses each capability text (CONTRACT §1). */
    public Builder capabilities(String... capabilities) {
      SetOnce.once(this.capabilities, "capabilities");
      return capabilities(CapabilitySet.parse(capabilities));
    }

    /** Parses each capability text (CONTRACT §1). */
    public Builder capabilities(Collection<String> capabilities) {
      SetOnce.once(this.capabilities, "capabilities");
      return capabilities(CapabilitySet.parse(capabilities));
    }

    public Builder ttl(Duration ttl) {
      SetOnce.once(this.ttl, "ttl");
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /** Parses each claim as a resource pattern. */
    public Builder claims(String... claims) {
      return claims(List.of(claims));
    }

    /** Parses each claim as a resource pattern. */
    public Builder claims(Collection<String> claims) {
      SetOnce.once(this.claims, "claims");
      List<ResourcePattern> out = new ArrayList<>(claims.size());
      for (String c : claims) {
        out.add(ResourcePattern.parse(c));
      }
      this.claims = out;
      return this;
    }

    /** On a claim conflict, create the node held instead of refusing it. */
    public Builder holdOnConflict() {
      SetOnce.once(this.hold, "holdOnConflict");
      this.hold = Boolean.TRUE;
      return this;
    }

    public Builder attributes(Map<String, String> attributes) {
      SetOnce.once(this.attributes, "attributes");
      this.attributes = new LinkedHashMap<>(attributes);
      return this;
    }

    public Builder trace(TraceContext trace) {
      SetOnce.once(this.trace, "trace");
      this.trace = Objects.requireNonNull(trace, "trace");
      return this;
    }

    public NodeSpec build() {
      return new NodeSpec(
          id,
          kind == null ? "task" : kind,
          principal,
          capabilities == null ? CapabilitySet.empty() : capabilities,
          ttl,
          claims == null ? List.of() : claims,
          hold != null && hold,
          attributes == null ? Map.of() : attributes,
          trace);
    }
  }
}
