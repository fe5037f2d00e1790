package io.execauthz.cedar;

import io.execauthz.cedar.internal.Evaluator;
import io.execauthz.cedar.internal.RequestMapper;
import io.execauthz.cedar.internal.Snapshot;
import io.execauthz.spi.ArgumentReads;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import io.execauthz.spi.SetOnce;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link PolicyEngine} that decides with Cedar policies from a {@link PolicyStore}, mapping each
 * request exactly as CONTRACT §3 says:
 *
 * <ul>
 *   <li>principal {@code user:alice} → {@code User::"alice"}, {@code agent:planner} → {@code
 *       Agent::"planner"}, {@code spiffe://…} → {@code Workload::"spiffe://…"};
 *   <li>action → {@code Action::"<action>"};
 *   <li>resource by scheme ({@code tool:} → {@code Tool}, {@code fs:} → {@code Path}, {@code net:}
 *       → {@code Host}, {@code secret:} → {@code Secret}, others → {@code Resource}), the id being
 *       the text after the first {@code :};
 *   <li>one {@code Execution} entity per node of the lineage (the node and its ancestors only),
 *       with its parents as Cedar parents and attributes {@code kind} and {@code depth};
 *   <li>context {@code execution}, {@code kind}, {@code depth}, {@code args}, {@code approved},
 *       {@code delegators}, {@code now} (epoch seconds) — with a schema, only the attributes the
 *       action's context declares.
 * </ul>
 *
 * <pre>{@code
 * CedarPolicyEngine engine = CedarPolicyEngine.newBuilder()
 *     .store(PolicyStore.newBuilder().directory(Path.of("policies")).watch().build())
 *     .build();
 * Authorizer authorizer = Authorizer.newBuilder().graph(graph).policyEngine(engine).build();
 * }</pre>
 *
 * <p><b>Fail closed.</b> Every Cedar error — a policy that errored during evaluation (cedar-java
 * skips it and would otherwise permit), a request or entity the schema rejects, a native failure —
 * comes back as a decision listing errors, which the authorizer turns into a deny. Arguments nested
 * deeper than {@link Builder#maxArgsDepth} or larger than the size limits are refused before they
 * reach the native library.
 *
 * <p><b>The same answer on every thread.</b> Cedar evaluates recursively on the stack of the thread
 * that calls it: 50 chained {@code &&} evaluate on a 1 MiB stack and fail on a 256 KiB one. So a
 * policy set with an expression nested more than 32 levels is evaluated on the store's evaluation
 * threads (64 MiB stacks, one per processor, started on demand and ended when idle), whichever
 * thread asks, while the caller waits; policies nested deeper than those threads can evaluate are
 * refused at load ({@link PolicyStore.Builder#maxExpressionDepth}). A shallower set — the usual
 * case — is evaluated on the caller's own thread, which saves two thread hand-offs (about as costly
 * as the evaluation itself); should the caller's stack be too small even for it, Cedar says so and
 * the call is handed to the evaluation threads after all. A closed store denies every request with
 * an error.
 *
 * <p>{@link #version()} is the store's version, so decisions cached under older policies are never
 * served. Each request reads one version of the policies.
 *
 * <p>Thread-safe.
 */
public final class CedarPolicyEngine implements PolicyEngine {
  private final PolicyStore store;
  private final Evaluator evaluator;

  private CedarPolicyEngine(Builder b) {
    this.store = b.store;
    this.evaluator =
        new Evaluator(
            new RequestMapper.Limits(
                b.maxArgsDepth == null ? 16 : b.maxArgsDepth,
                b.maxArgsValues == null ? 1_000 : b.maxArgsValues,
                b.maxArgsChars == null ? 65_536 : b.maxArgsChars,
                b.maxLineage == null ? 1_024 : b.maxLineage),
            b.uncachedTimeout == null ? Duration.ofSeconds(10) : b.uncachedTimeout);
  }

  /** Starts configuring an engine; a policy store is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** An engine over this store with the default limits. */
  public static CedarPolicyEngine of(PolicyStore store) {
    return newBuilder().store(store).build();
  }

  @Override
  public PolicyDecision evaluate(PolicyRequest request) {
    return explain(request).toPolicyDecision();
  }

  /** Evaluates and explains: the policy version, determining policies, errors. Never throws. */
  public CedarDecision explain(PolicyRequest request) {
    Objects.requireNonNull(request, "request");
    Snapshot s = store.snapshot();
    Evaluator.Outcome o =
        evaluator.evaluate(s, request, store.evaluationThreads(), store.threads());
    return new CedarDecision(
        o.version(),
        o.permitted() && o.errors().isEmpty(),
        o.determiningPolicies(),
        o.errors(),
        o.cachedPath());
  }

  @Override
  public long version() {
    return store.version();
  }

  /**
   * Only when a policy in force may read {@code context.now}, as found from the policies' parsed
   * form ({@link #policyReads()}): <code>context["&#92;u{6e}ow"]</code> reads the time like {@code
   * context.now}, and a policy the analysis cannot follow counts as reading it.
   */
  @Override
  public boolean readsTime() {
    return store.readsTime();
  }

  /**
   * The arguments the policies in force may read for {@code action} (from their parsed form, see
   * {@link PolicyReads}); only these are sent to Cedar, so the decision cache may key requests by
   * them. With a schema, all of an action's arguments when it declares {@code args}, else none.
   */
  @Override
  public ArgumentReads argumentReads(String action) {
    return store.snapshot().argumentReads(action);
  }

  /** What the policies in force may read from a request ({@link PolicyStore#policyReads()}). */
  public PolicyReads policyReads() {
    return store.policyReads();
  }

  /** The store this engine reads. */
  public PolicyStore store() {
    return store;
  }

  /** Counters since this engine was built. */
  public CedarStats stats() {
    long[] c = evaluator.counters();
    return new CedarStats(c[0], c[1], c[2], c[3], c[4], store.cacheFailures());
  }

  @Override
  public String toString() {
    return "CedarPolicyEngine{" + store + "}";
  }

  /** Configures a {@link CedarPolicyEngine}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private PolicyStore store;
    private Integer maxArgsDepth;
    private Integer maxArgsValues;
    private Integer maxArgsChars;
    private Integer maxLineage;
    private Duration uncachedTimeout;

    private Builder() {}

    private static int positive(String option, int value, int max) {
      if (value < 1 || value > max) {
        throw new IllegalArgumentException(option + " must be within 1.." + max + ", was " + value);
      }
      return value;
    }

    /** The policies to decide with (required). */
    public Builder store(PolicyStore store) {
      SetOnce.once(this.store, "store");
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How deep {@code args} may nest (records and lists; 16 by default, at most 64). */
    public Builder maxArgsDepth(int levels) {
      SetOnce.once(this.maxArgsDepth, "maxArgsDepth");
      this.maxArgsDepth = positive("maxArgsDepth", levels, 64);
      return this;
    }

    /** How many values {@code args} may hold in all (1,000 by default). */
    public Builder maxArgsValues(int values) {
      SetOnce.once(this.maxArgsValues, "maxArgsValues");
      this.maxArgsValues = positive("maxArgsValues", values, 1_000_000);
      return this;
    }

    /** How many characters the strings and keys of {@code args} may hold (65,536 by default). */
    public Builder maxArgsChars(int chars) {
      SetOnce.once(this.maxArgsChars, "maxArgsChars");
      this.maxArgsChars = positive("maxArgsChars", chars, 64 << 20);
      return this;
    }

    /** How many lineage nodes a request may send as entities (1,024 by default). */
    public Builder maxLineage(int nodes) {
      SetOnce.once(this.maxLineage, "maxLineage");
      this.maxLineage = positive("maxLineage", nodes, 1_000_000);
      return this;
    }

    /**
     * How long one evaluation on the store's evaluation threads may take, waiting for a thread
     * included, before the request is denied with an error (10 s by default). The name is
     * historical: it bounds cached and uncached evaluations alike. Shallow policy sets evaluated on
     * the caller's thread are not bounded by it (native code cannot be interrupted either way).
     */
    public Builder uncachedTimeout(Duration timeout) {
      SetOnce.once(this.uncachedTimeout, "uncachedTimeout");
      Objects.requireNonNull(timeout, "uncachedTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("uncachedTimeout must be positive, was " + timeout);
      }
      this.uncachedTimeout = timeout;
      return this;
    }

    /**
     * @throws IllegalStateException if no store was set
     */
    public CedarPolicyEngine build() {
      if (store == null) {
        throw new IllegalStateException("store is required");
      }
      return new CedarPolicyEngine(this);
    }
  }
}
