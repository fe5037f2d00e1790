package io.execauthz;

import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child execution node for the length of one piece of work — a sub-agent call, one task of a
 * batch, a merge step: opened with narrower authority than its parent, and ended when the work
 * ends, so its authority (and its whole subtree's) collapses then and not at its deadline.
 *
 * <pre>{@code
 * try (NodeScope child = NodeScope.open(graph, "lead",
 *     NodeSpec.builder("research-1").capabilities("tool.call tool:repo/search").build())) {
 *   return researcher.run(question, child.nodeId());   // the sub-agent acts as research-1
 * }                                                     // research-1 is COMPLETED here
 * }</pre>
 *
 * <p>How it ends, per the model (ARCHITECTURE §3): {@link #close()} completes the node (a node
 * still {@link NodeState#HELD} behind a claim never started, so it is revoked instead); {@link
 * #fail(Throwable)} revokes it with a reason naming the failure's type, so the audit trail and any
 * revocation listener (a grant registry) see that the work failed rather than finished. {@link
 * #call} does both for you: it completes the node when the body returns and revokes it when the
 * body throws. Either way nothing the node held outlives the work, and a held sibling waiting on
 * its claims may start.
 *
 * <p>Framework adapters keep their own small scope types (which also carry the framework's per-call
 * context, such as LangChain4j's {@code InvocationParameters} or Spring AI's {@code ToolContext})
 * and delegate to this one.
 *
 * <p>Thread-safe: the node ends once, whichever thread closes or fails it first; later calls are
 * no-ops.
 */
public final class NodeScope implements AutoCloseable {
  private final ExecutionGraph graph;
  private final String nodeId;
  private final AtomicBoolean ended = new AtomicBoolean();

  private NodeScope(ExecutionGraph graph, String nodeId) {
    this.graph = graph;
    this.nodeId = nodeId;
  }

  /** Work done in a node, given the node's id. */
  @FunctionalInterface
  public interface Body<T> {
    /**
     * Does the work as node {@code nodeId}.
     *
     * @throws Exception whatever the work throws; the node is revoked and it is rethrown
     */
    T run(String nodeId) throws Exception;
  }

  /**
   * Spawns {@code spec} as a child of {@code parentId}.
   *
   * @throws ExecutionGraphException if the graph refuses it (a capability the parent lacks, an
   *     ended parent, a claim conflict, a limit): the work does not start
   */
  public static NodeScope open(ExecutionGraph graph, String parentId, NodeSpec spec) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(parentId, "parentId");
    Objects.requireNonNull(spec, "spec");
    return new NodeScope(graph, graph.spawn(parentId, spec).id());
  }

  /**
   * Joins {@code spec} under several parents: a merge node, which gets no more than every one of
   * them ({@link ExecutionGraph#join}).
   *
   * @throws ExecutionGraphException if the graph refuses it (a capability some parent lacks, which
   *     the message names, an ended parent, …)
   */
  public static NodeScope join(ExecutionGraph graph, Collection<String> parentIds, NodeSpec spec) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(parentIds, "parentIds");
    Objects.requireNonNull(spec, "spec");
    return new NodeScope(graph, graph.join(parentIds, spec).id());
  }

  /**
   * Runs {@code body} in a child of {@code parentId}: completes the child when it returns, revokes
   * it when it throws (and rethrows).
   *
   * @throws ExecutionGraphException if the graph refuses the child: the body never runs
   * @throws Exception what the body threw
   */
  public static <T> T call(ExecutionGraph graph, String parentId, NodeSpec spec, Body<T> body)
      throws Exception {
    Objects.requireNonNull(body, "body");
    try (NodeScope scope = open(graph, parentId, spec)) {
      try {
        return body.run(scope.nodeId());
      } catch (Exception | Error e) {
        scope.fail(e);
        throw e;
      }
    }
  }

  /** The node's id: what the work presents as its execution node. */
  public String nodeId() {
    return nodeId;
  }

  /** The node itself (its state read live). */
  public ExecutionNode node() {
    return graph.node(nodeId);
  }

  /**
   * Ends the node because its work failed: revokes it (and its subtree) with the reason {@code
   * failed: <type of cause>} — the type only, since an exception's message may carry data that does
   * not belong in an audit trail. A no-op if the node already ended. Never throws.
   */
  public void fail(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    if (ended.compareAndSet(false, true)) {
      revokeQuietly("failed: " + cause.getClass().getName());
    }
  }

  /**
   * Completes the node (a no-op if it already ended). A node still held behind a claim is revoked
   * instead, since it never started; a node the graph has already forgotten has no authority left
   * to end. Never throws, so it never hides the work's own failure.
   */
  @Override
  public void close() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      graph.complete(nodeId);
    } catch (GraphListenerException listener) {
      // the node is completed all the same; the listener's failure is the graph's to report
    } catch (ExecutionGraphException held) {
      revokeQuietly("its scope closed before it started");
    }
  }

  private void revokeQuietly(String reason) {
    try {
      graph.revoke(nodeId, reason);
    } catch (GraphListenerException listener) {
      // the revocation stands (ExecutionGraph#revoke); the listener's failure is the graph's to
      // report
    } catch (ExecutionGraphException forgotten) {
      // ended and dropped after its retention: nothing left to collapse
    }
  }

  @Override
  public String toString() {
    return "NodeScope[" + nodeId + "]";
  }
}
