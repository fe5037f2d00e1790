package io.execauthz;

import io.execauthz.capability.CapabilitySet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a policy engine may know about the execution a request is made in: the node, its lineage and
 * the principals that delegated to it. Built from a graph node in process, or from a verified grant
 * on a tool server.
 *
 * <p>A view is data, not authority: the authorizer decides only on views it made itself, from a
 * node of its graph or from a grant its configured {@link io.execauthz.spi.GrantSource} verified.
 *
 * <p>Immutable and thread-safe.
 *
 * @param graphId the graph the node belongs to (random per graph unless configured); revocations
 *     and budgets are scoped by it, so two graphs that both name a node {@code session} never meet
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
 * @param budgetScopes for every ancestor level whose capabilities carry a {@code maxCalls} budget,
 *     the capabilities that may bind the node's requests there (its budgeted ones and those that
 *     overlap them): ancestors' budgets bind their whole subtree wherever it is decided
 */
public record ExecutionView(
    String graphId,
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
    TraceContext trace,
    List<BudgetScope> budgetScopes) {

  public ExecutionView {
    Objects.requireNonNull(graphId, "graphId");
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
    budgetScopes = List.copyOf(budgetScopes);
  }

  /**
   * The capabilities of one ancestor level that can spend a budget for this node's requests.
   * Immutable and thread-safe.
   *
   * @param nodeId the ancestor (or, for an attenuated grant, the node the parent grant was for)
   * @param capabilities its budgeted capabilities and those overlapping them
   * @param notAfter that node's deadline: its budget counters must be kept until then, however
   *     short-lived the grant that spends them
   */
  public record BudgetScope(String nodeId, CapabilitySet capabilities, Instant notAfter) {
    public BudgetScope {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(capabilities, "capabilities");
      Objects.requireNonNull(notAfter, "notAfter");
    }
  }

  /**
   * One node of the lineage, enough to build an entity hierarchy. Immutable and thread-safe.
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
