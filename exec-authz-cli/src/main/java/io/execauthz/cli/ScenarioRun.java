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
import io.execauthz.NodeState;
import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyEngine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One scenario being run: its clock, graph, authorizer, grants and policy engine, advanced one step
 * at a time. {@code simulate} applies every step; {@code explain} applies the steps before the one
 * it explains and then inspects the state as it stands. Not thread-safe (a scenario is a sequence).
 */
final class ScenarioRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PolicyEngine engine;
  private final ManualClock clock;
  private final ExecutionGraph graph;
  private final Authorizer authorizer;
  private final ScenarioGrants grants;
  private final Set<String> spawned = new LinkedHashSet<>();

  ScenarioRun(Scenario scenario, PolicyEngine engine, AuditSink audit) {
    this.engine = engine;
    this.clock = new ManualClock(scenario.clock());
    RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
    this.graph =
        ExecutionGraph.newBuilder()
            .clock(clock)
            .random(new SplittableRandom(0))
            .listener(revocations.graphListener(ScenarioGrants.ISSUER))
            .build();
    this.authorizer =
        Authorizer.newBuilder().graph(graph).policyEngine(engine).auditSink(audit).build();
    this.grants = new ScenarioGrants(graph, engine, audit, clock, revocations);
  }

  PolicyEngine engine() {
    return engine;
  }

  ManualClock clock() {
    return clock;
  }

  ExecutionGraph graph() {
    return graph;
  }

  Authorizer authorizer() {
    return authorizer;
  }

  /** The nodes the graph holds, in the order they were first spawned. */
  List<ExecutionNode> nodes() {
    List<ExecutionNode> out = new ArrayList<>();
    for (String id : spawned) {
      graph.find(id).ifPresent(out::add);
    }
    return out;
  }

  /** Applies one step and says what it did. */
  StepResult apply(Scenario.Step step) {
    ObjectNode line = JSON.createObjectNode();
    line.put("step", step.number());
    line.put("op", step.op());
    String outcome;
    Decision decision = null;
    if (step instanceof Scenario.Spawn s) {
      outcome = spawn(s, line);
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
      decision =
          a.grant() != null
              ? grants.authorize(a, line)
              : authorizer.authorize(request(a.node(), a));
      if (a.node() != null) {
        line.put("node", a.node());
      }
      line.put("action", a.action());
      line.put("resource", a.resource());
      describe(decision, line);
      outcome = decision instanceof Decision.Deny x ? "DENY " + x.reason() : "PERMIT";
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
    return new StepResult(step, line, outcome, decision, ok);
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

  private String spawn(Scenario.Spawn s, ObjectNode line) {
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
      spawned.add(n.id());
      line.put("state", n.state().name());
      line.put("capabilities", n.capabilities().size());
      line.put("deadline", n.deadline().toString());
      return n.state() == NodeState.HELD ? "HELD" : "OK";
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
