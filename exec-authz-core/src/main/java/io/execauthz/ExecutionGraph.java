package io.execauthz;

import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.GraphListener;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * The execution graph: nodes whose capability sets only narrow on descent, whose deadlines never
 * outlive their parents', and whose authority collapses for a whole subtree at once.
 *
 * <pre>{@code
 * ExecutionGraph graph = ExecutionGraph.newBuilder().build();
 * graph.spawn(NodeSpec.builder("session").principal("user:alice")
 *     .capabilities("tool.call tool:**", "fs.* fs:/repo/**").ttl(Duration.ofHours(1)).build());
 * graph.spawn("session", NodeSpec.builder("batch-1").kind("batch")
 *     .capabilities("fs.read fs:/repo/**").build());
 * graph.revoke("session", "incident"); // batch-1 is revoked with it
 * }</pre>
 *
 * <p><b>Claims.</b> A node may reserve resources for its subtree ({@link NodeSpec#claims()}). A
 * spawn whose claims overlap an active claim of a node that is neither its ancestor nor its
 * descendant is refused ({@link GraphError#CLAIM_CONFLICT}) or, with {@link
 * NodeSpec#holdOnConflict()}, created {@link NodeState#HELD}: it starts by itself as soon as no
 * conflicting claim remains, and is {@link NodeState#CANCELLED} if its parent ends first.
 *
 * <p><b>Time.</b> Deadlines come from the injected {@link InstantSource}. Expiry is observed
 * lazily: a node past its deadline is denied at once; its claims are released, and held nodes
 * waiting on them started, at the next graph operation or {@link #sweep()} (or when the authorizer
 * is asked about such a held node and the lock is free).
 *
 * <p><b>Forgetting.</b> An ended or expired node is remembered for its deadline plus the
 * {@linkplain Builder#retention retention} (5 minutes by default), then forgotten: {@link #find} is
 * empty, the authorizer denies with {@link Reason#UNKNOWN_NODE}, the id may be spawned again.
 * Nothing else keeps it: a graph that spawns and ends millions of nodes holds only its live ones
 * and those within retention.
 *
 * <p><b>Costs.</b> Every operation starts by processing what has come due on a deadline-ordered
 * queue (expiries, forgettings): O(log n) per event, never a scan. Spawn is O(parents + claims +
 * lineage of a join); a node's memory is O(1) in its depth and fan-out (see {@link
 * Builder#maxLineage} for what bounds a request's cost); complete and revoke are linear in the live
 * part of the subtree they end, each node's bookkeeping done once in its life. Held nodes are tried
 * again only when the holder they wait on ends.
 *
 * <p>Thread-safe: structural changes are serialized on one lock; reads of a node's state (and so
 * every {@link Authorizer#authorize}) never wait for it. Once {@link #revoke} or {@link #complete}
 * returns (or throws {@link GraphListenerException}), every later read of the subtree's state sees
 * it.
 */
public final class ExecutionGraph {
  private static final System.Logger LOG = System.getLogger(ExecutionGraph.class.getName());

  /** How long ended nodes are remembered after their deadline unless configured. */
  static final Duration DEFAULT_RETENTION = Duration.ofMinutes(5);

  /** The most nodes in one lineage unless configured: see {@link Builder#maxLineage}. */
  static final int DEFAULT_MAX_LINEAGE = 64;

  /** A claim held by an active node. */
  record Claim(Node holder, ResourcePattern pattern) {}

  private final String id;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final BudgetLedger ledger;
  private final int maxDepth;
  private final int maxFanOut;
  private final int maxLiveNodes;
  private final int maxCapabilities;
  private final int maxClaims;
  private final Duration defaultTtl;
  private final List<GraphListener> listeners;

  private final Duration retention;
  private final int maxLineage;

  // replaced (under lock) by a smaller copy when most of its entries have been forgotten, since a
  // hash table never shrinks; read without the lock
  private volatile ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private int live;
  private long seq;
  private int nodesHighWater;
  // every node once, by when it must next be looked at: its deadline, then its deadline plus the
  // retention (when it is forgotten); replaced by a smaller copy as the node map is
  private PriorityQueue<Node> queue = new PriorityQueue<>(BY_DUE);
  private int queueHighWater;
  // held nodes whose blocker ended: to be tried again before the operation returns
  private final List<Node> unblocked = new ArrayList<>();
  private boolean claimsChanged;
  // the queue's earliest time, for the authorizer's lock-free look at held nodes
  private volatile Instant nextDue = Instant.MAX;
  // replaced (never mutated) under lock; read without it
  private volatile Claim[] claims = new Claim[0];

  private static final Comparator<Node> BY_DUE =
      Comparator.<Node, Instant>comparing(n -> n.due).thenComparingLong(n -> n.seq);

  private ExecutionGraph(Builder b) {
    // time never runs backwards for a graph: an expiry, once observed, is permanent
    this.clock = new MonotonicClock(b.clock == null ? InstantSource.system() : b.clock);
    this.random = b.random == null ? new SecureRandom() : b.random;
    this.id = b.id == null ? randomId(random) : b.id;
    this.ledger = b.ledger == null ? BudgetLedger.inMemory(clock) : b.ledger;
    this.maxDepth = b.maxDepth == null ? 32 : b.maxDepth;
    this.maxFanOut = b.maxFanOut == null ? 1_000 : b.maxFanOut;
    this.maxLiveNodes = b.maxLiveNodes == null ? 100_000 : b.maxLiveNodes;
    this.maxCapabilities = b.maxCapabilities == null ? 256 : b.maxCapabilities;
    this.maxClaims = b.maxClaims == null ? 64 : b.maxClaims;
    this.defaultTtl = b.defaultTtl == null ? Duration.ofHours(1) : b.defaultTtl;
    this.retention = b.retention == null ? DEFAULT_RETENTION : b.retention;
    this.maxLineage = b.maxLineage == null ? DEFAULT_MAX_LINEAGE : b.maxLineage;
    this.listeners = List.copyOf(b.listeners);
  }

  /** Starts configuring a graph; every option has a safe default. */
  public static Builder newBuilder() {
    return new Builder();
  }

  Instant now() {
    return clock.instant();
  }

  /**
   * This graph's id: random unless configured. Revocations and budgets are scoped by it, so nodes
   * of two graphs that share an id never meet (in a registry or a ledger shared by processes).
   */
  public String id() {
    return id;
  }

  /** Where this graph's {@code maxCalls} budgets are counted. */
  public BudgetLedger budgetLedger() {
    return ledger;
  }

  private static String randomId(RandomGenerator random) {
    return String.format("g-%016x%016x", random.nextLong(), random.nextLong());
  }

  InstantSource clock() {
    return clock;
  }

  RandomGenerator random() {
    return random;
  }

  /**
   * Creates a root node. Its principal is required; its ttl defaults to the graph's default ttl.
   *
   * @throws ExecutionGraphException with {@link GraphError#INVALID} for a bad or duplicate id,
   *     {@link GraphError#LIMIT} at a guardrail, {@link GraphError#CLAIM_CONFLICT} for a claim that
   *     overlaps an active one
   */
  public ExecutionNode spawn(NodeSpec spec) {
    return create(List.of(), spec);
  }

  /**
   * Creates a child of {@code parentId}, which must be active and must cover every capability the
   * child asks for.
   *
   * @throws ExecutionGraphException with {@link GraphError#ATTENUATION} naming the capability the
   *     parent lacks, {@link GraphError#PARENT_INACTIVE}, {@link GraphError#CLAIM_CONFLICT}, {@link
   *     GraphError#LIMIT} or {@link GraphError#INVALID}
   */
  public ExecutionNode spawn(String parentId, NodeSpec spec) {
    Objects.requireNonNull(parentId, "parentId");
    return create(List.of(parentId), spec);
  }

  /**
   * Creates a merge node under several parents. It gets no more than every one of them: each
   * capability it asks for must be covered by every parent's set, and its deadline is the earliest
   * of theirs. Its principal defaults to the first parent's.
   *
   * @throws ExecutionGraphException as {@link #spawn(String, NodeSpec)} does
   */
  public ExecutionNode join(Collection<String> parentIds, NodeSpec spec) {
    Objects.requireNonNull(parentIds, "parentIds");
    if (parentIds.isEmpty()) {
      throw new ExecutionGraphException(
          GraphError.INVALID, "join of node '" + spec.id() + "' needs at least one parent");
    }
    return create(List.copyOf(parentIds), spec);
  }

  private ExecutionNode create(List<String> parentIds, NodeSpec spec) {
    Objects.requireNonNull(spec, "spec");
    checkId(spec.id(), "node id");
    checkKind(spec);
    checkAttributes(spec);
    if (spec.capabilities().size() > maxCapabilities) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + spec.id()
              + "' asks for "
              + spec.capabilities().size()
              + " capabilities; the limit is "
              + maxCapabilities);
    }
    if (spec.claims().size() > maxClaims) {
      throw new ExecutionGraphException(
          GraphError.LIMIT,
          "node '"
              + spec.id()
              + "' makes "
              + spec.claims().size()
              + " claims; the limit is "
              + maxClaims);
    }
    for (ResourcePattern claim : spec.claims()) {
      if (!spec.capabilities().coversResource(claim)) {
        throw new ExecutionGraphException(
            GraphError.ATTENUATION,
            "node '" + spec.id() + "' claims " + claim + ", which none of its capabilities covers");
      }
    }
    lock.lock();
    try {
      Instant now = clock.instant();
      processDue(now);
      if (nodes.containsKey(spec.id())) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "a node with id '" + spec.id() + "' already exists");
      }
      Node[] parents = new Node[parentIds.size()];
      for (int i = 0; i < parents.length; i++) {
        Node p = nodes.get(parentIds.get(i));
        if (p == null) {
          throw new ExecutionGraphException(
              GraphError.INVALID,
              "unknown parent '" + parentIds.get(i) + "' of node '" + spec.id() + "'");
        }
        for (int j = 0; j < i; j++) {
          if (parents[j] == p) {
            throw new ExecutionGraphException(
                GraphError.INVALID,
                "parent '" + p.id + "' is named twice for node '" + spec.id() + "'");
          }
        }
        parents[i] = p;
      }
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
          NodeState ps = stateUnderLock(p, now);
          if (ps != NodeState.ACTIVE) {
            throw new ExecutionGraphException(
                GraphError.PARENT_INACTIVE,
                "parent '" + p.id + "' of node '" + spec.id() + "' is " + ps);
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
          if (p.depth + 1 > maxDepth) {
            throw new ExecutionGraphException(
                GraphError.LIMIT,
                "node '"
                    + spec.id()
                    + "' would be at depth "
                    + (p.depth + 1)
                    + "; the limit is "
                    + maxDepth);
          }
          if (p.liveChildren >= maxFanOut) {
            throw new ExecutionGraphException(
                GraphError.LIMIT,
                "parent '"
                    + p.id
                    + "' already has "
                    + p.liveChildren
                    + " live children; the fan-out limit is "
                    + maxFanOut);
          }
          if (p.deadline.isBefore(deadline)) {
            deadline = p.deadline;
          }
        }
        if (principal == null) {
          principal = parents[0].principal;
        }
        trace =
            spec.trace() != null && spec.trace().traceId().equals(parents[0].trace.traceId())
                ? spec.trace()
                : parents[0].trace.child(random);
      }
      checkPrincipal(principal, spec.id());
      if (live >= maxLiveNodes) {
        throw new ExecutionGraphException(
            GraphError.LIMIT,
            "the graph has " + live + " live nodes; the limit is " + maxLiveNodes);
      }
      int lineageSize = Node.lineageSizeOf(parents, maxLineage);
      if (lineageSize > maxLineage) {
        throw new ExecutionGraphException(
            GraphError.LIMIT,
            "node '"
                + spec.id()
                + "' would have more than "
                + maxLineage
                + " nodes in its lineage (itself and its ancestors); the limit is "
                + maxLineage);
      }
      Claim conflict = firstConflict(spec.claims(), parents, now);
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
              this, spec, caps, principal, parents, lineageSize, deadline, trace, ++seq, initial);
      nodes.put(n.id, n);
      nodesHighWater = Math.max(nodesHighWater, nodes.size());
      live++;
      for (int i = 0; i < parents.length; i++) {
        link(parents[i], i, n);
      }
      n.due = deadline;
      queue.add(n);
      queueHighWater = Math.max(queueHighWater, queue.size());
      nextDue = queue.peek().due;
      if (initial == NodeState.ACTIVE) {
        addClaims(n);
        n.started.complete(NodeState.ACTIVE);
      } else {
        waitOn(n, conflict.holder());
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes a node: its authority, and its whole subtree's, collapses now. Its claims are
   * released and held nodes waiting on them may start.
   *
   * @return {@code true} if the node was active, {@code false} if it had already ended
   * @throws ExecutionGraphException {@link GraphError#INVALID} for an unknown or held node
   * @throws GraphListenerException if a {@link GraphListener} failed: the node is completed all the
   *     same and every listener was called; the exception carries each failure, so that a listener
   *     that must not miss an end (a revocation registry) can be told again
   */
  public boolean complete(String id) {
    return end(id, NodeState.COMPLETED, "completed");
  }

  /**
   * Revokes a node and its whole subtree. When this returns, no authorization on the subtree
   * permits, from any thread.
   *
   * @param reason why, for the audit trail and listeners
   * @return {@code true} if the node was active or held, {@code false} if it had already ended
   * @throws ExecutionGraphException {@link GraphError#INVALID} for an unknown node
   * @throws GraphListenerException if a {@link GraphListener} failed: the revocation stands (no
   *     authorization on the subtree permits) and every listener was called, but one that did not
   *     hear it — a grant revocation registry — may still honour the subtree's grants until their
   *     {@code exp}: treat it as a failed revocation of the grants and tell that listener again
   */
  public boolean revoke(String id, String reason) {
    Objects.requireNonNull(reason, "reason");
    return end(id, NodeState.REVOKED, reason);
  }

  private boolean end(String id, NodeState to, String reason) {
    Objects.requireNonNull(id, "id");
    Node n;
    lock.lock();
    try {
      Instant now = clock.instant();
      processDue(now);
      n = nodes.get(id);
      if (n == null) {
        throw new ExecutionGraphException(GraphError.INVALID, "unknown node '" + id + "'");
      }
      NodeState s = stateUnderLock(n, now);
      if (s == NodeState.HELD && to == NodeState.COMPLETED) {
        throw new ExecutionGraphException(
            GraphError.INVALID, "node '" + id + "' is HELD and has not started; revoke it instead");
      }
      if (s != NodeState.ACTIVE && s != NodeState.HELD) {
        return false;
      }
      n.endReason = reason;
      n.own = to; // the whole subtree reads the end through its lineage from here on
      n.started.complete(to);
      // the bookkeeping: linear in the live part of the subtree, each node's done once ever
      endSubtree(n);
      settle(now);
    } finally {
      lock.unlock();
    }
    List<Throwable> failures = null;
    for (GraphListener l : listeners) {
      try {
        l.onEnded(n, to, reason);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "graph listener failed on node " + id, e);
        if (failures == null) {
          failures = new ArrayList<>(1);
        }
        failures.add(e);
      }
    }
    if (failures != null) {
      throw new GraphListenerException(id, to, listeners.size(), failures);
    }
    return true;
  }

  /**
   * Processes what has come due by {@code now}, in deadline order: nodes past their deadline stop
   * counting as live (their claims released, held ones cancelled, held nodes they blocked tried
   * again); nodes past their deadline plus the retention are forgotten. Time and work are bounded
   * by what came due, never the graph's size. Under lock.
   */
  private void processDue(Instant now) {
    boolean forgot = false;
    Node n;
    while ((n = queue.peek()) != null && !now.isBefore(n.due)) {
      queue.poll();
      if (!n.expiredInQueue) {
        end(n, "deadline passed");
        n.expiredInQueue = true;
        n.due = plus(n.deadline, retention);
        queue.add(n);
      } else {
        nodes.remove(n.id, n);
        forgot = true;
      }
    }
    settle(now);
    if (forgot) {
      shrink();
    }
    Node head = queue.peek();
    nextDue = head == null ? Instant.MAX : head.due;
  }

  /**
   * A node's state under the lock once {@link #processDue} has run for {@code now}: O(1) for a live
   * node, since everything that ends one (its end, an ancestor's, its deadline) has then unset
   * {@code live}; the lineage walk of {@link Node#stateAt} only for the others.
   */
  private static NodeState stateUnderLock(Node n, Instant now) {
    if (n.live) {
      return n.own == NodeState.HELD ? NodeState.HELD : NodeState.ACTIVE;
    }
    return n.stateAt(now);
  }

  /** {@code t + d}, or {@link Instant#MAX} past it. */
  private static Instant plus(Instant t, Duration d) {
    long room = Instant.MAX.getEpochSecond() - t.getEpochSecond() - 1;
    return d.getSeconds() >= room ? Instant.MAX : t.plus(d);
  }

  /**
   * Replaces the node map and the queue by right-sized copies once three quarters of their entries
   * are gone: neither a hash table nor a heap array ever shrinks by itself, and a graph that once
   * held a million nodes must not keep their slots forever. Amortized O(1) per forgotten node.
   */
  private void shrink() {
    int size = nodes.size();
    if (nodesHighWater > 4096 && size < nodesHighWater / 4) {
      ConcurrentHashMap<String, Node> copy = new ConcurrentHashMap<>(Math.max(16, size * 2));
      copy.putAll(nodes);
      nodes = copy;
      nodesHighWater = size;
    }
    if (queueHighWater > 4096 && queue.size() < queueHighWater / 4) {
      queue = new PriorityQueue<>(queue);
      queueHighWater = queue.size();
    }
  }

  /** Ends the live part of {@code root}'s subtree: no recursion, each node visited once. */
  private void endSubtree(Node root) {
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (!n.live) {
        continue;
      }
      for (Node c = n.firstChild; c != null; c = c.links[2 * c.parentIndex(n) + 1]) {
        stack.push(c);
      }
      end(n, "parent ended");
    }
  }

  /**
   * Stops counting one node as live: unlinks it from its parents' children, cancels it if it was
   * held (with {@code heldReason}), and marks its claims and waiters for {@link #settle}. Under
   * lock.
   */
  private void end(Node n, String heldReason) {
    if (!n.live) {
      return;
    }
    n.live = false;
    live--;
    for (int i = 0; i < n.parents.length; i++) {
      unlink(n.parents[i], i, n);
    }
    Node b = n.blocker;
    if (b != null) {
      if (b.waiters != null) {
        b.waiters.remove(n);
      }
      n.blocker = null;
    }
    if (n.own == NodeState.HELD) {
      n.own = NodeState.CANCELLED;
      n.endReason = heldReason;
      n.started.complete(NodeState.CANCELLED);
    } else if (!n.claims.isEmpty()) {
      claimsChanged = true;
    }
    if (n.waiters != null) {
      unblocked.addAll(n.waiters);
      n.waiters = null;
    }
  }

  /**
   * Drops released claims, then tries the held nodes whose blocker ended, oldest first: each starts
   * or waits on the next conflicting holder. Bounded by what ended. Under lock.
   */
  private void settle(Instant now) {
    if (claimsChanged) {
      claimsChanged = false;
      pruneClaims(now);
    }
    if (unblocked.isEmpty()) {
      return;
    }
    unblocked.sort(Comparator.comparingLong(h -> h.seq));
    for (Node h : unblocked) {
      if (!h.live || h.own != NodeState.HELD) {
        continue;
      }
      h.blocker = null;
      Claim c = firstConflict(h.claims, h.parents, now);
      if (c == null) {
        h.own = NodeState.ACTIVE;
        addClaims(h);
        h.started.complete(NodeState.ACTIVE);
      } else {
        waitOn(h, c.holder());
      }
    }
    unblocked.clear();
  }

  private static void waitOn(Node held, Node holder) {
    held.blocker = holder;
    if (holder.waiters == null) {
      holder.waiters = new LinkedHashSet<>(2);
    }
    holder.waiters.add(held);
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

  /**
   * Processes what has come due: nodes past their deadline stop counting as live and release their
   * claims, held nodes they blocked start (or wait on the next conflicting claim), held nodes past
   * their deadline are cancelled, and nodes past their deadline plus the {@linkplain
   * Builder#retention retention} are forgotten. Every graph operation does this first, in time
   * bounded by what came due; call it (say, every second) to have held nodes start promptly after a
   * blocker's deadline when the graph is otherwise idle.
   */
  public void sweep() {
    lock.lock();
    try {
      processDue(clock.instant());
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
        && !now.isBefore(nextDue)
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

  private Claim firstConflict(List<ResourcePattern> wanted, Node[] parents, Instant now) {
    if (wanted.isEmpty()) {
      return null;
    }
    for (Claim c : claims) {
      Node h = c.holder();
      if (stateUnderLock(h, now) != NodeState.ACTIVE || isAncestorOfAny(h, parents)) {
        continue;
      }
      for (ResourcePattern w : wanted) {
        if (w.overlaps(c.pattern())) {
          return c;
        }
      }
    }
    return null;
  }

  private static boolean isAncestorOfAny(Node h, Node[] parents) {
    for (Node p : parents) {
      if (p.hasInLineage(h)) {
        return true;
      }
    }
    return false;
  }

  private void addClaims(Node n) {
    if (n.claims.isEmpty()) {
      return;
    }
    Claim[] old = claims;
    Claim[] out = java.util.Arrays.copyOf(old, old.length + n.claims.size());
    int i = old.length;
    for (ResourcePattern p : n.claims) {
      out[i++] = new Claim(n, p);
    }
    claims = out;
  }

  /**
   * Drops the claims of holders no longer active (ended, under an ended ancestor, or past their
   * deadline). A new array only when something is dropped: the authorizer's cache keys on it.
   */
  private void pruneClaims(Instant now) {
    Claim[] current = claims;
    List<Claim> out = null;
    for (int i = 0; i < current.length; i++) {
      Claim c = current[i];
      boolean keep = stateUnderLock(c.holder(), now) == NodeState.ACTIVE;
      if (!keep && out == null) {
        out = new ArrayList<>(java.util.Arrays.asList(current).subList(0, i));
      } else if (keep && out != null) {
        out.add(c);
      }
    }
    if (out != null) {
      claims = out.toArray(Claim[]::new);
    }
  }

  /** The active claims, for the authorizer's CLAIMED check. */
  Claim[] claims() {
    return claims;
  }

  /**
   * The node with this id, if it exists: live nodes, and ended ones until their {@linkplain
   * Builder#retention retention} has passed (they are forgotten at the first graph operation after
   * that). Takes no lock.
   */
  public Optional<ExecutionNode> find(String id) {
    return Optional.ofNullable(nodes.get(id));
  }

  Node get(String id) {
    return nodes.get(id);
  }

  /** How many nodes the graph remembers (live, and ended within retention); for tests. */
  int knownNodes() {
    lock.lock();
    try {
      return nodes.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The node with this id.
   *
   * @throws ExecutionGraphException {@link GraphError#INVALID} if there is none
   */
  public ExecutionNode node(String id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new ExecutionGraphException(GraphError.INVALID, "unknown node '" + id + "'");
    }
    return n;
  }

  /**
   * Completes with {@link NodeState#ACTIVE} when the node starts (at once for a node that was never
   * held), or with the state that ended it first ({@link NodeState#CANCELLED}, {@link
   * NodeState#REVOKED}, …).
   */
  public CompletableFuture<NodeState> whenStarted(String id) {
    Node n = (Node) node(id);
    return n.started.copy();
  }

  /**
   * The number of nodes currently active or held. Processes what has come due first (as {@link
   * #sweep()} does): bounded by that, not by the graph's size.
   */
  public int liveNodes() {
    lock.lock();
    try {
      processDue(clock.instant());
      return live;
    } finally {
      lock.unlock();
    }
  }

  private static void checkId(String id, String what) {
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
            what + " '" + printable(id) + "' has a character not allowed at position " + i);
      }
    }
  }

  private static void checkKind(NodeSpec spec) {
    String k = spec.kind();
    boolean ok = !k.isEmpty() && k.length() <= 64;
    for (int i = 0; ok && i < k.length(); i++) {
      ok = ActionPattern.isWordChar(k.charAt(i));
    }
    if (!ok) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "kind '"
              + printable(k)
              + "' of node '"
              + spec.id()
              + "' must be 1 to 64 letters, digits, '_' or '-'");
    }
  }

  private static void checkPrincipal(String p, String nodeId) {
    boolean ok = !p.isEmpty() && p.length() <= 256;
    for (int i = 0; ok && i < p.length(); i++) {
      char c = p.charAt(i);
      ok = c > ' ' && c < 0x7f && c != '"' && c != '\\';
    }
    if (!ok) {
      throw new ExecutionGraphException(
          GraphError.INVALID,
          "principal '"
              + printable(p)
              + "' of node '"
              + nodeId
              + "' must be 1 to 256 printable ASCII characters without spaces, quotes or"
              + " backslashes");
    }
  }

  private static void checkAttributes(NodeSpec spec) {
    if (spec.attributes().size() > 64) {
      throw new ExecutionGraphException(
          GraphError.LIMIT, "node '" + spec.id() + "' has more than 64 attributes");
    }
    for (Map.Entry<String, String> e : spec.attributes().entrySet()) {
      String k = e.getKey();
      boolean ok = !k.isEmpty() && k.length() <= 64;
      for (int i = 0; ok && i < k.length(); i++) {
        ok = ActionPattern.isWordChar(k.charAt(i));
      }
      if (!ok || e.getValue().length() > 1024) {
        throw new ExecutionGraphException(
            GraphError.INVALID,
            "attribute '"
                + printable(k)
                + "' of node '"
                + spec.id()
                + "': keys are 1 to 64 letters, digits, '_' or '-'; values at most 1024 chars");
      }
    }
  }

  private static String printable(String s) {
    return Names.printable(s);
  }

  /** Configures an {@link ExecutionGraph}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private String id;
    private BudgetLedger ledger;
    private InstantSource clock;
    private RandomGenerator random;
    private Integer maxDepth;
    private Integer maxFanOut;
    private Integer maxLiveNodes;
    private Integer maxCapabilities;
    private Integer maxClaims;
    private Duration defaultTtl;
    private Duration retention;
    private Integer maxLineage;
    private final List<GraphListener> listeners = new ArrayList<>();

    private Builder() {}

    private static int positive(int v, String option) {
      if (v <= 0) {
        throw new IllegalArgumentException(option + " must be positive, was " + v);
      }
      return v;
    }

    /**
     * The graph's id, 1 to 128 letters, digits or {@code . _ - : @ /}; random by default. Give one
     * only when it is unique among every graph sharing a revocation registry or budget ledger.
     */
    public Builder id(String id) {
      SetOnce.once(this.id, "id");
      checkId(Objects.requireNonNull(id, "id"), "graph id");
      this.id = id;
      return this;
    }

    /**
     * Where {@code maxCalls} budgets are counted; in this JVM's memory by default. Share one with
     * the tool servers that decide on this graph's grants, so a node's budget binds wherever it is
     * spent.
     */
    public Builder budgetLedger(BudgetLedger ledger) {
      SetOnce.once(this.ledger, "budgetLedger");
      this.ledger = Objects.requireNonNull(ledger, "budgetLedger");
      return this;
    }

    /** The clock deadlines are measured on; the system clock by default. */
    public Builder clock(InstantSource clock) {
      SetOnce.once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of trace and span ids; a {@link SecureRandom} by default. */
    public Builder random(RandomGenerator random) {
      SetOnce.once(this.random, "random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The deepest a node may be (a root is at depth 0); 32 by default. */
    public Builder maxDepth(int maxDepth) {
      SetOnce.once(this.maxDepth, "maxDepth");
      this.maxDepth = positive(maxDepth, "maxDepth");
      return this;
    }

    /** The most live children one node may have; 1,000 by default. */
    public Builder maxFanOut(int maxFanOut) {
      SetOnce.once(this.maxFanOut, "maxFanOut");
      this.maxFanOut = positive(maxFanOut, "maxFanOut");
      return this;
    }

    /** The most live (active or held) nodes in the graph; 100,000 by default. */
    public Builder maxLiveNodes(int maxLiveNodes) {
      SetOnce.once(this.maxLiveNodes, "maxLiveNodes");
      this.maxLiveNodes = positive(maxLiveNodes, "maxLiveNodes");
      return this;
    }

    /** The most capabilities one node may hold; 256 by default. */
    public Builder maxCapabilitiesPerNode(int max) {
      SetOnce.once(this.maxCapabilities, "maxCapabilitiesPerNode");
      this.maxCapabilities = positive(max, "maxCapabilitiesPerNode");
      return this;
    }

    /** The most claims one node may make; 64 by default. */
    public Builder maxClaimsPerNode(int max) {
      SetOnce.once(this.maxClaims, "maxClaimsPerNode");
      this.maxClaims = positive(max, "maxClaimsPerNode");
      return this;
    }

    /** The lifetime of a root spawned without a ttl; one hour by default. */
    public Builder defaultTtl(Duration ttl) {
      SetOnce.once(this.defaultTtl, "defaultTtl");
      Objects.requireNonNull(ttl, "defaultTtl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("defaultTtl must be positive, was " + ttl);
      }
      this.defaultTtl = ttl;
      return this;
    }

    /**
     * How long an ended or expired node is remembered after its deadline; 5 minutes by default.
     * Until then {@code find}, {@code node} and the authorizer answer about it ({@link
     * Reason#REVOKED}, {@link Reason#COMPLETED}, {@link Reason#EXPIRED}, …) and its id cannot be
     * spawned again; afterwards it is forgotten: {@code find} is empty, the authorizer denies with
     * {@link Reason#UNKNOWN_NODE}, and the id may be reused. Measured from the deadline, not the
     * end, because a grant minted for the node can be presented until the deadline (its {@code
     * exp}), and a verifier may accept it for its clock skew beyond: give at least that skew, so
     * that no grant of a forgotten node can still be honoured when its id is reused. Zero forgets
     * at the deadline.
     */
    public Builder retention(Duration retention) {
      SetOnce.once(this.retention, "retention");
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * The most nodes a node's lineage (itself and every ancestor, each once) may hold; 64 by
     * default. A spawn or join past it is refused with {@link GraphError#LIMIT}. It bounds what one
     * request costs: the lineage is what the policy engine is sent, and Cedar's cost grows faster
     * than the lineage (one uncached decision: about 0.3 ms at 8 nodes, 1.7 ms at 64, 20 ms at 256,
     * over a second at 1,024 — docs/benchmarks.md, "Long runs"). Joins are what make lineages wide:
     * a chain at the default {@code maxDepth} of 32 has 33.
     */
    public Builder maxLineage(int maxLineage) {
      SetOnce.once(this.maxLineage, "maxLineage");
      this.maxLineage = positive(maxLineage, "maxLineage");
      return this;
    }

    /**
     * Adds a listener told of every completion and revocation. A listener that throws does not undo
     * the change or stop the other listeners; {@code revoke} and {@code complete} then throw a
     * {@link GraphListenerException} carrying every failure.
     */
    public Builder listener(GraphListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public ExecutionGraph build() {
      return new ExecutionGraph(this);
    }
  }
}
