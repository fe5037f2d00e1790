package io.execauthz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionNode;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantAuthorizer;
import io.execauthz.jwt.GrantIssuanceException;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantToken;
import io.execauthz.jwt.GrantVerificationException;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.jwt.SigningKey;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.BudgetLedger;
import io.execauthz.spi.PolicyEngine;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * The grant steps of a scenario: {@code grant} mints for a node, {@code attenuate} narrows a grant,
 * and {@code authorize} with {@code grant:} decides as a tool server would — verifying the token
 * offline against the scenario issuer's public keys, its audience and the revocation registry the
 * graph feeds, then running the same pipeline with the scenario's policies and the graph's budget
 * ledger, so a node's {@code maxCalls} bind however many grants carry it.
 */
final class ScenarioGrants {
  static final String ISSUER = "exec-authz-simulate";

  private final ExecutionGraph graph;
  private final PolicyEngine engine;
  private final AuditSink audit;
  private final InstantSource clock;
  private final RevocationRegistry revocations;
  private GrantIssuer issuer;
  private final Map<String, GrantToken> named = new HashMap<>();
  private final Map<String, GrantAuthorizer> servers = new HashMap<>();

  ScenarioGrants(
      ExecutionGraph graph,
      PolicyEngine engine,
      AuditSink audit,
      InstantSource clock,
      RevocationRegistry revocations) {
    this.graph = graph;
    this.engine = engine;
    this.audit = audit;
    this.clock = clock;
    this.revocations = revocations;
  }

  private GrantIssuer issuer() {
    if (issuer == null) {
      issuer =
          GrantIssuer.newBuilder()
              .signingKey(SigningKey.generate(GrantAlgorithm.EDDSA))
              .issuer(ISSUER)
              .clock(clock)
              .revocations(revocations)
              .build();
    }
    return issuer;
  }

  String grant(Scenario.GrantStep g, ObjectNode line) {
    line.put("node", g.node());
    line.put("as", g.as());
    try {
      ExecutionNode node = graph.node(g.node());
      GrantToken t =
          g.ttl() == null
              ? issuer().mint(node, g.audience())
              : issuer().mint(node, g.audience(), g.ttl());
      return minted(g.as(), t, line);
    } catch (GrantIssuanceException e) {
      return refused(e.error().name(), e.getMessage(), line);
    } catch (GrantVerificationException e) {
      return refused(e.check().reason().name(), e.getMessage(), line);
    }
  }

  String attenuate(Scenario.Attenuate a, ObjectNode line) {
    line.put("grant", a.grant());
    line.put("as", a.as());
    GrantToken parent = named.get(a.grant());
    if (parent == null) {
      return refused("INVALID", "grant '" + a.grant() + "' was never minted", line);
    }
    try {
      GrantToken t =
          issuer()
              .attenuate(
                  parent, a.capabilities(), a.ttl() == null ? Duration.ofMinutes(5) : a.ttl());
      return minted(a.as(), t, line);
    } catch (GrantIssuanceException e) {
      return refused(e.error().name(), e.getMessage(), line);
    } catch (GrantVerificationException e) {
      return refused(e.check().reason().name(), e.getMessage(), line);
    }
  }

  Decision authorize(Scenario.Authorize a, ObjectNode line) {
    line.put("grant", a.grant());
    line.put("audience", a.audience());
    GrantAuthorizer server =
        servers.computeIfAbsent(
            a.audience(),
            aud ->
                toolServer(
                    issuer(),
                    ISSUER,
                    aud,
                    clock,
                    revocations,
                    graph.budgetLedger(),
                    engine,
                    audit));
    GrantToken t = named.get(a.grant());
    String token = t == null ? "" : t.compact();
    return server.authorize(token, ScenarioRunner.request(t == null ? "" : t.nodeId(), a));
  }

  /**
   * A tool server for one audience: it trusts {@code issuer}'s public keys, checks the revocation
   * registry the graph feeds, counts budgets in {@code ledger} (the graph's, so grants spend the
   * node's own counters) and decides with {@code engine} on an authorizer without a graph.
   */
  static GrantAuthorizer toolServer(
      GrantIssuer issuer,
      String issuerName,
      String audience,
      InstantSource clock,
      RevocationRegistry revocations,
      BudgetLedger ledger,
      PolicyEngine engine,
      AuditSink audit) {
    return GrantAuthorizer.newBuilder()
        .verifier(
            GrantVerifier.newBuilder()
                .keys(issuer.publicKeys())
                .issuer(issuerName)
                .audience(audience)
                .clock(clock)
                .revocations(revocations)
                .build())
        .authorizer(
            Authorizer.newBuilder()
                .clock(clock)
                .budgetLedger(ledger)
                .policyEngine(engine)
                .auditSink(audit))
        .build();
  }

  private String minted(String as, GrantToken t, ObjectNode line) {
    named.put(as, t);
    line.put("jti", t.id());
    line.put("capabilities", t.capabilities().size());
    line.put("expires", t.expiresAt().toString());
    return "OK";
  }

  private static String refused(String code, String message, ObjectNode line) {
    line.put("error", code);
    line.put("detail", message);
    return code;
  }
}
