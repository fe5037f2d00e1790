package io.execauthz.springai;

import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.NodeSpec;
import java.util.Map;
import java.util.Objects;
import org.springframework.ai.chat.model.ToolContext;

/**
 * A child execution node for the length of one sub-agent call: opened under the calling node with
 * narrower capabilities, and completed when the scope closes, so its authority (and its whole
 * subtree's) collapses as soon as the call returns or fails.
 *
 * <pre>{@code
 * @Tool(description = "Researches a question with a sub-agent that may only search")
 * String research(String question, ToolContext caller) {
 *   try (NodeScope child = NodeScope.open(graph, caller,
 *       NodeSpec.builder("research-" + n).capabilities("tool.call tool:local/search").build())) {
 *     return researcher.prompt(question)
 *         .tools(tools.visibleTo(child.nodeId()))
 *         .toolContext(child.toolContext())
 *         .call().content();
 *   }
 * }
 * }</pre>
 *
 * <p>The parent comes from the caller's own {@link ToolContext}, so a sub-agent can only ever be
 * opened under the node whose call is running; there is no fallback to any other node.
 *
 * <p>Thread-safe: closing twice, or from another thread, completes the node once.
 */
public final class NodeScope implements AutoCloseable {
  private final ExecutionGraph graph;
  private final String nodeId;

  private NodeScope(ExecutionGraph graph, String nodeId) {
    this.graph = graph;
    this.nodeId = nodeId;
  }

  /**
   * Spawns {@code spec} as a child of {@code parentId}.
   *
   * @throws ExecutionGraphException if the graph refuses it (a capability the parent lacks, an
   *     ended parent, a limit): the sub-agent does not start
   */
  public static NodeScope open(ExecutionGraph graph, String parentId, NodeSpec spec) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(parentId, "parentId");
    Objects.requireNonNull(spec, "spec");
    return new NodeScope(graph, graph.spawn(parentId, spec).id());
  }

  /**
   * Spawns {@code spec} as a child of the node named in the calling tool's context.
   *
   * @throws IllegalArgumentException if it names no node
   * @throws ExecutionGraphException if the graph refuses the child
   */
  public static NodeScope open(ExecutionGraph graph, ToolContext caller, NodeSpec spec) {
    String parent =
        ExecAuthzToolCallbacks.nodeOf(caller)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the caller's tool context names no execution node ("
                            + ExecAuthzToolCallbacks.NODE_KEY
                            + "): a sub-agent is only opened under a node"));
    return open(graph, parent, spec);
  }

  /** The child node's id. */
  public String nodeId() {
    return nodeId;
  }

  /** A tool context naming the child node, for the sub-agent's requests. */
  public Map<String, Object> toolContext() {
    return ExecAuthzToolCallbacks.toolContext(nodeId);
  }

  /**
   * Completes the child node (a no-op if it already ended). A node still held behind a claim is
   * revoked instead, since it never started; a node the graph has already forgotten has no
   * authority left to end. Never throws, so it never hides the sub-agent's own failure.
   */
  @Override
  public void close() {
    try {
      graph.complete(nodeId);
    } catch (ExecutionGraphException held) {
      try {
        graph.revoke(nodeId, "its scope closed before it started");
      } catch (ExecutionGraphException forgotten) {
        // ended and dropped after its retention: nothing left to collapse
      }
    }
  }

  @Override
  public String toString() {
    return "NodeScope[" + nodeId + "]";
  }
}
