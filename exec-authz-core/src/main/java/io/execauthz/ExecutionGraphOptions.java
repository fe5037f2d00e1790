package io.execauthz;

import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.GraphListener;
import io.execauthz.spi.SetOnce;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The options of an {@link ExecutionGraph.Builder}: each is checked as it is given and can be set
 * once; every one has a safe default. A class of its own so that {@link ExecutionGraph} reads as
 * the graph; sealed, so {@link ExecutionGraph.Builder} is its only kind, and every option returns
 * that builder.
 *
 * <p>Not thread-safe.
 */
public abstract sealed class ExecutionGraphOptions permits ExecutionGraph.Builder {
  private String id;
  private BudgetLedger ledger;
  private InstantSource clock;
  private RandomGenerator random;
  private Integer maxDepth;
  private Integer maxFanOut;
  private Integer maxLiveNodes;
  private Integer maxCapabilities;
  private Integer maxClaims;
  private Integer maxLineage;
  private Duration defaultTtl;
  private Duration retention;
  private final List<GraphListener> listeners = new ArrayList<>();

  ExecutionGraphOptions() {}

  private ExecutionGraph.Builder self() {
    return (ExecutionGraph.Builder) this;
  }

  private static int positive(Integer current, int v, String option) {
    SetOnce.once(current, option);
    if (v <= 0) {
      throw new IllegalArgumentException(option + " must be positive, was " + v);
    }
    return v;
  }

  /**
   * The graph's id, 1 to 128 letters, digits or {@code . _ - : @ /}; random by default. Give one
   * only when it is unique among every graph sharing a revocation registry or budget ledger.
   */
  public ExecutionGraph.Builder id(String id) {
    SetOnce.once(this.id, "id");
    NodeSpec.checkId(Objects.requireNonNull(id, "id"), "graph id");
    this.id = id;
    return self();
  }

  /**
   * Where {@code maxCalls} budgets are counted; in this JVM's memory by default. Share one with the
   * tool servers that decide on this graph's grants, so a node's budget binds wherever it is spent.
   */
  public ExecutionGraph.Builder budgetLedger(BudgetLedger ledger) {
    SetOnce.once(this.ledger, "budgetLedger");
    this.ledger = Objects.requireNonNull(ledger, "budgetLedger");
    return self();
  }

  /** The clock deadlines are measured on; the system clock by default. */
  public ExecutionGraph.Builder clock(InstantSource clock) {
    SetOnce.once(this.clock, "clock");
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** The source of trace and span ids; a {@link SecureRandom} by default. */
  public ExecutionGraph.Builder random(RandomGenerator random) {
    SetOnce.once(this.random, "random");
    this.random = Objects.requireNonNull(random, "random");
    return self();
  }

  /** The deepest a node may be (a root is at depth 0); 32 by default. */
  public ExecutionGraph.Builder maxDepth(int maxDepth) {
    this.maxDepth = positive(this.maxDepth, maxDepth, "maxDepth");
    return self();
  }

  /** The most live children one node may have; 1,000 by default. */
  public ExecutionGraph.Builder maxFanOut(int maxFanOut) {
    this.maxFanOut = positive(this.maxFanOut, maxFanOut, "maxFanOut");
    return self();
  }

  /** The most live (active or held) nodes in the graph; 100,000 by default. */
  public ExecutionGraph.Builder maxLiveNodes(int maxLiveNodes) {
    this.maxLiveNodes = positive(this.maxLiveNodes, maxLiveNodes, "maxLiveNodes");
    return self();
  }

  /** The most capabilities one node may hold; 256 by default. */
  public ExecutionGraph.Builder maxCapabilitiesPerNode(int max) {
    maxCapabilities = positive(maxCapabilities, max, "maxCapabilitiesPerNode");
    return self();
  }

  /** The most claims one node may make; 64 by default. */
  public ExecutionGraph.Builder maxClaimsPerNode(int max) {
    maxClaims = positive(maxClaims, max, "maxClaimsPerNode");
    return self();
  }

  /**
   * The most nodes a node's lineage (itself and every ancestor, each once) may hold; 64 by default.
   * A spawn or join past it is refused with {@link GraphError#LIMIT}. It bounds what one request
   * costs: the lineage is what the policy engine is sent, and Cedar's cost grows faster than the
   * lineage (one uncached decision: about 0.3 ms at 8 nodes, 1.7 ms at 64, 20 ms at 256, over a
   * second at 1,024 — docs/benchmarks.md, "Long runs"). Joins are what make lineages wide: a chain
   * at the default {@code maxDepth} of 32 has 33.
   */
  public ExecutionGraph.Builder maxLineage(int maxLineage) {
    this.maxLineage = positive(this.maxLineage, maxLineage, "maxLineage");
    return self();
  }

  /** The lifetime of a root spawned without a ttl; one hour by default. */
  public ExecutionGraph.Builder defaultTtl(Duration ttl) {
    SetOnce.once(this.defaultTtl, "defaultTtl");
    Objects.requireNonNull(ttl, "defaultTtl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("defaultTtl must be positive, was " + ttl);
    }
    this.defaultTtl = ttl;
    return self();
  }

  /**
   * How long an ended or expired node is remembered after its deadline; 5 minutes by default. Until
   * then {@code find}, {@code node} and the authorizer answer about it ({@link Reason#REVOKED},
   * {@link Reason#COMPLETED}, {@link Reason#EXPIRED}, …) and its id cannot be spawned again;
   * afterwards it is forgotten: {@code find} is empty, the authorizer denies with {@link
   * Reason#UNKNOWN_NODE}, and the id may be reused. Measured from the deadline, not the end,
   * because a grant minted for the node can be presented until the deadline (its {@code exp}), and
   * a verifier may accept it for its clock skew beyond: give at least that skew, so that no grant
   * of a forgotten node can still be honoured when its id is reused. Zero forgets at the deadline.
   */
  public ExecutionGraph.Builder retention(Duration retention) {
    SetOnce.once(this.retention, "retention");
    Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative, was " + retention);
    }
    this.retention = retention;
    return self();
  }

  /**
   * Adds a listener told of every completion and revocation. A listener that throws does not undo
   * the change or stop the other listeners; {@code revoke} and {@code complete} then throw a {@link
   * GraphListenerException} carrying every failure.
   */
  public ExecutionGraph.Builder listener(GraphListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return self();
  }

  // what the graph is built from: each option, or its default

  String idOr(RandomGenerator random) {
    return id == null ? String.format("g-%016x%016x", random.nextLong(), random.nextLong()) : id;
  }

  BudgetLedger ledgerOr(InstantSource clock) {
    return ledger == null ? BudgetLedger.inMemory(clock) : ledger;
  }

  InstantSource clock() {
    return clock == null ? InstantSource.system() : clock;
  }

  RandomGenerator random() {
    return random == null ? new SecureRandom() : random;
  }

  List<GraphListener> listeners() {
    return List.copyOf(listeners);
  }

  GraphLimits limits() {
    return new GraphLimits(
        maxDepth == null ? 32 : maxDepth,
        maxFanOut == null ? 1_000 : maxFanOut,
        maxLiveNodes == null ? 100_000 : maxLiveNodes,
        maxCapabilities == null ? 256 : maxCapabilities,
        maxClaims == null ? 64 : maxClaims,
        maxLineage == null ? ExecutionGraph.DEFAULT_MAX_LINEAGE : maxLineage);
  }

  Duration defaultTtl() {
    return defaultTtl == null ? Duration.ofHours(1) : defaultTtl;
  }

  Duration retention() {
    return retention == null ? ExecutionGraph.DEFAULT_RETENTION : retention;
  }
}
