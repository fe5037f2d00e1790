package io.execauthz.cedar;

import io.execauthz.ExecutionView;
import io.execauthz.TraceContext;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.spi.PolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs Cedar policies against expected decisions, for security teams' tests in CI. Assertions
 * throw {@link AssertionError} with the whole explanation (decision, determining policies,
 * errors), so they work under JUnit, TestNG or a plain {@code main}.
 *
 * <pre>{@code
 * PolicyTester tester = PolicyTester.of("""
 *     @id("no-shell-without-approval")
 *     forbid(principal, action == Action::"tool.call", resource)
 *     when { resource == Tool::"shell/exec" } unless { context.approved };
 *     permit(principal, action, resource);
 *     """);
 * var call = PolicyTester.request("agent:coder", "tool.call", "tool:shell/exec")
 *     .node("session-1", "session").node("task-7", "task");
 * tester.assertDeniedBy(call, "no-shell-without-approval");
 * tester.assertPermit(call.approved());
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class PolicyTester {
  private final CedarPolicyEngine engine;

  private PolicyTester(CedarPolicyEngine engine) {
    this.engine = engine;
  }

  /** A tester over these policies, validated against the default schema. */
  public static PolicyTester of(String policies) {
    return new PolicyTester(CedarPolicyEngine.of(PolicyStore.of(policies)));
  }

  /** A tester over a store (any schema, files, directories). */
  public static PolicyTester of(PolicyStore store) {
    return new PolicyTester(CedarPolicyEngine.of(store));
  }

  /** A tester over an engine (its limits apply). */
  public static PolicyTester of(CedarPolicyEngine engine) {
    return new PolicyTester(Objects.requireNonNull(engine, "engine"));
  }

  /** A request made on a single root node {@code node} of kind {@code task}, at the epoch. */
  public static Request request(String principal, String action, String resource) {
    return new Request(
        principal, action, resource, List.of(), Map.of(), false, Instant.EPOCH, null);
  }

  /** Decides without asserting. */
  public CedarDecision decide(Request request) {
    return engine.explain(request.toPolicyRequest());
  }

  /** Asserts a permit; returns the decision. */
  public CedarDecision assertPermit(Request request) {
    CedarDecision d = decide(request);
    if (!d.permitted()) {
      throw new AssertionError("expected PERMIT for " + request + " but was " + explain(d));
    }
    return d;
  }

  /** Asserts a permit determined by exactly these permit policies (any order). */
  public CedarDecision assertPermittedBy(Request request, String... policyIds) {
    CedarDecision d = assertPermit(request);
    checkIds(request, d, "PERMIT", policyIds);
    return d;
  }

  /** Asserts a deny without evaluation errors; returns the decision. */
  public CedarDecision assertDeny(Request request) {
    CedarDecision d = decide(request);
    if (d.permitted() || !d.errors().isEmpty()) {
      throw new AssertionError("expected DENY for " + request + " but was " + explain(d));
    }
    return d;
  }

  /** Asserts a deny by exactly these forbid policies (any order). */
  public CedarDecision assertDeniedBy(Request request, String... policyIds) {
    CedarDecision d = assertDeny(request);
    checkIds(request, d, "DENY", policyIds);
    return d;
  }

  /** Asserts a deny because evaluation failed (fail closed); returns the decision. */
  public CedarDecision assertError(Request request) {
    CedarDecision d = decide(request);
    if (d.permitted() || d.errors().isEmpty()) {
      throw new AssertionError("expected an ERROR deny for " + request + " but was " + explain(d));
    }
    return d;
  }

  private static void checkIds(Request r, CedarDecision d, String what, String... ids) {
    List<String> want = new ArrayList<>(List.of(ids));
    want.sort(null);
    List<String> got = new ArrayList<>(d.determiningPolicies());
    got.sort(null);
    if (!want.equals(got)) {
      throw new AssertionError(
          "expected " + what + " by " + want + " for " + r + " but was " + explain(d));
    }
  }

  private static String explain(CedarDecision d) {
    return (d.permitted() ? "PERMIT" : d.errors().isEmpty() ? "DENY" : "DENY (ERROR)")
        + " by "
        + d.determiningPolicies()
        + (d.errors().isEmpty() ? "" : ", errors " + d.errors())
        + " under policy version "
        + d.policyVersion();
  }

  /**
   * A request to test: who, what, on which resource, in which execution. Immutable: every method
   * returns a changed copy.
   */
  public static final class Request {
    private final String principal;
    private final String action;
    private final String resource;
    private final List<String[]> chain; // {id, kind}, root first
    private final Map<String, Object> args;
    private final boolean approved;
    private final Instant now;
    private final List<String> delegators;

    private Request(
        String principal,
        String action,
        String resource,
        List<String[]> chain,
        Map<String, Object> args,
        boolean approved,
        Instant now,
        List<String> delegators) {
      this.principal = Objects.requireNonNull(principal, "principal");
      this.action = Objects.requireNonNull(action, "action");
      this.resource = Objects.requireNonNull(resource, "resource");
      this.chain = List.copyOf(chain);
      this.args = args;
      this.approved = approved;
      this.now = Objects.requireNonNull(now, "now");
      this.delegators = delegators == null ? null : List.copyOf(delegators);
    }

    /**
     * Appends a node to the execution chain (root first); the last node added is the one acting.
     * Without any, the request is made on a root node {@code node} of kind {@code task}.
     */
    public Request node(String id, String kind) {
      List<String[]> c = new ArrayList<>(chain);
      c.add(new String[] {Objects.requireNonNull(id, "id"), Objects.requireNonNull(kind, "kind")});
      return new Request(principal, action, resource, c, args, approved, now, delegators);
    }

    /** The call's arguments ({@code context.args}). */
    public Request args(Map<String, ?> args) {
      return new Request(
          principal, action, resource, chain, new LinkedHashMap<>(args), approved, now, delegators);
    }

    /** Marks the request approved ({@code context.approved}). */
    public Request approved() {
      return new Request(principal, action, resource, chain, args, true, now, delegators);
    }

    /** The time of the request ({@code context.now}); the epoch by default. */
    public Request at(Instant now) {
      return new Request(principal, action, resource, chain, args, approved, now, delegators);
    }

    /**
     * The principals from the root down ({@code context.delegators}); just the principal by
     * default.
     */
    public Request delegators(String... principals) {
      return new Request(
          principal, action, resource, chain, args, approved, now, List.of(principals));
    }

    /** This request as the policy engine sees it. */
    public PolicyRequest toPolicyRequest() {
      List<String[]> c = chain.isEmpty() ? List.<String[]>of(new String[] {"node", "task"}) : chain;
      List<String> path = new ArrayList<>(c.size());
      List<ExecutionView.Lineage> lineage = new ArrayList<>(c.size());
      for (int i = 0; i < c.size(); i++) {
        path.add(c.get(i)[0]);
        lineage.add(
            0,
            new ExecutionView.Lineage(
                c.get(i)[0], c.get(i)[1], i, i == 0 ? List.of() : List.of(c.get(i - 1)[0])));
      }
      String[] self = c.get(c.size() - 1);
      ExecutionView view =
          new ExecutionView(
              "policy-test",
              self[0],
              self[1],
              c.size() - 1,
              principal,
              path,
              lineage,
              delegators == null ? List.of(principal) : delegators,
              Map.of(),
              CapabilitySet.empty(),
              now.plus(Duration.ofHours(1)),
              new TraceContext("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 1),
              List.of());
      return new PolicyRequest(view, action, resource, args, approved, now);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append(principal).append(' ').append(action).append(' ').append(resource);
      if (!chain.isEmpty()) {
        sb.append(" on ");
        for (int i = 0; i < chain.size(); i++) {
          sb.append(i == 0 ? "" : "/").append(chain.get(i)[0]);
        }
      }
      if (approved) {
        sb.append(" (approved)");
      }
      return sb.toString();
    }
  }
}
