package io.execauthz;

import static io.execauthz.GenCapabilities.chance;
import static io.execauthz.GenCapabilities.pick;
import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.GenCapabilities.GenCap;
import io.execauthz.GenCapabilities.GenPattern;
import io.execauthz.audit.AuditRecord;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property suites for the execution graph and the authorizer: ARCHITECTURE §6 invariants 1–4 and 6,
 * budgets, and the order of deny reasons of CONTRACT §2.
 *
 * <p>Each case is one seed and one random run: an interleaving of spawn, join, complete, revoke,
 * clock advance (to a random instant, or exactly to or just before a deadline or an {@code until};
 * mostly followed by {@link ExecutionGraph#sweep()}, sometimes not, so expiry is also observed
 * lazily) and authorize over a tiny alphabet of actions and resources, with capability sets mostly
 * narrower than their parents', budgets, approvals, {@code until}s, claims (refused or held),
 * guardrails, and a policy engine, audit sink and clock that fail on demand. After every step the
 * run is checked against a shadow model written from CONTRACT §1–§2 (its own matcher, coverage,
 * deadlines, liveness, claims and budgets), which predicts every graph operation's outcome and
 * every decision with its reason. The invariants are also checked on their own, from the shadow's
 * record of what happened.
 *
 * <p>Every property runs {@value #DEFAULT_CASES} seeds (once three have failed, the rest fail
 * without running). A failure names its seed, step and the operations so far; replay one with
 * {@code -Dtest=GraphProperties#<property> -Dexecauthz.properties.seed=<seed>
 * -Dexecauthz.properties.cases=1}, or change the number of cases with {@code
 * -Dexecauthz.properties.cases=N}.
 */
final class GraphProperties {
  static final int DEFAULT_CASES = 1_000;
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", DEFAULT_CASES);
  private static final Long FIRST_SEED = Long.getLong("execauthz.properties.seed");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(30);
  private static final int MAX_FAILURES = 3;
  private static final int LOG_TAIL = 80;

  /** Invariant 1: a permit on a node is allowed by the capability set of every node above it. */
  @TestFactory
  Stream<DynamicTest> noAmplification() {
    return cases(
        "noAmplification",
        1_000_000,
        new Config().weights(30, 14, 3, 3, 4, 46).widen(0.3).maxCalls(0.1));
  }

  /** Invariant 2: once revoke(n) returned, nothing in n's subtree permits. */
  @TestFactory
  Stream<DynamicTest> revocationIsImmediate() {
    return cases(
        "revocationIsImmediate",
        2_000_000,
        new Config().weights(28, 10, 2, 12, 3, 45).afterEnd(4).claims(0.15));
  }

  /** Invariant 3: once complete(n) returned, nothing in n's subtree permits. */
  @TestFactory
  Stream<DynamicTest> completionCollapses() {
    return cases(
        "completionCollapses",
        3_000_000,
        new Config().weights(28, 10, 12, 2, 3, 45).afterEnd(4).claims(0.15));
  }

  /** Invariant 4: nothing permits at or after its node's or an ancestor's deadline. */
  @TestFactory
  Stream<DynamicTest> deadlinesHold() {
    return cases(
        "deadlinesHold",
        4_000_000,
        new Config()
            .weights(26, 8, 3, 3, 16, 44)
            .until(0.3)
            .afterAdvance(3)
            .claims(0.25)
            .sweepAfterAdvance(0.5));
  }

  /**
   * Invariant 6: malformed requests, unknown nodes, and a policy engine or audit sink that throws,
   * returns null or reports errors, always give a Deny with the right reason, never an exception.
   */
  @TestFactory
  Stream<DynamicTest> failClosed() {
    return cases(
        "failClosed",
        5_000_000,
        new Config()
            .malformed(0.3)
            .unknownNode(0.1)
            .engineFaults(0.35)
            .auditFaults(0.2)
            .policyDeny(0.15)
            .permitAllEngine(0));
  }

  /** Invariant 6 and 4: while the clock fails, nothing permits (it would read no deadline). */
  @TestFactory
  Stream<DynamicTest> failClosedWhileTheClockFails() {
    return cases(
        "failClosedWhileTheClockFails",
        6_000_000,
        new Config().clockFaults(0.25).weights(22, 6, 3, 3, 10, 56).until(0.2));
  }

  /** A maxCalls=k budget, at any level and shared by the subtree, gives at most k permits. */
  @TestFactory
  Stream<DynamicTest> budgetsAreNeverOverspent() {
    return cases(
        "budgetsAreNeverOverspent",
        7_000_000,
        new Config().weights(24, 8, 2, 2, 3, 61).maxCalls(0.6).approval(0.2).auditFaults(0.1));
  }

  /**
   * CONTRACT §2: a Deny's reason is the first applicable check, in the order node exists → liveness
   * → OUT_OF_SCOPE → CLAIMED → APPROVAL_REQUIRED → BUDGET_EXHAUSTED → POLICY; and every graph
   * operation fails with one of the errors that apply (guardrails kept small here).
   */
  @TestFactory
  Stream<DynamicTest> denyReasonIsTheFirstApplicableCheck() {
    return cases(
        "denyReasonIsTheFirstApplicableCheck",
        8_000_000,
        new Config()
            .claims(0.6)
            .hold(0.6)
            .sweepAfterAdvance(0.5)
            .approval(0.3)
            .maxCalls(0.3)
            .until(0.15)
            .policyDeny(0.1)
            .malformed(0.05)
            .unknownNode(0.03)
            .guardrails(4, 3, 14));
  }

  /**
   * Forgetting and the lineage bound: with a short retention, ended nodes are forgotten at the
   * first graph operation past their deadline plus the retention and then answer {@code
   * UNKNOWN_NODE} (never a permit), their ids are spawned again as new nodes, held nodes start or
   * are cancelled as their blockers come and go; with a small lineage limit, joins past it are
   * refused with {@code LIMIT}.
   */
  @TestFactory
  Stream<DynamicTest> endedNodesAreForgottenAfterRetention() {
    return cases(
        "endedNodesAreForgottenAfterRetention",
        9_000_000,
        new Config()
            .weights(26, 12, 6, 6, 14, 36)
            .claims(0.4)
            .hold(0.6)
            .afterAdvance(3)
            .sweepAfterAdvance(0.4)
            .retention(Duration.ofSeconds(30))
            .maxLineage(5));
  }

  /**
   * The cases of one property. After {@value #MAX_FAILURES} failing seeds the rest fail without
   * running: a broken invariant fails nearly every seed, and three counterexamples say enough.
   */
  private static Stream<DynamicTest> cases(String property, long firstSeed, Config cfg) {
    long first = FIRST_SEED != null ? FIRST_SEED : firstSeed;
    LongStream seeds = LongStream.range(first, first + CASES);
    AtomicInteger failures = new AtomicInteger();
    return seeds.mapToObj(
        seed ->
            DynamicTest.dynamicTest(
                "seed=" + seed,
                () -> {
                  if (failures.get() >= MAX_FAILURES) {
                    // not skipped: a property that broke stays red on every seed, without the
                    // cost of running (and printing) a counterexample for each
                    org.junit.jupiter.api.Assertions.fail(
                        property
                            + " already failed for "
                            + MAX_FAILURES
                            + " seeds; seed "
                            + seed
                            + " not run");
                  }
                  try {
                    new Run(property, seed, cfg).execute();
                  } catch (AssertionError e) {
                    failures.incrementAndGet();
                    throw e;
                  }
                }));
  }

  // ------------------------------------------------------------------ configuration

  /** Operation weights and rates for one property's runs. */
  static final class Config {
    int steps = 90;
    Duration retention = ExecutionGraph.DEFAULT_RETENTION;
    int maxLineage = ExecutionGraph.DEFAULT_MAX_LINEAGE;
    int spawn = 26;
    int join = 8;
    int complete = 5;
    int revoke = 5;
    int advance = 6;
    int authorize = 50;
    double widen = 0.15;
    double claims = 0.1;
    double hold = 0.5;
    double maxCalls = 0.15;
    double approval = 0.1;
    double until = 0.08;
    double malformed = 0.02;
    double unknownNode = 0.02;
    double engineFaults = 0.03;
    double auditFaults = 0.03;
    double clockFaults;
    double policyDeny = 0.05;
    double permitAllEngine = 0.5;
    double sweepAfterAdvance = 1;
    int afterEnd = 2;
    int afterAdvance = 1;
    int maxDepth = 32;
    int maxFanOut = 1_000;
    int maxLive = 100_000;

    Config weights(int spawn, int join, int complete, int revoke, int advance, int authorize) {
      this.spawn = spawn;
      this.join = join;
      this.complete = complete;
      this.revoke = revoke;
      this.advance = advance;
      this.authorize = authorize;
      return this;
    }

    Config widen(double p) {
      widen = p;
      return this;
    }

    Config claims(double p) {
      claims = p;
      return this;
    }

    Config hold(double p) {
      hold = p;
      return this;
    }

    Config maxCalls(double p) {
      maxCalls = p;
      return this;
    }

    Config approval(double p) {
      approval = p;
      return this;
    }

    Config until(double p) {
      until = p;
      return this;
    }

    Config malformed(double p) {
      malformed = p;
      return this;
    }

    Config unknownNode(double p) {
      unknownNode = p;
      return this;
    }

    Config engineFaults(double p) {
      engineFaults = p;
      return this;
    }

    Config auditFaults(double p) {
      auditFaults = p;
      return this;
    }

    Config clockFaults(double p) {
      clockFaults = p;
      return this;
    }

    Config policyDeny(double p) {
      policyDeny = p;
      return this;
    }

    Config permitAllEngine(double p) {
      permitAllEngine = p;
      return this;
    }

    Config sweepAfterAdvance(double p) {
      sweepAfterAdvance = p;
      return this;
    }

    Config afterEnd(int n) {
      afterEnd = n;
      return this;
    }

    Config afterAdvance(int n) {
      afterAdvance = n;
      return this;
    }

    Config retention(Duration d) {
      retention = d;
      return this;
    }

    Config maxLineage(int n) {
      maxLineage = n;
      return this;
    }

    Config guardrails(int maxDepth, int maxFanOut, int maxLive) {
      this.maxDepth = maxDepth;
      this.maxFanOut = maxFanOut;
      this.maxLive = maxLive;
      return this;
    }
  }

  // ------------------------------------------------------------------ test doubles

  /** What the test policy engine answers next. */
  enum Mode {
    PERMIT,
    DENY,
    THROW,
    THROW_CHECKED,
    THROW_STACK_OVERFLOW,
    NULL,
    ERRORS,
    PERMIT_WITH_ERRORS
  }

  private static final List<Mode> FAULTS =
      List.of(
          Mode.THROW,
          Mode.THROW_CHECKED,
          Mode.THROW_STACK_OVERFLOW,
          Mode.NULL,
          Mode.ERRORS,
          Mode.PERMIT_WITH_ERRORS);

  /**
   * A deterministic policy engine whose next answer the run chooses. Its answers are a function of
   * its mode, so the mode is its version (the decision cache's contract).
   */
  static final class GenEngine implements PolicyEngine {
    Mode mode = Mode.PERMIT;
    PolicyRequest last;

    @Override
    public long version() {
      return mode.ordinal();
    }

    int calls;

    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
      last = request;
      calls++;
      switch (mode) {
        case PERMIT:
          return new PolicyDecision(true, List.of("test-permit"), List.of());
        case DENY:
          return new PolicyDecision(false, List.of("test-forbid"), List.of());
        case THROW:
          throw new IllegalStateException("policy engine failure (injected)");
        case THROW_CHECKED:
          throw GraphProperties.<RuntimeException>sneaky(
              new IOException("policy store unreachable (injected)"));
        case THROW_STACK_OVERFLOW:
          throw new StackOverflowError("deep policy (injected)");
        case NULL:
          return null;
        case ERRORS:
          return new PolicyDecision(false, List.of(), List.of("missing attribute (injected)"));
        default:
          return new PolicyDecision(
              true, List.of("test-permit"), List.of("a forbid errored (injected)"));
      }
    }
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> E sneaky(Throwable t) throws E {
    throw (E) t;
  }

  /** Keeps every record; can be told to fail the next one. */
  static final class GenAuditSink implements AuditSink {
    final List<AuditRecord> records = new ArrayList<>();
    boolean failNext;

    @Override
    public void record(AuditRecord record) throws IOException {
      if (failNext) {
        failNext = false;
        throw new IOException("audit log unwritable (injected)");
      }
      records.add(record);
    }
  }

  // ------------------------------------------------------------------ the shadow model

  /** What the shadow knows of one node. */
  static final class MNode {
    final String id;
    final List<MNode> parents;
    final Set<MNode> lineage = new LinkedHashSet<>(); // this node first, then every ancestor once
    final List<GenCap> caps;
    final List<GenPattern> claims;
    final Instant deadline;
    final int depth;
    final long[] used;
    final Map<Integer, Integer> budgetedPermits = new HashMap<>(); // mask of matching caps → count
    final List<MNode> children = new ArrayList<>();
    NodeState own;
    MNode blocker; // for a held node: the claim holder the graph has it wait on
    int revokeReturnedAt = -1; // the step at which revoke(this) returned
    int completeReturnedAt = -1;

    MNode(
        String id,
        List<MNode> parents,
        List<GenCap> caps,
        List<GenPattern> claims,
        Instant deadline,
        NodeState own) {
      this.id = id;
      this.parents = parents;
      this.caps = caps;
      this.claims = claims;
      this.deadline = deadline;
      this.own = own;
      this.used = new long[caps.size()];
      lineage.add(this);
      int d = 0;
      for (MNode p : parents) {
        lineage.addAll(p.lineage);
        d = Math.max(d, p.depth + 1);
        p.children.add(this);
      }
      this.depth = d;
    }

    long remaining(int i) {
      return caps.get(i).maxCalls() - used[i];
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** A request as generated: its parsed resource is null when the request is malformed. */
  record Req(
      String nodeId,
      String action,
      String resource,
      GenPattern parsed,
      boolean approved,
      boolean malformed) {}

  /** One authorize call as the log shows it; its text is built only when needed. */
  record Call(String label, Req q, Mode mode, boolean clockFails, boolean auditFails) {
    @Override
    public String toString() {
      return (label.isEmpty() ? "" : label + ": ")
          + "authorize("
          + q.nodeId()
          + ", "
          + q.action()
          + ", "
          + q.resource()
          + (q.approved() ? ", approved" : "")
          + (mode == Mode.PERMIT ? "" : ", engine " + mode)
          + (clockFails ? ", clock fails" : "")
          + (auditFails ? ", audit fails" : "")
          + ")";
    }
  }

  /** The shadow's prediction for one request. */
  static final class Expect {
    boolean permit;
    final EnumSet<Reason> reasons = EnumSet.noneOf(Reason.class);
    String why = "";
    final List<MNode> planNodes = new ArrayList<>();
    final List<Integer> planCaps = new ArrayList<>();

    static Expect deny(String why, Reason first, Reason... more) {
      Expect e = new Expect();
      e.reasons.add(first);
      e.reasons.addAll(List.of(more));
      e.why = why;
      return e;
    }

    @Override
    public String toString() {
      return permit ? "PERMIT" : "DENY " + reasons + " (" + why + ")";
    }
  }

  // ------------------------------------------------------------------ one run

  private static final class Run {
    final String property;
    final long seed;
    final Config cfg;
    final SplittableRandom rnd;
    final MutableClock time = new MutableClock(T0);
    boolean clockFails; // while set, the graph's and the authorizer's clock throws
    final InstantSource clock =
        () -> {
          if (clockFails) {
            throw new IllegalStateException("clock unavailable (injected)");
          }
          return time.instant();
        };
    final ExecutionGraph graph;
    final GenEngine engine;
    final GenAuditSink audit = new GenAuditSink();
    final Authorizer authorizer;
    final List<Supplier<String>> log = new ArrayList<>(); // built only if the run fails

    // the shadow
    final Map<String, MNode> nodes = new LinkedHashMap<>();
    final List<MNode> held = new ArrayList<>(); // in the order they were held
    final List<MNode> activated = new ArrayList<>(); // claimants, in the order their claims began
    final List<String> forgotten = new ArrayList<>(); // ids the graph has forgotten
    Instant now = T0;
    int step;
    int nextId;

    Run(String property, long seed, Config cfg) {
      this.property = property;
      this.seed = seed;
      this.cfg = cfg;
      this.rnd = new SplittableRandom(seed);
      this.graph =
          ExecutionGraph.newBuilder()
              .clock(clock)
              .random(new SplittableRandom(~seed))
              .defaultTtl(DEFAULT_TTL)
              .maxDepth(cfg.maxDepth)
              .maxFanOut(cfg.maxFanOut)
              .maxLiveNodes(cfg.maxLive)
              .retention(cfg.retention)
              .maxLineage(cfg.maxLineage)
              .build();
      this.engine = chance(rnd, cfg.permitAllEngine) ? null : new GenEngine();
      this.authorizer =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(engine == null ? PolicyEngine.permitAll() : engine)
              .auditSink(audit)
              .build();
    }

    /** Where the run is, for failure messages: formatted only when an assertion fails. */
    @Override
    public String toString() {
      return property + " seed=" + seed + " step=" + step + ":";
    }

    void log(String line) {
      String text = "#" + step + " " + line;
      log.add(() -> text);
    }

    /** Logs a line that is built only if the run fails. */
    void log(Supplier<String> line) {
      int at = step;
      log.add(() -> "#" + at + " " + line.get());
    }

    /** The operations so far: the last {@value #LOG_TAIL} unless one seed is being replayed. */
    String operations() {
      int from = CASES == 1 ? 0 : Math.max(0, log.size() - LOG_TAIL);
      StringBuilder sb = new StringBuilder();
      if (from > 0) {
        sb.append("(").append(from).append(" earlier lines: replay the seed to see them)\n");
      }
      for (Supplier<String> line : log.subList(from, log.size())) {
        sb.append(line.get()).append('\n');
      }
      return sb.toString();
    }

    void execute() {
      try {
        log("engine=" + (engine == null ? "permitAll" : "test engine"));
        spawn(0);
        for (step = 1; step <= cfg.steps; step++) {
          int total =
              cfg.spawn + cfg.join + cfg.complete + cfg.revoke + cfg.advance + cfg.authorize;
          int r = rnd.nextInt(total);
          if ((r -= cfg.spawn) < 0) {
            spawn(activeNodes().isEmpty() || rnd.nextInt(25) == 0 ? 0 : 1);
          } else if ((r -= cfg.join) < 0) {
            spawn(2 + (rnd.nextInt(4) == 0 ? 1 : 0));
          } else if ((r -= cfg.complete) < 0) {
            end(false);
          } else if ((r -= cfg.revoke) < 0) {
            end(true);
          } else if ((r -= cfg.advance) < 0) {
            advance();
          } else {
            authorizeRandom();
          }
        }
        // once more, later: every node, asked for something in its own scope
        for (MNode n : new ArrayList<>(nodes.values())) {
          authorize(inScope(n), Mode.PERMIT, false, "final");
        }
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            this
                + " failed; replay with -Dtest=GraphProperties#"
                + property
                + " -Dexecauthz.properties.seed="
                + seed
                + " -Dexecauthz.properties.cases=1"
                + "\n"
                + e
                + "\n--- operations of seed "
                + seed
                + " ---\n"
                + operations(),
            e);
      }
    }

    // ---------------------------------------------------------------- shadow semantics

    /** CONTRACT §2 liveness, in its order: held, cancelled, revoked, completed, expired. */
    NodeState state(MNode n) {
      if (n.own == NodeState.HELD) {
        return now.isBefore(n.deadline) ? NodeState.HELD : NodeState.CANCELLED;
      }
      if (n.own == NodeState.CANCELLED) {
        return NodeState.CANCELLED;
      }
      boolean completed = false;
      for (MNode a : n.lineage) {
        if (a.own == NodeState.REVOKED) {
          return NodeState.REVOKED;
        }
        completed |= a.own == NodeState.COMPLETED;
      }
      if (completed) {
        return NodeState.COMPLETED;
      }
      return now.isBefore(n.deadline) ? NodeState.ACTIVE : NodeState.EXPIRED;
    }

    boolean isLive(MNode n) {
      NodeState s = state(n);
      return s == NodeState.ACTIVE || s == NodeState.HELD;
    }

    List<MNode> activeNodes() {
      List<MNode> out = new ArrayList<>();
      for (MNode n : nodes.values()) {
        if (state(n) == NodeState.ACTIVE) {
          out.add(n);
        }
      }
      return out;
    }

    /** An active claim of a node outside the parents' lineages that overlaps one wanted. */
    String conflict(List<GenPattern> wanted, List<MNode> parents) {
      MNode h = conflictHolder(wanted, parents);
      return h == null ? null : "a claim held by " + h.id;
    }

    /**
     * The holder of the first conflicting active claim, in the order claims became active (the
     * graph's order): the node a held node is made to wait on.
     */
    MNode conflictHolder(List<GenPattern> wanted, List<MNode> parents) {
      if (wanted.isEmpty()) {
        return null;
      }
      for (MNode h : activated) {
        if (h.claims.isEmpty() || state(h) != NodeState.ACTIVE) {
          continue;
        }
        boolean ancestor = false;
        for (MNode p : parents) {
          ancestor |= p.lineage.contains(h);
        }
        if (ancestor) {
          continue;
        }
        for (GenPattern c : h.claims) {
          for (GenPattern w : wanted) {
            if (w.overlaps(c)) {
              return h;
            }
          }
        }
      }
      return null;
    }

    /**
     * What the graph does first in every operation that takes its lock: forget the nodes past their
     * deadline plus the retention, then settle held nodes.
     */
    void graphOp() {
      nodes
          .values()
          .removeIf(
              n -> {
                boolean gone = !now.isBefore(plus(n.deadline, cfg.retention));
                if (gone) {
                  forgotten.add(n.id);
                }
                return gone;
              });
      reconcile();
    }

    static Instant plus(Instant t, Duration d) {
      return Instant.MAX.minus(d).isBefore(t) ? Instant.MAX : t.plus(d);
    }

    /**
     * Held nodes are cancelled when a parent ended or their deadline passed; one whose blocker is
     * no longer active is tried again (oldest first): it starts, or waits on the next conflicting
     * holder.
     */
    void reconcile() {
      for (MNode n : new ArrayList<>(held)) {
        boolean parentEnded = false;
        for (MNode p : n.parents) {
          parentEnded |= state(p) != NodeState.ACTIVE;
        }
        if (parentEnded || !now.isBefore(n.deadline)) {
          n.own = NodeState.CANCELLED;
          held.remove(n);
        } else if (n.blocker == null || state(n.blocker) != NodeState.ACTIVE) {
          MNode h = conflictHolder(n.claims, n.parents);
          if (h == null) {
            n.own = NodeState.ACTIVE;
            n.blocker = null;
            held.remove(n);
            activated.add(n);
          } else {
            n.blocker = h;
          }
        }
      }
    }

    // ---------------------------------------------------------------- spawn and join

    /** A root (0 parents), a spawn (1) or a join (2+), usually valid, sometimes not. */
    void spawn(int parentCount) {
      List<String> parentIds = new ArrayList<>();
      List<MNode> parents = new ArrayList<>();
      for (int i = 0; i < parentCount; i++) {
        if (rnd.nextInt(40) == 0) {
          parentIds.add("ghost-" + rnd.nextInt(5)); // unknown parent
        } else if (i > 0 && rnd.nextInt(30) == 0) {
          parentIds.add(parentIds.get(0)); // named twice
        } else {
          MNode p = pickNode(0.85);
          for (int retry = 0; retry < 4 && parents.contains(p); retry++) {
            p = pickNode(0.85);
          }
          if (p == null || parents.contains(p)) {
            return;
          }
          parentIds.add(p.id);
          parents.add(p);
        }
      }
      String id =
          !nodes.isEmpty() && rnd.nextInt(40) == 0
              ? pick(rnd, new ArrayList<>(nodes.keySet()))
              : !forgotten.isEmpty() && rnd.nextInt(20) == 0
                  ? pick(rnd, forgotten) // a forgotten id, spawned again
                  : "n" + nextId++;

      // capabilities: mostly narrowings of the first parent's, sometimes wider
      Map<String, GenCap> caps = new LinkedHashMap<>();
      if (parentCount == 0) {
        int k = 1 + rnd.nextInt(4);
        for (int i = 0; i < k; i++) {
          GenCap c = GenCapabilities.randomCap(rnd, now, cfg.maxCalls, cfg.approval, cfg.until);
          caps.putIfAbsent(c.text(), c);
        }
      } else if (!parents.isEmpty()) {
        MNode first = parents.get(0);
        int k = rnd.nextInt(12) == 0 ? 0 : 1 + rnd.nextInt(3);
        int widened = chance(rnd, cfg.widen) ? rnd.nextInt(Math.max(k, 1)) : -1;
        for (int i = 0; i < k; i++) {
          GenCap c;
          if (first.caps.isEmpty() || i == widened) {
            c =
                first.caps.isEmpty()
                    ? GenCapabilities.randomCap(rnd, now, cfg.maxCalls, 0.1, 0.1)
                    : GenCapabilities.widen(rnd, pick(rnd, first.caps), now);
          } else {
            c = null;
            for (int attempt = 0; attempt < 6; attempt++) {
              c = GenCapabilities.narrow(rnd, pick(rnd, first.caps), now, cfg.maxCalls);
              boolean all = true;
              for (MNode p : parents) {
                all &= GenCapabilities.firstUncovered(p.caps, List.of(c)) == null;
              }
              if (all) {
                break;
              }
            }
          }
          caps.putIfAbsent(c.text(), c);
        }
      }
      List<GenCap> capList = List.copyOf(caps.values());

      List<GenPattern> claims = new ArrayList<>();
      if (chance(rnd, cfg.claims)) {
        int k = rnd.nextInt(4) == 0 ? 2 : 1;
        for (int i = 0; i < k; i++) {
          claims.add(
              !capList.isEmpty() && rnd.nextInt(10) > 0
                  ? GenCapabilities.narrowPattern(rnd, pick(rnd, capList).resource())
                  : GenCapabilities.randomPattern(rnd, GenCapabilities.randomScheme(rnd)));
        }
      }
      boolean hold = chance(rnd, cfg.hold);
      Duration ttl;
      if (parentCount == 0) {
        ttl = rnd.nextInt(10) < 3 ? null : Duration.ofMinutes(10 + rnd.nextInt(50));
      } else {
        ttl = rnd.nextInt(10) < 4 ? null : Duration.ofSeconds(30L * (1 + rnd.nextInt(80)));
      }
      String principal =
          parentCount == 0
              ? pick(rnd, List.of("user:alice", "agent:planner"))
              : rnd.nextInt(7) == 0 ? "agent:sub" : null;

      NodeSpec.Builder b =
          NodeSpec.builder(id)
              .kind(parentCount == 0 ? "session" : parentCount == 1 ? "task" : "merge");
      List<String> capTexts = new ArrayList<>();
      for (GenCap c : capList) {
        capTexts.add(c.text());
      }
      b.capabilities(capTexts);
      if (!claims.isEmpty()) {
        List<String> claimTexts = new ArrayList<>();
        for (GenPattern c : claims) {
          claimTexts.add(c.text());
        }
        b.claims(claimTexts);
      }
      if (hold) {
        b.holdOnConflict();
      }
      if (ttl != null) {
        b.ttl(ttl);
      }
      if (principal != null) {
        b.principal(principal);
      }
      NodeSpec spec = b.build();

      // the shadow's prediction
      EnumSet<GraphError> errors = EnumSet.noneOf(GraphError.class);
      String conflict = null;
      boolean resolved = parents.size() == parentIds.size();
      boolean claimOutsideCaps = false;
      for (GenPattern w : claims) {
        boolean inside = false;
        for (GenCap c : capList) {
          inside |= c.resource().covers(w);
        }
        claimOutsideCaps |= !inside;
      }
      if (claimOutsideCaps) {
        errors.add(GraphError.ATTENUATION); // checked before anything else
      } else {
        graphOp();
        for (MNode p : parents) {
          resolved &= nodes.get(p.id) == p; // not forgotten after its retention
        }
        if (nodes.containsKey(id) || !resolved) {
          errors.add(GraphError.INVALID);
        }
        if (resolved) {
          for (MNode p : parents) {
            if (state(p) != NodeState.ACTIVE) {
              errors.add(GraphError.PARENT_INACTIVE);
            }
            if (GenCapabilities.firstUncovered(p.caps, capList) != null) {
              errors.add(GraphError.ATTENUATION);
            }
            if (p.depth + 1 > cfg.maxDepth) {
              errors.add(GraphError.LIMIT);
            }
            int liveChildren = 0;
            for (MNode c : p.children) {
              liveChildren += isLive(c) ? 1 : 0;
            }
            if (liveChildren >= cfg.maxFanOut) {
              errors.add(GraphError.LIMIT);
            }
          }
          int live = 0;
          for (MNode n : nodes.values()) {
            live += isLive(n) ? 1 : 0;
          }
          if (live >= cfg.maxLive) {
            errors.add(GraphError.LIMIT);
          }
          Set<MNode> lineage = new LinkedHashSet<>();
          for (MNode p : parents) {
            lineage.addAll(p.lineage);
          }
          if (lineage.size() + 1 > cfg.maxLineage) {
            errors.add(GraphError.LIMIT);
          }
          conflict = conflict(claims, parents);
          if (conflict != null && !hold) {
            errors.add(GraphError.CLAIM_CONFLICT);
          }
        }
      }
      Instant deadline;
      if (parentCount == 0) {
        deadline = now.plus(ttl == null ? DEFAULT_TTL : ttl);
      } else {
        deadline = ttl == null ? Instant.MAX : now.plus(ttl);
        for (MNode p : parents) {
          deadline = p.deadline.isBefore(deadline) ? p.deadline : deadline;
        }
      }
      NodeState initial = conflict == null ? NodeState.ACTIVE : NodeState.HELD;
      String what =
          (parentCount == 0 ? "spawn" : parentCount == 1 ? "spawn" : "join")
              + "("
              + String.join(",", parentIds)
              + (parentCount > 0 ? ", " : "")
              + id
              + " caps="
              + capTexts
              + (claims.isEmpty() ? "" : " claims=" + claims + (hold ? " hold" : ""))
              + (ttl == null ? "" : " ttl=" + ttl)
              + ")";

      ExecutionNode created;
      try {
        created =
            parentCount == 0
                ? graph.spawn(spec)
                : parentCount == 1
                    ? graph.spawn(parentIds.get(0), spec)
                    : graph.join(parentIds, spec);
      } catch (ExecutionGraphException e) {
        log(what + " -> " + e.error() + " (" + e.getMessage() + ")");
        assertThat(errors)
            .as(
                "%s %s failed with %s, but the errors that apply are %s",
                this, what, e.getMessage(), errors)
            .contains(e.error());
        return;
      }
      log(what + " -> " + created.state() + " until " + created.deadline());
      assertThat(errors)
          .as("%s %s succeeded, but these errors apply: %s", this, what, errors)
          .isEmpty();
      assertThat(created.state())
          .as("%s %s: initial state (conflict: %s)", this, what, conflict)
          .isEqualTo(initial);
      assertThat(created.deadline())
          .as("%s %s: deadline (ttl clamped to the parents')", this, what)
          .isEqualTo(deadline);
      assertThat(created.capabilities().texts())
          .as("%s %s: canonical capability texts", this, what)
          .isEqualTo(capTexts);
      MNode n = new MNode(id, parents, capList, List.copyOf(claims), deadline, initial);
      nodes.put(id, n);
      if (initial == NodeState.HELD) {
        n.blocker = conflictHolder(n.claims, n.parents);
        held.add(n);
      } else if (!n.claims.isEmpty()) {
        activated.add(n);
      }
      assertThat(created.depth()).as("%s %s: depth", this, what).isEqualTo(n.depth);
    }

    MNode pickNode(double activeBias) {
      if (nodes.isEmpty()) {
        return null;
      }
      if (chance(rnd, activeBias)) {
        List<MNode> active = activeNodes();
        if (!active.isEmpty()) {
          return pick(rnd, active);
        }
      }
      return pick(rnd, new ArrayList<>(nodes.values()));
    }

    // ---------------------------------------------------------------- complete and revoke

    void end(boolean revoke) {
      MNode target = rnd.nextInt(30) == 0 ? null : pickNode(0.8);
      String id = target == null ? "ghost-" + rnd.nextInt(5) : target.id;
      String what = (revoke ? "revoke(" : "complete(") + id + ")";

      // the shadow's prediction, applied
      Object expected;
      graphOp();
      if (target == null || nodes.get(id) != target) {
        expected = GraphError.INVALID; // unknown, or forgotten after its retention
      } else {
        NodeState s = state(target);
        if (s == NodeState.HELD && !revoke) {
          expected = GraphError.INVALID;
        } else if (s != NodeState.ACTIVE && s != NodeState.HELD) {
          expected = Boolean.FALSE;
        } else {
          expected = Boolean.TRUE;
          target.own = revoke ? NodeState.REVOKED : NodeState.COMPLETED;
          held.remove(target);
          for (MNode d : nodes.values()) {
            if (d.own == NodeState.HELD && d.lineage.contains(target)) {
              d.own = NodeState.CANCELLED;
              held.remove(d);
            }
          }
          reconcile();
        }
      }

      Object actual;
      try {
        actual = revoke ? graph.revoke(id, "test") : graph.complete(id);
      } catch (ExecutionGraphException e) {
        actual = e.error();
      }
      log(what + " -> " + actual);
      assertThat(actual).as("%s %s", this, what).isEqualTo(expected);
      if (target == null || actual instanceof GraphError) {
        return;
      }
      if (revoke) {
        target.revokeReturnedAt = step;
      } else {
        target.completeReturnedAt = step;
      }
      List<MNode> subtree = new ArrayList<>();
      for (MNode d : nodes.values()) {
        if (d.lineage.contains(target)) {
          subtree.add(d);
        }
      }
      for (int i = 0; i < cfg.afterEnd; i++) {
        authorize(inScope(pick(rnd, subtree)), Mode.PERMIT, false, "after " + what);
      }
    }

    // ---------------------------------------------------------------- time

    void advance() {
      Instant t;
      int r = rnd.nextInt(20);
      List<Instant> marks = new ArrayList<>();
      if (r >= 8 && r < 15) {
        for (MNode n : nodes.values()) {
          if (n.deadline.isAfter(now)) {
            marks.add(n.deadline);
          }
          for (GenCap c : n.caps) {
            if (c.until() != null && c.until().isAfter(now)) {
              marks.add(c.until());
            }
          }
        }
      }
      if (!marks.isEmpty()) {
        Instant mark = pick(rnd, marks); // exactly at a deadline, or just before it
        t = rnd.nextInt(4) == 0 && mark.minusNanos(1).isAfter(now) ? mark.minusNanos(1) : mark;
      } else if (r < 15) {
        t = now.plusSeconds(rnd.nextInt(300));
      } else {
        t = now.plusSeconds(300 + rnd.nextInt(900));
      }
      time.advance(Duration.between(now, t));
      now = t;
      boolean sweep = chance(rnd, cfg.sweepAfterAdvance);
      if (sweep) {
        graph.sweep();
        graphOp();
      }
      log("advance to " + t + (sweep ? " and sweep" : ""));
      List<MNode> justEnded = new ArrayList<>();
      for (MNode n : nodes.values()) {
        if (!now.isBefore(n.deadline) && n.deadline.plusSeconds(600).isAfter(now)) {
          justEnded.add(n);
        }
      }
      for (int i = 0; i < cfg.afterAdvance && !justEnded.isEmpty(); i++) {
        authorize(inScope(pick(rnd, justEnded)), Mode.PERMIT, false, "after deadline");
      }
    }

    // ---------------------------------------------------------------- requests

    Req inScope(MNode n) {
      if (n.caps.isEmpty()) {
        GenPattern r = GenCapabilities.randomResource(rnd);
        return new Req(
            n.id, pick(rnd, GenCapabilities.ACTIONS), r.text(), r, rnd.nextInt(10) < 3, false);
      }
      GenCap c = pick(rnd, n.caps);
      GenPattern r = GenCapabilities.instantiate(rnd, c.resource());
      return new Req(
          n.id,
          GenCapabilities.instantiate(rnd, c.action()),
          r.text(),
          r,
          c.approval() ? rnd.nextInt(10) < 7 : rnd.nextInt(10) < 2,
          false);
    }

    void authorizeRandom() {
      Req q;
      if (nodes.isEmpty() || chance(rnd, cfg.unknownNode)) {
        String id = pick(rnd, List.of("ghost-1", "", "n-1", "n" + (nextId + 3), "N0", "n0 "));
        GenPattern r = GenCapabilities.randomResource(rnd);
        q = new Req(id, pick(rnd, GenCapabilities.ACTIONS), r.text(), r, false, false);
      } else if (!forgotten.isEmpty() && rnd.nextInt(8) == 0) {
        // a forgotten node (unless its id was spawned again): UNKNOWN_NODE, never a permit
        String id = pick(rnd, forgotten);
        GenPattern r = GenCapabilities.randomResource(rnd);
        q = new Req(id, pick(rnd, GenCapabilities.ACTIONS), r.text(), r, true, false);
      } else {
        MNode n = pickNode(0.7);
        int src = rnd.nextInt(20);
        if (src < 15) {
          q = inScope(n);
        } else if (src < 18 && n.lineage.size() > 1) {
          q = inScope(pick(rnd, new ArrayList<>(n.lineage)));
          q = new Req(n.id, q.action(), q.resource(), q.parsed(), q.approved(), false);
        } else {
          GenPattern r = GenCapabilities.randomResource(rnd);
          q =
              new Req(
                  n.id, pick(rnd, GenCapabilities.ACTIONS), r.text(), r, rnd.nextBoolean(), false);
        }
      }
      if (chance(rnd, cfg.malformed)) {
        int k = rnd.nextInt(3);
        String action = k == 1 ? q.action() : pick(rnd, GenCapabilities.BAD_ACTIONS);
        String resource = k == 0 ? q.resource() : pick(rnd, GenCapabilities.BAD_RESOURCES);
        q = new Req(q.nodeId(), action, resource, null, q.approved(), true);
      }
      Mode mode = Mode.PERMIT;
      if (engine != null) {
        if (chance(rnd, cfg.engineFaults)) {
          mode = pick(rnd, FAULTS);
        } else if (chance(rnd, cfg.policyDeny)) {
          mode = Mode.DENY;
        }
      }
      authorize(q, mode, chance(rnd, cfg.clockFaults), "");
    }

    /** The shadow's decision for {@code q}: CONTRACT §2, check by check. */
    Expect predict(Req q, Mode mode, boolean clockFails) {
      MNode n = nodes.get(q.nodeId());
      if (clockFails) {
        // no instant to judge deadlines by: an error, unless the answer needs no clock
        Expect e = Expect.deny("the clock failed", Reason.ERROR);
        if (n == null) {
          e.reasons.add(Reason.UNKNOWN_NODE);
        } else {
          NodeState s = state(n);
          if (s == NodeState.REVOKED || s == NodeState.COMPLETED || s == NodeState.CANCELLED) {
            e.reasons.add(Reason.valueOf(s.name()));
          }
        }
        return e;
      }
      if (n == null) {
        return Expect.deny("no such node", Reason.UNKNOWN_NODE);
      }
      if (n.own == NodeState.HELD
          && now.isBefore(n.deadline)
          && n.blocker != null
          && !now.isBefore(n.blocker.deadline)) {
        graphOp(); // the graph (lock free) settles a held node whose blocker's deadline passed
      }
      NodeState s = state(n);
      if (s != NodeState.ACTIVE) {
        Reason r = Reason.valueOf(s.name());
        return q.malformed()
            ? Expect.deny("not live, and malformed", r, Reason.ERROR)
            : Expect.deny("not live", r);
      }
      if (q.malformed()) {
        return Expect.deny("malformed request", Reason.ERROR);
      }
      String action = q.action();
      GenPattern res = q.parsed();
      List<Integer> covering = new ArrayList<>();
      for (int i = 0; i < n.caps.size(); i++) {
        GenCap c = n.caps.get(i);
        if (c.matches(action, res) && c.isValidAt(now)) {
          covering.add(i);
        }
      }
      if (covering.isEmpty()) {
        return Expect.deny("no capability covers it", Reason.OUT_OF_SCOPE);
      }
      if (!GenCapabilities.isRead(action)) {
        for (MNode h : nodes.values()) {
          if (!h.claims.isEmpty()
              && !n.lineage.contains(h)
              && state(h) == NodeState.ACTIVE
              && h.claims.stream().anyMatch(c -> c.matches(res))) {
            return Expect.deny("claimed by " + h.id, Reason.CLAIMED);
          }
        }
      }
      List<Integer> usable = new ArrayList<>();
      for (int i : covering) {
        if (q.approved() || !n.caps.get(i).approval()) {
          usable.add(i);
        }
      }
      if (usable.isEmpty()) {
        return Expect.deny("needs approval", Reason.APPROVAL_REQUIRED);
      }
      Expect permit = new Expect();
      for (MNode level : n.lineage) {
        boolean found = false;
        boolean free = false;
        int pickIdx = -1;
        for (int i = 0; i < level.caps.size() && !free; i++) {
          GenCap c = level.caps.get(i);
          boolean candidate =
              level == n
                  ? usable.contains(i)
                  : c.matches(action, res) && c.isValidAt(now) && (q.approved() || !c.approval());
          if (!candidate) {
            continue;
          }
          found = true;
          if (c.maxCalls() < 0) {
            free = true;
          } else if (pickIdx < 0 && level.remaining(i) > 0) {
            pickIdx = i;
          }
        }
        if (!found) {
          return Expect.deny(
              "ancestor " + level.id + " does not cover it",
              Reason.ERROR,
              Reason.BUDGET_EXHAUSTED,
              Reason.OUT_OF_SCOPE);
        }
        if (free) {
          continue;
        }
        if (pickIdx < 0) {
          return Expect.deny("budget of " + level.id + " used up", Reason.BUDGET_EXHAUSTED);
        }
        permit.planNodes.add(level);
        permit.planCaps.add(pickIdx);
      }
      switch (mode) {
        case PERMIT:
          permit.permit = true;
          return permit;
        case DENY:
          return Expect.deny("policy forbids", Reason.POLICY);
        default:
          return Expect.deny("policy engine " + mode, Reason.ERROR);
      }
    }

    Decision authorize(Req q, Mode mode, boolean clockFails, String label) {
      Expect e = predict(q, mode, clockFails);
      boolean auditFails = e.permit && chance(rnd, cfg.auditFaults);
      if (auditFails) {
        e = Expect.deny("the audit sink failed", Reason.ERROR);
      }
      if (engine != null) {
        engine.mode = mode;
      }
      audit.failNext = auditFails;
      int before = audit.records.size();
      int engineCalls = engine == null ? 0 : engine.calls;
      AuthorizationRequest request =
          new AuthorizationRequest(
              q.nodeId(), q.action(), q.resource(), Map.of(), q.approved(), null);
      Decision d;
      this.clockFails = clockFails;
      try {
        d = authorizer.authorize(request);
      } catch (Throwable t) {
        throw new AssertionError(
            this + " invariant 6 (fail closed): authorize(" + request + ") threw " + t, t);
      } finally {
        this.clockFails = false;
        audit.failNext = false;
      }
      Call what = new Call(label, q, mode, clockFails, auditFails);
      Expect shadow = e;
      log(() -> what + " -> " + d + "   [shadow: " + shadow + "]");

      assertThat(d).as("%s %s returned null", this, what).isNotNull();
      assertThat(audit.records.size() - before)
          .as("%s %s: audit records written for one decision", this, what)
          .isEqualTo(1);
      AuditRecord record = audit.records.get(before);
      assertThat(record.permitted()).as("%s %s: audit record", this, what).isEqualTo(d.isPermit());
      if (d instanceof Decision.Deny deny) {
        assertThat(deny.reason()).as("%s %s: deny reason", this, what).isNotNull();
        assertThat(record.reason())
            .as("%s %s: audited reason", this, what)
            .isEqualTo(deny.reason());
      }

      MNode n = nodes.get(q.nodeId());
      if (d.isPermit()) {
        checkInvariants(q, n, clockFails, what);
      }
      if (e.permit) {
        assertThat(d.isPermit())
            .as("%s %s: the shadow expects PERMIT, got %s", this, what, d)
            .isTrue();
        for (int i = 0; i < e.planNodes.size(); i++) {
          e.planNodes.get(i).used[e.planCaps.get(i)]++;
        }
      } else {
        assertThat(d)
            .as("%s %s: the shadow expects %s", this, what, e)
            .isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).reason())
            .as("%s %s: the shadow expects %s, got %s", this, what, e, d)
            .isIn(e.reasons);
      }
      // (a decision served from the cache does not call the engine)
      if (engine != null && d.isPermit() && engine.calls > engineCalls) {
        assertThat(engine.last.view().nodeId())
            .as("%s %s: the node the policy engine saw", this, what)
            .isEqualTo(q.nodeId());
      }
      return d;
    }

    /** The invariants, checked on any permit from the shadow's record alone. */
    void checkInvariants(Req q, MNode n, boolean clockFails, Call what) {
      assertThat(q.malformed())
          .as("%s invariant 6 (fail closed): %s permitted a malformed request", this, what)
          .isFalse();
      assertThat(clockFails)
          .as("%s invariant 6 (fail closed): %s permitted while the clock failed", this, what)
          .isFalse();
      assertThat(n)
          .as("%s invariant 6 (fail closed): %s permitted on an unknown node", this, what)
          .isNotNull();
      for (MNode a : n.lineage) {
        assertThat(
                graph.node(a.id).capabilities().allows(q.action(), q.resource())
                    && GenCapabilities.anyAllows(a.caps, q.action(), q.parsed()))
            .as(
                "%s invariant 1 (no amplification): %s permitted, but %s's capabilities %s do"
                    + " not allow it",
                this, what, a.id, a.caps)
            .isTrue();
        assertThat(a.revokeReturnedAt)
            .as(
                "%s invariant 2 (revocation is immediate): %s permitted, but revoke(%s) returned"
                    + " at step %d",
                this, what, a.id, a.revokeReturnedAt)
            .isEqualTo(-1);
        assertThat(a.completeReturnedAt)
            .as(
                "%s invariant 3 (completion collapses): %s permitted, but complete(%s) returned"
                    + " at step %d",
                this, what, a.id, a.completeReturnedAt)
            .isEqualTo(-1);
        assertThat(now)
            .as(
                "%s invariant 4 (deadlines hold): %s permitted at %s, at or after %s's deadline",
                this, what, now, a.id)
            .isBefore(a.deadline);
      }
      checkBudgets(q, n, what);
    }

    /**
     * Every permit whose request only budgeted capabilities of node L match (counting only those
     * usable without an approval the request lacks) spends one of their calls; so for every set S
     * of L's budgeted capabilities, the permits whose matching set lies within S number at most the
     * sum of S's maxCalls.
     */
    void checkBudgets(Req q, MNode n, Call what) {
      for (MNode level : n.lineage) {
        int mask = 0;
        int budgeted = 0;
        boolean free = false;
        for (int i = 0; i < level.caps.size(); i++) {
          GenCap c = level.caps.get(i);
          if (c.maxCalls() >= 0) {
            budgeted |= 1 << i;
          }
          if (c.matches(q.action(), q.parsed())
              && c.isValidAt(now)
              && (q.approved() || !c.approval())) {
            mask |= 1 << i;
            free |= c.maxCalls() < 0;
          }
        }
        if (free || mask == 0) {
          continue;
        }
        level.budgetedPermits.merge(mask, 1, Integer::sum);
        for (int s = budgeted; s > 0; s = (s - 1) & budgeted) {
          long allowed = 0;
          for (int i = 0; i < level.caps.size(); i++) {
            if ((s & (1 << i)) != 0) {
              allowed += level.caps.get(i).maxCalls();
            }
          }
          int given = 0;
          for (Map.Entry<Integer, Integer> en : level.budgetedPermits.entrySet()) {
            if ((en.getKey() & ~s) == 0) {
              given += en.getValue();
            }
          }
          if (given > allowed) {
            List<GenCap> spent = new ArrayList<>();
            for (int i = 0; i < level.caps.size(); i++) {
              if ((s & (1 << i)) != 0) {
                spent.add(level.caps.get(i));
              }
            }
            assertThat((long) given)
                .as(
                    "%s budget overspent: %s permitted; the budgets %s of %s allow %d calls in"
                        + " its subtree, %d were permitted",
                    this, what, spent, level.id, allowed, given)
                .isLessThanOrEqualTo(allowed);
          }
        }
      }
    }
  }
}
