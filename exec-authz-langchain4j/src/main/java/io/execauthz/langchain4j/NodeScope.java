package io.execauthz.langchain4j;

import dev.langchain4j.invocation.InvocationParameters;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.FanOut;
import io.execauthz.NodeSpec;

/**
 * A child execution node for the length of one sub-agent call: opened under the calling node with
 * narrower capabilities, and completed when the scope closes, so its authority (and its whole
 * subtree's) collapses as soon as the call returns or fails.
 *
 * <pre>{@code
 * @Tool("Researches a question with a sub-agent that may only search")
 * String research(String question, InvocationParameters caller) {
 *   try (NodeScope child = NodeScope.open(graph, caller,
 *       NodeSpec.builder("research-" + n).capabilities("tool.call tool:local/search").build())) {
 *     return researcher.chat(question, child.parameters());
 *   }
 * }
 * }</pre>
 *
 * <p>The parent comes from the caller's own {@link InvocationParameters} (which LangChain4j hands
 * to a tool method that declares them), so a sub-agent can only ever be opened under the node whose
 * call is running; there is no fallback to any other node.
 *
 * <p>A thin holder of core's {@link io.execauthz.NodeScope}, which decides how the node ends, plus
 * the framework's per-call context for the child.
 *
 * <p>Thread-safe: closing twice, or from another thread, completes the node once.
 */
public final class NodeScope implements AutoCloseable {
  private final io.execauthz.NodeScope scope;

  private NodeScope(io.execauthz.NodeScope scope) {
    this.scope = scope;
  }

  /**
   * Spawns {@code spec} as a child of {@code parentId}.
   *
   * @throws ExecutionGraphException if the graph refuses it (a capability the parent lacks, an
   *     ended parent, a limit): the sub-agent does not start
   */
  public static NodeScope open(ExecutionGraph graph, String parentId, NodeSpec spec) {
    return new NodeScope(io.execauthz.NodeScope.open(graph, parentId, spec));
  }

  /**
   * Spawns {@code spec} as a child of the node named in the calling invocation's parameters.
   *
   * @throws IllegalArgumentException if they name no node
   * @throws ExecutionGraphException if the graph refuses the child
   */
  public static NodeScope open(ExecutionGraph graph, InvocationParameters caller, NodeSpec spec) {
    return open(graph, parentOf(caller), spec);
  }

  /**
   * A batch of parallel sub-agents under the node named in the caller's invocation parameters: each
   * task runs in its own child node, and the batch's merge joins them (see {@link FanOut}).
   *
   * @throws IllegalArgumentException if they name no node
   */
  public static <T> FanOut<T> fanOut(ExecutionGraph graph, InvocationParameters caller) {
    return FanOut.under(graph, parentOf(caller));
  }

  private static String parentOf(InvocationParameters caller) {
    return ExecAuthzTools.nodeOf(caller)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "the caller's invocation parameters name no execution node ("
                        + ExecAuthzTools.NODE_PARAMETER
                        + "): a sub-agent is only opened under a node"));
  }

  /** The child node's id. */
  public String nodeId() {
    return scope.nodeId();
  }

  /** Fresh invocation parameters naming the child node, to pass to the sub-agent's call. */
  public InvocationParameters parameters() {
    return ExecAuthzTools.parameters(scope.nodeId());
  }

  /**
   * Completes the child node (a no-op if it already ended). A node still held behind a claim is
   * revoked instead, since it never started; a node the graph has already forgotten has no
   * authority left to end. Never throws, so it never hides the sub-agent's own failure.
   */
  @Override
  public void close() {
    scope.close();
  }

  /**
   * Ends the child because the sub-agent failed: revokes it with a reason naming the failure's type
   * (see {@link io.execauthz.NodeScope#fail}). A no-op once the node has ended. Never throws.
   */
  public void fail(Throwable cause) {
    scope.fail(cause);
  }

  @Override
  public String toString() {
    return "NodeScope[" + scope.nodeId() + "]";
  }
}
