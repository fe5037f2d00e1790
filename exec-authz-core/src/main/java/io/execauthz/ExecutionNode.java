package io.execauthz;

import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.ResourcePattern;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A unit of work in an {@link ExecutionGraph}: a session, a batch, a task, a sub-agent, a tool
 * call. Everything but {@link #state()} is fixed at spawn; the state is read live.
 *
 * <p>Thread-safe.
 */
public interface ExecutionNode {
  String id();

  /** The kind given at spawn ({@code session}, {@code batch}, {@code task}, {@code merge}, …). */
  String kind();

  /** The parent ids: none at a root, one after a spawn, several after a join. */
  List<String> parents();

  /** 0 at a root; one more than the deepest parent otherwise. */
  int depth();

  /** The identity acting in this node, in text form ({@code user:alice}, {@code agent:x}, …). */
  String principal();

  /** What this node may do; covered by every parent's set. */
  CapabilitySet capabilities();

  /** When this node's authority ends; never after a parent's deadline. */
  Instant deadline();

  /** The resources this node reserves for its subtree while it is active. */
  List<ResourcePattern> claims();

  /** Attributes given at spawn, visible to policies. */
  Map<String, String> attributes();

  /** The node's W3C trace context: its parent's trace, a span of its own. */
  TraceContext trace();

  /**
   * The node's own state now. A node under a revoked or completed ancestor reports that state too;
   * a node past its deadline reports {@link NodeState#EXPIRED}.
   */
  NodeState state();

  /** The node as a policy engine sees it. */
  ExecutionView view();
}
