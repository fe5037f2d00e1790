package io.execauthz.cli;

import io.execauthz.Decision;
import io.execauthz.ExecutionNode;
import io.execauthz.ExecutionView;
import io.execauthz.Explanation;
import io.execauthz.NodeState;
import io.execauthz.Reason;
import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.capability.ResourceSchemes;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.spi.AuditSink;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exec-authz explain --scenario FILE --step N}: why one {@code authorize} step decided as it
 * did. The scenario runs up to the step; the step's request is then decided as {@code simulate}
 * decides it, and every check of the pipeline is printed in CONTRACT §2's order — node exists,
 * liveness, capability gate, claims, approval, budget, policy — with what it looked at and its
 * outcome, and for the policy step which policies were satisfied, which errored and which forbid
 * won.
 *
 * <p>The outcome of each check, and the policy step's satisfied and erroring policies, come from
 * {@link io.execauthz.Authorizer#explain}: the very steps the authorizer runs, never re-decided
 * here. What each check looked at (the node, covering capabilities, claims, budgets) is read from
 * the node and the graph through their public APIs. The live budget counters, which {@code explain}
 * leaves out as {@code check} does, show when the step itself was refused by them. A request under
 * a grant is explained from its decision (the tool server's side has no graph to explain on).
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explains every check behind one authorize step of a scenario.",
      "",
      "Runs the scenario up to step N, then decides that step's request as simulate does and"
          + " prints each check (node exists, liveness, capability gate, claims, approval, budget,"
          + " policy) with what it looked at and its outcome; for the policy step, which policies"
          + " were satisfied, which errored and which forbid won.",
      "",
      "Exit 0 when the step was explained, 2 when the file or the step is invalid."
    },
    footerHeading = "%nExample:%n",
    footer = {"  exec-authz explain --scenario examples/security-team-policies.yaml --step 5"})
final class ExplainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--scenario",
      required = true,
      paramLabel = "FILE",
      description = "The scenario file (YAML).")
  Path scenario;

  @Option(
      names = "--step",
      required = true,
      paramLabel = "N",
      description = "The number (1-based) of the authorize step to explain.")
  int step;

  /** The checks in pipeline order (CONTRACT §2). */
  static final List<String> CHECKS =
      List.of(
          "node exists", "liveness", "capability gate", "claims", "approval", "budget", "policy");

  private static final String INDENT = "                        ";

  private PrintWriter out;
  private Ansi ansi;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    ansi = Main.ansi(spec);
    PrintWriter err = spec.commandLine().getErr();
    try (ScenarioPolicies policies = new ScenarioPolicies()) {
      Scenario s = Scenario.read(scenario);
      if (step < 1 || step > s.steps().size()) {
        throw new ScenarioException(
            scenario + ": --step " + step + ": the scenario has steps 1 to " + s.steps().size());
      }
      if (!(s.steps().get(step - 1) instanceof Scenario.Authorize a)) {
        throw new ScenarioException(
            scenario
                + ": --step "
                + step
                + ": step "
                + step
                + " is a "
                + s.steps().get(step - 1).op()
                + "; explain takes an authorize step");
      }
      ScenarioRun run = new ScenarioRun(s, policies.engine(s), AuditSink.discarding());
      for (Scenario.Step earlier : s.steps().subList(0, step - 1)) {
        run.apply(earlier);
      }
      explain(s, run, a);
    } catch (ScenarioException e) {
      out.flush();
      err.println("exec-authz: " + e.getMessage());
      return 2;
    }
    out.flush();
    return 0;
  }

  private void explain(Scenario s, ScenarioRun run, Scenario.Authorize a) {
    Instant now = run.clock().instant();
    out.println(ansi.bold("step " + a.number() + " of " + s.file()) + "  (" + s.name() + ")");
    out.println(
        "request: "
            + (a.node() != null ? "node " + a.node() : "grant " + a.grant() + " at " + a.audience())
            + "  "
            + a.action()
            + " "
            + a.resource()
            + (a.approved() ? "  (approved)" : "  (not approved)")
            + (a.args().isEmpty() ? "" : "  args " + a.args())
            + "  at "
            + now);
    out.println();
    if (a.grant() != null) {
      explainGrant(run.apply(a), a);
      return;
    }
    // The checks from the pipeline itself, side-effect free (no budget, no audit), then the step as
    // simulate runs it: the explanation leaves the live budget counters out, as check does.
    Explanation e = run.authorizer().explain(ScenarioRun.request(a.node(), a));
    StepResult result = run.apply(a);
    Decision d = result.decision();
    Decision.Deny live =
        e.decision().isPermit()
                && d instanceof Decision.Deny deny
                && (deny.reason() == Reason.BUDGET_EXHAUSTED || deny.reason() == Reason.UNAVAILABLE)
            ? deny
            : null;
    List<List<String>> details = nodeDetails(run, a, e);
    for (Explanation.Check c : e.checks()) {
      int i = c.step().ordinal();
      boolean notReached;
      String status;
      if (live != null && c.step() == Explanation.Step.BUDGET) {
        notReached = false;
        status =
            ansi.red("FAIL")
                + "  "
                + live.reason()
                + ": "
                + live.detail()
                + ansi.dim(" (the live counters)");
      } else if (live != null && c.step() == Explanation.Step.POLICY) {
        notReached = true;
        status = ansi.dim("not reached");
      } else {
        notReached = c.outcome() instanceof Explanation.Skipped;
        status = status(c.outcome());
      }
      out.printf("  %d  %-16s %s%n", i + 1, CHECKS.get(i), status);
      if (notReached && !details.get(i).isEmpty()) {
        out.println(INDENT + ansi.dim("had the request got this far:"));
      }
      for (String line : details.get(i)) {
        out.println(INDENT + line);
      }
    }
    decision(result);
    if (e.decision().isPermit() != d.isPermit()) {
      out.println(
          "(without budgets the request would "
              + (e.decision().isPermit() ? "be permitted" : "be denied")
              + ")");
    }
  }

  private String status(Explanation.Outcome o) {
    if (o instanceof Explanation.Failed f) {
      return ansi.red("FAIL") + "  " + f.reason() + ": " + f.detail();
    }
    return o instanceof Explanation.Skipped ? ansi.dim("not reached") : ansi.green("pass");
  }

  private void decision(StepResult result) {
    Decision d = result.decision();
    out.println();
    String outcome = result.outcome();
    out.println(
        "decision: "
            + (d.isPermit() ? ansi.green(outcome) : ansi.red(outcome))
            + (d.determiningPolicies().isEmpty()
                ? ""
                : " (" + String.join(", ", d.determiningPolicies()) + ")")
            + (result.expected() == null
                ? ""
                : "   expected " + result.expected() + (result.ok() ? ": holds" : ": FAILS")));
  }

  /**
   * A request under a grant, as a tool server decides it: the authorizer explains requests on the
   * graph's nodes, so here the decision's reason says which check refused.
   */
  private void explainGrant(StepResult result, Scenario.Authorize a) {
    Decision d = result.decision();
    int failed = d instanceof Decision.Deny deny ? checkOf(deny) : -1;
    List<List<String>> details = grantDetails(a, d);
    int shown = 0;
    String verified =
        failed == 0
            ? ansi.red("FAIL")
                + "  "
                + ((Decision.Deny) d).reason()
                + ": "
                + ((Decision.Deny) d).detail()
            : ansi.green("pass");
    out.printf("  %d  %-16s %s%n", ++shown, "grant verified", verified);
    out.println(INDENT + "signature, issuer, audience, time and the revocation registry");
    for (int i = 2; i < CHECKS.size(); i++) {
      // a tool server has no graph: the verified grant stands in for node and liveness
      boolean claimsSkipped = i == 3;
      boolean notReached = failed >= 0 && i > failed;
      String status;
      if (claimsSkipped) {
        status = ansi.dim("not checked (claims are the graph's, not a tool server's)");
      } else if (notReached) {
        status = ansi.dim("not reached");
      } else if (i == failed) {
        Decision.Deny deny = (Decision.Deny) d;
        status = ansi.red("FAIL") + "  " + deny.reason() + ": " + deny.detail();
      } else {
        status = ansi.green("pass");
      }
      out.printf("  %d  %-16s %s%n", ++shown, CHECKS.get(i), status);
      if (!claimsSkipped) {
        for (String line : details.get(i)) {
          out.println(INDENT + line);
        }
      }
    }
    decision(result);
  }

  /** Which check of a grant's request (index into {@link #CHECKS}, 0: verification) refused. */
  static int checkOf(Decision.Deny d) {
    return switch (d.reason()) {
      case UNKNOWN_NODE, INVALID_GRANT, HELD, CANCELLED, REVOKED, COMPLETED, EXPIRED -> 0;
      case OUT_OF_SCOPE -> 2;
      case CLAIMED -> 3;
      case APPROVAL_REQUIRED -> 4;
      case BUDGET_EXHAUSTED, UNAVAILABLE -> 5;
      case POLICY, ERROR -> 6;
    };
  }

  /**
   * What each check looked at, for a request on a node of the graph: read from the node, the graph
   * and the explanation's policy step, never decided again here.
   */
  private List<List<String>> nodeDetails(
      ScenarioRun run, Scenario.Authorize a, Explanation explanation) {
    List<List<String>> details = new ArrayList<>();
    for (int i = 0; i < CHECKS.size(); i++) {
      details.add(new ArrayList<>());
    }
    Optional<ExecutionNode> found = run.graph().find(a.node());
    if (found.isEmpty()) {
      details.get(0).add("no node '" + a.node() + "' in the graph");
      return details;
    }
    ExecutionNode node = found.get();
    ExecutionView view = node.view();
    details
        .get(0)
        .add(
            "'"
                + node.id()
                + "' ("
                + node.kind()
                + ", depth "
                + node.depth()
                + ", "
                + node.principal()
                + "), path "
                + String.join(" > ", view.path()));
    NodeState state = node.state();
    details.get(1).add(state + ", deadline " + node.deadline());
    ResourcePattern resource;
    try {
      resource = ResourceSchemes.defaults().resource(a.resource());
    } catch (CapabilitySyntaxException e) {
      details.get(2).add("the resource has no canonical form: " + e.getMessage());
      return details;
    }
    List<Capability> matching = node.capabilities().matching(a.action(), resource);
    if (matching.isEmpty()) {
      details.get(2).add("the node holds " + node.capabilities().size() + " capabilities:");
      node.capabilities().texts().forEach(t -> details.get(2).add("  " + t));
    } else {
      details.get(2).add("covered by " + texts(matching));
    }
    claims(run, a, node, view, resource, details.get(3));
    List<Capability> needApproval = matching.stream().filter(Capability::requiresApproval).toList();
    if (matching.isEmpty()) {
      details.get(4).add("no covering capability");
    } else if (needApproval.size() < matching.size()) {
      details.get(4).add("a covering capability needs no approval");
    } else {
      details
          .get(4)
          .add(
              texts(needApproval)
                  + " needs approval; the request "
                  + (a.approved() ? "carries one" : "carries none"));
    }
    budgets(a, node, view, resource, details.get(5));
    policy(run, explanation.check(Explanation.Step.POLICY), details.get(6));
    return details;
  }

  private static void claims(
      ScenarioRun run,
      Scenario.Authorize a,
      ExecutionNode node,
      ExecutionView view,
      ResourcePattern resource,
      List<String> out) {
    if (a.action().equals("read") || a.action().endsWith(".read")) {
      out.add("a read: claims never refuse " + a.action());
      return;
    }
    Set<String> own = new HashSet<>();
    view.lineage().forEach(l -> own.add(l.id()));
    boolean any = false;
    for (ExecutionNode other : run.nodes()) {
      if (other.state() != NodeState.ACTIVE) {
        continue;
      }
      for (ResourcePattern claim : other.claims()) {
        if (claim.covers(resource)) {
          any = true;
          out.add(
              "claim "
                  + claim
                  + " of '"
                  + other.id()
                  + "' covers the resource"
                  + (own.contains(other.id())
                      ? (other.id().equals(node.id()) ? " (the node's own)" : " (an ancestor's)")
                      : ""));
        }
      }
    }
    if (!any) {
      out.add("no active claim covers " + a.resource());
    }
  }

  private static void budgets(
      Scenario.Authorize a,
      ExecutionNode node,
      ExecutionView view,
      ResourcePattern resource,
      List<String> out) {
    List<Capability> own =
        node.capabilities().matching(a.action(), resource).stream()
            .filter(c -> c.maxCalls().isPresent())
            .toList();
    if (!own.isEmpty()) {
      out.add("at '" + node.id() + "' (the node): " + texts(own));
    }
    for (ExecutionView.BudgetScope scope : view.budgetScopes()) {
      if (scope.nodeId().equals(node.id())) {
        continue;
      }
      List<Capability> m = scope.capabilities().matching(a.action(), resource);
      List<Capability> budgeted = m.stream().filter(c -> c.maxCalls().isPresent()).toList();
      if (!budgeted.isEmpty()) {
        out.add("at '" + scope.nodeId() + "': " + texts(budgeted));
      }
    }
    if (out.isEmpty()) {
      out.add("no maxCalls budget binds this request");
    }
  }

  /** The policy step as the pipeline ran it: what held, what errored, which forbid won. */
  private static void policy(ScenarioRun run, Explanation.Check c, List<String> out) {
    if (!(run.engine() instanceof CedarPolicyEngine cedar)) {
      out.add("no policies in this scenario: the graph alone decides (permit all)");
      return;
    }
    if (c.outcome() instanceof Explanation.Skipped) {
      return; // the engine was not asked
    }
    out.add("Cedar, policy version " + cedar.version() + ":");
    boolean errored = !c.errors().isEmpty();
    if (c.passed()) {
      out.add("  satisfied permit policies: " + String.join(", ", c.determiningPolicies()));
      out.add("  no forbid policy was satisfied");
    } else if (!errored && !c.determiningPolicies().isEmpty()) {
      out.add("  satisfied forbid policies: " + String.join(", ", c.determiningPolicies()));
      out.add("  a satisfied forbid overrides every permit: the forbid won");
    } else if (!errored) {
      out.add("  no permit policy was satisfied (Cedar denies by default)");
    }
    for (String err : c.errors()) {
      out.add("  errored: " + err);
    }
    if (errored) {
      out.add("  an error denies (fail closed)");
    }
  }

  /** For a request under a grant: what the decision says (the token is the tool server's). */
  private static List<List<String>> grantDetails(Scenario.Authorize a, Decision d) {
    List<List<String>> details = new ArrayList<>();
    for (int i = 0; i < CHECKS.size(); i++) {
      details.add(new ArrayList<>());
    }
    if (!d.nodePath().isEmpty()) {
      details.get(2).add("the grant is for node path " + String.join(" > ", d.nodePath()));
    }
    if (!d.determiningPolicies().isEmpty()) {
      details
          .get(6)
          .add(
              (d.isPermit() ? "satisfied permit policies: " : "satisfied forbid policies: ")
                  + String.join(", ", d.determiningPolicies()));
    }
    if (d instanceof Decision.Deny deny && deny.reason() == Reason.POLICY) {
      if (deny.determiningPolicies().isEmpty()) {
        details.get(6).add("no permit policy was satisfied");
      }
    }
    if (d instanceof Decision.Deny deny) {
      deny.errors().forEach(e -> details.get(6).add("errored: " + e));
    }
    return details;
  }

  private static String texts(List<Capability> caps) {
    List<String> t = new ArrayList<>();
    caps.forEach(c -> t.add("'" + c + "'"));
    return String.join(", ", t);
  }
}
