package io.execauthz.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeSpec;
import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyEngine;
import java.io.PrintWriter;
import java.util.SplittableRandom;

/**
 * Runs checked scenarios (CONTRACT §5): one JSON object per step on the output, and a count of the
 * steps whose expectation held and failed. One runner may run several files; decisions of all of
 * them go to the one audit sink.
 */
final class ScenarioRunner {
  private final PrintWriter out;
  private final AuditSink audit;
  private final ObjectMapper json = new ObjectMapper();
  private final ScenarioPolicies policies;
  private int passed;
  private int failed;

  ScenarioRunner(PrintWriter out, AuditSink audit, ScenarioPolicies policies) {
    this.out = out;
    this.audit = audit;
    this.policies = policies;
  }

  int passed() {
    return passed;
  }

  int failed() {
    return failed;
  }

  /**
   * Runs one scenario.
   *
   * @return whether every expectation held
   * @throws ScenarioException when the policies do not load (exit 2)
   */
  boolean run(Scenario scenario) {
    PolicyEngine engine = policies.engine(scenario);
    ManualClock clock = new ManualClock(scenario.clock());
    RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
    ExecutionGraph graph =
        ExecutionGraph.newBuilder()
            .clock(clock)
            .random(new SplittableRandom(0))
            .listener(revocations.graphListener())
            .build();
    Authorizer authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(engine).auditSink(audit).build();
    ScenarioGrants grants = new ScenarioGrants(graph, engine, audit, clock, revocations);
    boolean allOk = true;
    for (Scenario.Step step : scenario.steps()) {
      ObjectNode line = json.createObjectNode();
      line.put("step", step.number());
      line.put("op", step.op());
      String outcome;
      if (step instanceof Scenario.Spawn s) {
        outcome = spawn(graph, s, line);
      } else if (step instanceof Scenario.Complete c) {
        outcome = end(line, c.node(), () -> graph.complete(c.node()));
      } else if (step instanceof Scenario.Revoke r) {
        outcome = end(line, r.node(), () -> graph.revoke(r.node(), r.reason()));
      } else if (step instanceof Scenario.Advance a) {
        clock.advance(a.by());
        line.put("by", a.by().toString());
        line.put("now", clock.instant().toString());
        outcome = "OK";
      } else if (step instanceof Scenario.Authorize a) {
        Decision d =
            a.grant() != null
                ? grants.authorize(a, line)
                : authorizer.authorize(request(a.node(), a));
        if (a.node() != null) {
          line.put("node", a.node());
        }
        line.put("action", a.action());
        line.put("resource", a.resource());
        describe(d, line);
        outcome = d instanceof Decision.Deny x ? "DENY " + x.reason() : "PERMIT";
      } else if (step instanceof Scenario.GrantStep g) {
        outcome = grants.grant(g, line);
      } else {
        outcome = grants.attenuate((Scenario.Attenuate) step, line);
      }
      Scenario.Expect expect = step.expect();
      boolean ok = expect == null || expect.matches(outcome);
      if (expect != null) {
        line.put("expected", expect.text());
      }
      line.put("ok", ok);
      if (ok) {
        passed++;
      } else {
        failed++;
        allOk = false;
      }
      out.println(line);
    }
    return allOk;
  }

  static AuthorizationRequest request(String nodeId, Scenario.Authorize a) {
    AuthorizationRequest r =
        new AuthorizationRequest(nodeId, a.action(), a.resource(), a.args(), a.approved(), null);
    return a.traceparent() == null ? r : r.withTraceparent(a.traceparent());
  }

  static void describe(Decision d, ObjectNode line) {
    if (d instanceof Decision.Deny x) {
      line.put("decision", "DENY");
      line.put("reason", x.reason().name());
      line.put("detail", x.detail());
    } else {
      line.put("decision", "PERMIT");
    }
    if (!d.determiningPolicies().isEmpty()) {
      line.putPOJO("policies", d.determiningPolicies());
    }
  }

  private static String spawn(ExecutionGraph graph, Scenario.Spawn s, ObjectNode line) {
    line.put("node", s.id());
    NodeSpec.Builder b =
        NodeSpec.builder(s.id())
            .kind(s.kind())
            .capabilities(s.capabilities())
            .claims(s.claims())
            .attributes(s.attributes());
    if (s.principal() != null) {
      b.principal(s.principal());
    }
    if (s.ttl() != null) {
      b.ttl(s.ttl());
    }
    if (s.hold()) {
      b.holdOnConflict();
    }
    try {
      ExecutionNode n =
          s.parents().isEmpty()
              ? graph.spawn(b.build())
              : s.op().equals("join")
                  ? graph.join(s.parents(), b.build())
                  : graph.spawn(s.parents().get(0), b.build());
      line.put("state", n.state().name());
      line.put("capabilities", n.capabilities().size());
      line.put("deadline", n.deadline().toString());
      return n.state() == io.execauthz.NodeState.HELD ? "HELD" : "OK";
    } catch (ExecutionGraphException e) {
      line.put("error", e.error().name());
      line.put("detail", e.getMessage());
      return e.error().name();
    }
  }

  private static String end(ObjectNode line, String node, Runnable op) {
    line.put("node", node);
    try {
      op.run();
      return "OK";
    } catch (ExecutionGraphException e) {
      line.put("error", e.error().name());
      line.put("detail", e.getMessage());
      return e.error().name();
    }
  }
}
