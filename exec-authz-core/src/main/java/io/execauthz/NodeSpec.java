package io.execauthz;

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
 * <p>Immutable and thread-safe.
 *
 * @param id the node id (letters, digits and {@code . _ - : @ /}; at most 128 characters)
 * @param kind the kind, {@code task} unless set
 * @param principal the acting identity; {@code null} to keep the parent's (required at a root)
 * @param capabilities what the node asks for; must be covered by every parent's set
 * @param ttl how long the node lives; {@code null} for the parent's remaining time (the graph's
 *     default at a root); always clamped to the parents' deadlines
 * @param claims resources reserved for this node's subtree while it is active
 * @param holdOnConflict when a claim conflicts: {@code true} creates the node {@link
 *     NodeState#HELD}, {@code false} refuses it with {@link GraphError#CLAIM_CONFLICT}
 * @param attributes free-form attributes for policies
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
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new ExecutionGraphException(
          GraphError.INVALID, "ttl of node '" + id + "' must be positive, was " + ttl);
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
