package io.execauthz;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a policy engine may know about the execution a request is made in: the node, its lineage and
 * the principals that delegated to it. Built from a graph node in process, or from a verified grant
 * on a tool server.
 *
 * <p>Immutable and thread-safe.
 *
 * @param nodeId the node the request is made on
 * @param kind the node's kind ({@code session}, {@code batch}, {@code task}, …)
 * @param depth 0 at a root; one more than the deepest parent otherwise
 * @param principal the identity acting, in text form ({@code user:alice}, {@code agent:planner},
 *     {@code spiffe://…})
 * @param path node ids from the root to this node (through first parents at merge points)
 * @param lineage this node and every ancestor, each once, the node first
 * @param delegators the principals from the root down to this node, consecutive repeats dropped
 * @param attributes free-form attributes given at spawn, for policies
 * @param capabilities the node's capability set
 * @param deadline when the node's authority ends
 * @param trace the node's trace context
 */
public record ExecutionView(
    String nodeId,
    String kind,
    int depth,
    String principal,
    List<String> path,
    List<Lineage> lineage,
    List<String> delegators,
    Map<String, String> attributes,
    CapabilitySet capabilities,
    Instant deadline,
    TraceContext trace) {

  public ExecutionView {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(capabilities, "capabilities");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(trace, "trace");
    path = List.copyOf(path);
    lineage = List.copyOf(lineage);
    delegators = List.copyOf(delegators);
    attributes = Map.copyOf(attributes);
  }

  /**
   * One node of the lineage, enough to build an entity hierarchy.
   *
   * @param parents the ids of its parents (empty at a root)
   */
  public record Lineage(String id, String kind, int depth, List<String> parents) {
    public Lineage {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      parents = List.copyOf(parents);
    }
  }
}
