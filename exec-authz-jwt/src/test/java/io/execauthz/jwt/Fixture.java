package io.execauthz.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.audit.AuditRecord;
import io.execauthz.jwt.internal.Jose;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyEngine;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A graph with a session and a batch, an issuer, a tool server's verifier and grant authorizer, all
 * on one test clock; the keys are made once per JVM (Ed25519 costs ~70/200 µs a sign/verify).
 */
final class Fixture {
  static final String ISSUER = "https://orchestrator.test";
  static final String AUDIENCE = "mcp:files";
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  static final SigningKey ED = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");
  static final SigningKey EC = SigningKey.generate(GrantAlgorithm.ES256, "ec-1");

  /** The attacker's key, under the trusted kid. */
  static final SigningKey FOREIGN = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");

  final TestClock clock = new TestClock(START);
  final RevocationRegistry revocations = RevocationRegistry.inMemory(clock);
  final ExecutionGraph graph =
      ExecutionGraph.newBuilder().clock(clock).listener(revocations.graphListener(ISSUER)).build();
  final GrantIssuer issuer;
  final GrantVerifier verifier;
  final List<AuditRecord> audit = new CopyOnWriteArrayList<>();
  final GrantAuthorizer tools;

  Fixture() {
    this(ED);
  }

  Fixture(SigningKey key) {
    graph.spawn(
        NodeSpec.builder("s")
            .kind("session")
            .principal("user:alice")
            .capabilities("fs.* fs:/repo/**", "tool.call tool:**")
            .ttl(Duration.ofHours(1))
            .build());
    graph.spawn(
        "s",
        NodeSpec.builder("b1")
            .kind("batch")
            .principal("agent:planner")
            .capabilities("fs.read fs:/repo/**", "tool.call tool:github/*")
            .attributes(Map.of("team", "docs"))
            .ttl(Duration.ofMinutes(30))
            .build());
    issuer =
        GrantIssuer.newBuilder()
            .signingKey(key)
            .issuer(ISSUER)
            .clock(clock)
            .revocations(revocations)
            .build();
    verifier =
        GrantVerifier.newBuilder()
            .keys(PublicKeySet.of(ED, EC))
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .clock(clock)
            .revocations(revocations)
            .build();
    AuditSink sink = audit::add;
    tools =
        GrantAuthorizer.newBuilder()
            .verifier(verifier)
            .authorizer(
                Authorizer.newBuilder()
                    .clock(clock)
                    .budgetLedger(graph.budgetLedger())
                    .policyEngine(PolicyEngine.permitAll())
                    .auditSink(sink))
            .build();
  }

  /** As a revocation from another orchestrator replica would arrive: straight to the registry. */
  void registryRevokesDirectly(String nodeId) {
    revocations.nodeEnded(
        ISSUER,
        graph.id(),
        nodeId,
        io.execauthz.NodeState.REVOKED,
        START.plus(Duration.ofHours(1)));
  }

  GrantToken mintB1() {
    return issuer.mint(graph.node("b1"), AUDIENCE);
  }

  // ---- crafting tokens as an attacker (or a misbehaving issuer) would ----

  static String b64(String json) {
    return Jose.encode(json.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, Object> header(String token) {
    return parse(token.substring(0, token.indexOf('.')));
  }

  static Map<String, Object> claims(String token) {
    return parse(token.substring(token.indexOf('.') + 1, token.lastIndexOf('.')));
  }

  private static Map<String, Object> parse(String part) {
    return parseJson(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  static Map<String, Object> parseJson(String json) {
    try {
      return JSONObjectUtils.parse(json);
    } catch (ParseException e) {
      throw new AssertionError(e);
    }
  }

  /** Signs a header and the claims exactly as written (duplicate members and all). */
  static String signRaw(Map<String, Object> header, String claimsJson, SigningKey key) {
    String input = b64(Jose.toJson(header)) + "." + b64(claimsJson);
    try {
      JWSSigner signer = Jose.signer(JWK.parse(key.toPrivateJwk()));
      return input
          + "."
          + signer.sign(JWSHeader.parse(header), input.getBytes(StandardCharsets.US_ASCII));
    } catch (ParseException | JOSEException e) {
      throw new AssertionError(e);
    }
  }

  /** Signs any header and claims with {@code key}'s private key. */
  static String sign(Map<String, Object> header, Map<String, Object> claims, SigningKey key) {
    String input = b64(Jose.toJson(header)) + "." + b64(Jose.toJson(claims));
    try {
      JWSSigner signer = Jose.signer(JWK.parse(key.toPrivateJwk()));
      return input
          + "."
          + signer.sign(JWSHeader.parse(header), input.getBytes(StandardCharsets.US_ASCII));
    } catch (ParseException | JOSEException e) {
      throw new AssertionError(e);
    }
  }
}
