package io.execauthz;

import io.execauthz.ExecutionGraph.Claim;
import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * The structural changes of an {@link ExecutionGraph} — spawn, end, expiry — each made under one
 * lock, in time bounded by what it touches. It owns the live count and the children lists, and
 * composes the graph's parts: the {@link NodeTable}, the {@link GraphLimits}, the {@link
 * ClaimsTable}, the {@link HeldScheduler} and the {@link DeadlineQueue}.
 *
 * <p>The parts, each with one job: {@link NodeSpec} has checked its own input; {@link GraphLimits}
 * holds the guardrails, {@link NodeTable} the nodes by id, {@link ClaimsTable} the active claims,
 * {@link HeldScheduler} the held nodes and when they start, {@link DeadlineQueue} expiry and
 * forgetting; {@link Lineage} and {@link NodeViews} read a node's ancestry; {@link GraphListeners}
 * are told of each end.
 *
 * <p>Thread-safe: changes hold the lock; {@link #get}, {@link #claims} and node states are read
 * without it, and the decision path never waits for it ({@link #heldState}).
 */
final class GraphCore {
  private final ExecutionGraph graph;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final GraphLimits limits;
  private final Duration defaultTtl;
  private final ReentrantLock lock = new ReentrantLock();
  private final NodeTable nodes = new NodeTable();
  private final ClaimsTable claims = new ClaimsTable();
  private final HeldScheduler held = new HeldScheduler(claims);
  private final DeadlineQueue deadlines;
  // guarded by lock
  private int live;
  private long seq;

  GraphCore(ExecutionGraph graph, ExecutionGraphOptions options, InstantSource clock) {
    this.graph = graph;
    this.clock = clock;
    this.random = graph.random();
    this.limits = options.limits();
    this.defaultTtl = options.defaultTtl();
    this.deadlines =
        new DeadlineQueue(options.retention(), n -> end(n, "deadline passed"), nodes::forget);
  }

  Node get(String id) {
    return nodes.get(id);
  }

  Claim[] claims() {
    return claims.snapshot();
  }

  /** Creates a node under {@code parentIds} (none: a root), after every check. */
  Node create(List<String> parentIds, NodeSpec spec) {
    limits.checkSpec(spec);
    lock.lock();
    try {
      Instant now = clock.instant();
      processDue(now);
      if (nodes.get(spec.id()) != null) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "a node with id '" + spec.id() + "' already exists");
      }
      Node[] parents = resolve(parentIds, spec.id());
      Instant deadline;
      String principal = spec.principal();
      TraceContext trace;
      if (parents.length == 0) {
        if (principal == null) {
          throw new ExecutionGraphException(
              GraphError.INVALID, "root node '" + spec.id() + "' needs a principal");
        }
        deadline = now.plus(spec.ttl() == null ? defaultTtl : spec.ttl());
        trace = spec.trace() == null ? TraceContext.newTrace(random) : spec.trace();
      } else {
        deadline = spec.ttl() == null ? Instant.MAX : now.plus(spec.ttl());
        for (Node p : parents) {
          checkParent(p, spec, now);
          if (p.deadline.isBefore(deadline)) {
            deadline = p.deadline;
          }
        }
        principal = principal == null ? parents[0].principal : principal;
        trace =
            spec.trace() != null && spec.trace().traceId().equals(parents[0].trace.traceId())
                ? spec.trace()
                : parents[0].trace.child(random);
      }
      limits.checkLive(live);
      int lineageSize = Lineage.sizeOf(parents, limits.maxLineage());
      limits.checkLineage(lineageSize, spec.id());
      Claim conflict = claims.firstConflict(spec.claims(), parents, now);
      if (conflict != null && !spec.holdOnConflict()) {
        throw new ExecutionGraphException(
            GraphError.CLAIM_CONFLICT,
            "node '"
                + spec.id()
                + "' claims a resource in "
                + conflict.pattern()
                + ", held by node '"
                + conflict.holder().id
                + "'");
      }
      NodeState initial = conflict == null ? NodeState.ACTIVE : NodeState.HELD;
      CapabilitySet caps =
          parents.length == 0 ? spec.capabilities() : shared(spec.capabilities(), parents[0]);
      Node n =
          new Node(
              graph, spec, caps, principal, parents, lineageSize, deadline, trace, ++seq, initial);
      nodes.put(n);
      live++;
      for (int i = 0; i < parents.length; i++) {
        link(parents[i], i, n);
      }
      deadlines.add(n);
      if (initial == NodeState.ACTIVE) {
        claims.add(n);
        n.started.complete(NodeState.ACTIVE);
      } else {
        held.hold(n, conflict.holder());
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  private Node[] resolve(List<String> parentIds, String id) {
    Node[] parents = new Node[parentIds.size()];
    for (int i = 0; i < parents.length; i++) {
      Node p = nodes.get(parentIds.get(i));
      if (p == null) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "unknown parent '" + parentIds.get(i) + "' of node '" + id + "'");
      }
      for (int j = 0; j < i; j++) {
        if (parents[j] == p) {
          throw new ExecutionGraphException(
              GraphError.INVALID, "parent '" + p.id + "' is named twice for node '" + id + "'");
        }
      }
      parents[i] = p;
    }
    return parents;
  }

  private void checkParent(Node p, NodeSpec spec, Instant now) {
    NodeState ps = p.lockedState(now);
    if (ps != NodeState.ACTIVE) {
      throw new ExecutionGraphException(
          GraphError.PARENT_INACTIVE, "parent '" + p.id + "' of node '" + spec.id() + "' is " + ps);
    }
    Optional<Capability> missing = p.capabilities.firstUncovered(spec.capabilities());
    if (missing.isPresent()) {
      throw new ExecutionGraphException(
          GraphError.ATTENUATION,
          "node '"
              + spec.id()
              + "' asks for '"
              + missing.get()
              + "', which parent '"
              + p.id
              + "' does not hold");
    }
    limits.checkParent(p, spec.id());
  }

  /**
   * Ends node {@code id} with {@code to} ({@link NodeState#COMPLETED} or {@link NodeState#REVOKED})
   * and its live subtree with it.
   *
   * @return the node, or {@code null} if it had already ended
   */
  Node end(String id, NodeState to, String reason) {
    lock.lock();
    try {
      Instant now = clock.instant();
      processDue(now);
      Node n = nodes.get(id);
      if (n == null) {
        throw new ExecutionGraphException(GraphError.INVALID, "unknown node '" + id + "'");
      }
      NodeState s = n.lockedState(now);
      if (s == NodeState.HELD && to == NodeState.COMPLETED) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "node '" + id + "' is HELD and has not started; revoke it instead");
      }
      if (s != NodeState.ACTIVE && s != NodeState.HELD) {
        return null;
      }
      n.endReason = reason;
      n.own = to; // the whole subtree reads the end through its lineage from here on
      n.started.complete(to);
      // the bookkeeping: linear in the live part of the subtree, each node's done once ever
      ArrayDeque<Node> stack = new ArrayDeque<>();
      stack.push(n);
      while (!stack.isEmpty()) {
        Node e = stack.pop();
        if (!e.live) {
          continue;
        }
        for (Node c = e.firstChild; c != null; c = c.links[2 * c.parentIndex(e) + 1]) {
          stack.push(c);
        }
        end(e, "parent ended");
      }
      held.settle(now);
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Stops counting one node as live and unlinks it from its parents' children. Under lock. */
  private void end(Node n, String heldReason) {
    if (!n.live) {
      return;
    }
    n.live = false;
    live--;
    for (int i = 0; i < n.parents.length; i++) {
      unlink(n.parents[i], i, n);
    }
    held.ended(n, heldReason);
  }

  /** Processes what has come due (see {@link ExecutionGraph#sweep()}). Under lock. */
  private void processDue(Instant now) {
    boolean forgot = deadlines.processDue(now);
    held.settle(now);
    if (forgot) {
      nodes.shrinkIfSparse();
    }
  }

  void sweep() {
    lock.lock();
    try {
      processDue(clock.instant());
    } finally {
      lock.unlock();
    }
  }

  int liveNodes() {
    lock.lock();
    try {
      processDue(clock.instant());
      return live;
    } finally {
      lock.unlock();
    }
  }

  int knownNodes() {
    lock.lock();
    try {
      return nodes.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The state of a node the authorizer found {@link NodeState#HELD}: when the claim holder it waits
   * on has passed its deadline and the graph has not yet processed that, processes what has come
   * due — but only if the graph's lock is free at once ({@link ReentrantLock#tryLock()}): the
   * decision path never waits for the lock, and a busy graph is about to do the same work itself.
   * Otherwise (or after) the node's state at {@code now}.
   */
  NodeState heldState(Node n, Instant now) {
    Node b = n.blocker;
    if (n.own == NodeState.HELD
        && b != null
        && !now.isBefore(b.deadline)
        && !now.isBefore(deadlines.nextDue())
        && lock.tryLock()) {
      try {
        processDue(clock.instant());
      } finally {
        lock.unlock();
      }
    }
    return n.stateAt(now);
  }

  /**
   * The child's capabilities, made of its parent's very objects where they are equal: children
   * mostly keep some of their parent's capabilities as they are, and a parsed capability's text and
   * segments are most of a node's weight.
   */
  private static CapabilitySet shared(CapabilitySet asked, Node parent) {
    if (asked.equals(parent.capabilities)) {
      return parent.capabilities;
    }
    List<Capability> theirs = parent.capabilities.asList();
    List<Capability> out = new ArrayList<>(asked.size());
    boolean reused = false;
    for (Capability c : asked) {
      int i = theirs.indexOf(c);
      out.add(i < 0 ? c : theirs.get(i));
      reused |= i >= 0;
    }
    return reused ? CapabilitySet.of(out) : asked;
  }

  /**
   * Adds {@code child} at the head of {@code parent}'s children, as its parent number {@code i}.
   */
  private static void link(Node parent, int i, Node child) {
    Node head = parent.firstChild;
    child.links[2 * i] = null;
    child.links[2 * i + 1] = head;
    if (head != null) {
      head.links[2 * head.parentIndex(parent)] = child;
    }
    parent.firstChild = child;
    parent.liveChildren++;
  }

  /** Removes {@code child}, parent number {@code i} of it, from {@code parent}'s children. */
  private static void unlink(Node parent, int i, Node child) {
    Node prev = child.links[2 * i];
    Node next = child.links[2 * i + 1];
    if (prev == null) {
      parent.firstChild = next;
    } else {
      prev.links[2 * prev.parentIndex(parent) + 1] = next;
    }
    if (next != null) {
      next.links[2 * next.parentIndex(parent)] = prev;
    }
    child.links[2 * i] = null;
    child.links[2 * i + 1] = null;
    parent.liveChildren--;
  }
}
