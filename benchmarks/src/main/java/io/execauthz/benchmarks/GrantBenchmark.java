package io.execauthz.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionNode;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantAuthorizer;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantToken;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.jwt.SigningKey;
import io.execauthz.jwt.VerifiedGrant;
import io.execauthz.spi.PolicyEngine;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SignatureException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.biscuitsec.biscuit.crypto.KeyPair;
import org.biscuitsec.biscuit.crypto.PublicKey;
import org.biscuitsec.biscuit.datalog.RunLimits;
import org.biscuitsec.biscuit.token.Biscuit;
import org.biscuitsec.biscuit.token.Policy;
import org.biscuitsec.biscuit.token.builder.Block;
import org.biscuitsec.biscuit.token.builder.Fact;
import org.biscuitsec.biscuit.token.builder.parser.Parser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Grants against the peers a user would otherwise call, on one token minted for {@link
 * Fixtures#NODE} (depth 3, four capabilities, the session's principal chain):
 *
 * <ul>
 *   <li>{@code nimbusVerifyRaw}: what a competent user writes with Nimbus alone — {@code
 *       SignedJWT.parse}, {@code alg}/{@code typ}/{@code kid} checked, {@code Ed25519Verifier} on
 *       the public {@code OKPKey} (built once), then {@code exp}/{@code nbf} (5 s skew), {@code
 *       iss}, {@code aud} and the presence of {@code jti} on the claims set;
 *   <li>{@code verifyUncached}: our {@link GrantVerifier} with its cache off ({@code
 *       cacheSize(0)});
 *   <li>{@code verifyCached}: the same verifier with its cache on (the default 10,000), the token
 *       verified once in setup and presented again as an equal but distinct string, as a server
 *       reading it from a new request would hold it;
 *   <li>{@code authorizeUncached}: {@link GrantAuthorizer} on the uncached verifier — verify,
 *       rebuild the view, capability gate, {@link PolicyEngine#permitAll()}, audit dropped: the
 *       like of what {@code biscuitVerify} does;
 *   <li>{@code mint}: {@link GrantIssuer#mint}, signing included;
 *   <li>{@code mintEs256}, {@code verifyUncachedEs256}: the same with a P-256 key, for the choice
 *       of EdDSA as the default;
 *   <li>{@code biscuitVerify}: the Biscuit peer ({@code org.biscuitsec:biscuit} 4.0.1) — a token
 *       with an authority block holding the same node, lineage, principals and four rights, an
 *       expiry and an audience check, and one attenuation block (tool calls on GitHub only, a
 *       shorter expiry), built once; each operation parses it, verifies both blocks' signatures
 *       with the root public key, and authorizes {@code tool.call} on {@code
 *       tool:github/create_issue} with facts and an allow policy parsed once (time limit raised,
 *       see {@link #BISCUIT_LIMITS}).
 * </ul>
 *
 * <p>Verifiers and the issuer read the system clock; tokens live an hour so a long run never sees
 * one expire.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
public class GrantBenchmark {
  static final String ISSUER = "https://orchestrator.example";
  static final String AUDIENCE = "mcp:github";
  private static final Duration LIFETIME = Duration.ofHours(1);
  private static final long SKEW_MS = 5_000;
  private static final JOSEObjectType TYPE = new JOSEObjectType(GrantVerifier.TYPE);

  /**
   * Biscuit's default limits but for time: the default 5 ms is wall-clock time, and the first,
   * interpreted calls of a fresh JVM — or any call during a stall of this shared machine — exceed
   * it and fail with {@code Error.Timeout} (seen in setup here, once even at 500 ms). The limit is
   * a deadline only: raising it costs a warm call nothing.
   */
  private static final RunLimits BISCUIT_LIMITS = new RunLimits(1000, 100, Duration.ofSeconds(10));

  private ExecutionNode node;
  private GrantIssuer issuer;
  private GrantIssuer issuerEs256;

  private String token;
  private String tokenAgain; // equal to token, a different String instance
  private String tokenEs256;

  // nimbusVerifyRaw
  private Ed25519Verifier nimbusVerifier;
  private String kid;

  // ours
  private GrantVerifier uncached;
  private GrantVerifier cached;
  private GrantAuthorizer grantAuthorizer;

  // biscuitVerify
  private String biscuitToken;
  private PublicKey biscuitRoot;
  private List<Fact> biscuitRequest;
  private Policy biscuitAllow;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ExecutionGraph graph = Fixtures.agentRun(ExecutionGraph.newBuilder());
    node = graph.node(Fixtures.NODE);
    SigningKey ed = SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1");
    SigningKey ec = SigningKey.generate(GrantAlgorithm.ES256, "ec-1");
    issuer = GrantIssuer.newBuilder().signingKey(ed).issuer(ISSUER).maxLifetime(LIFETIME).build();
    issuerEs256 =
        GrantIssuer.newBuilder().signingKey(ec).issuer(ISSUER).maxLifetime(LIFETIME).build();
    token = issuer.mint(node, AUDIENCE).compact();
    tokenAgain = new String(token.toCharArray());
    tokenEs256 = issuerEs256.mint(node, AUDIENCE).compact();

    kid = ed.kid();
    nimbusVerifier = new Ed25519Verifier(OctetKeyPair.parse(ed.publicJwk()));

    PublicKeySet keys = PublicKeySet.of(ed, ec);
    // revocation is on by default: both verifiers look the grant up in a (empty) registry
    RevocationRegistry revocations = RevocationRegistry.inMemory(InstantSource.system());
    uncached =
        GrantVerifier.newBuilder()
            .keys(keys)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .revocations(revocations)
            .cacheSize(0)
            .build();
    cached =
        GrantVerifier.newBuilder()
            .keys(keys)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .revocations(revocations)
            .build();
    grantAuthorizer =
        GrantAuthorizer.newBuilder()
            .verifier(uncached)
            .authorizer(
                Authorizer.newBuilder().policyEngine(PolicyEngine.permitAll()).decisionCache(0))
            .build();

    setUpBiscuit();
    checkAll();
  }

  private void setUpBiscuit() throws org.biscuitsec.biscuit.error.Error {
    KeyPair root = new KeyPair();
    biscuitRoot = root.public_key();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    org.biscuitsec.biscuit.token.builder.Biscuit authority =
        Biscuit.builder(root)
            .add_authority_fact("grant(\"3q2-7wEjRWeJq83vASNFZw\")")
            .add_authority_fact("node(\"task-7\", \"task\", 3)")
            .add_authority_fact("parent(\"task-7\", \"worker-3\")")
            .add_authority_fact("parent(\"worker-3\", \"batch-1\")")
            .add_authority_fact("parent(\"batch-1\", \"session\")")
            .add_authority_fact("delegator(\"user:alice\", 0)")
            .add_authority_fact("delegator(\"agent:planner\", 1)")
            .add_authority_fact("delegator(\"agent:coder\", 2)")
            .add_authority_fact("right(\"tool.call\", \"tool:github/\")")
            .add_authority_fact("right(\"fs.read\", \"fs:/repo/\")")
            .add_authority_fact("right(\"fs.write\", \"fs:/repo/src/\")")
            .add_authority_fact("right(\"net.connect\", \"net:api.github.com:443\")")
            .add_authority_check("check if time($t), $t < " + now.plus(LIFETIME))
            .add_authority_check("check if service(\"" + AUDIENCE + "\")");
    Biscuit minted = authority.build();
    Block attenuation = minted.create_block();
    attenuation.add_check(
        "check if operation(\"tool.call\"), resource($r), $r.starts_with(\"tool:github/\")");
    attenuation.add_check("check if time($t), $t < " + now.plus(LIFETIME.dividedBy(2)));
    biscuitToken = minted.attenuate(attenuation).serialize_b64url();

    biscuitRequest =
        List.of(
            Parser.fact("operation(\"" + Fixtures.ACTION + "\")").get()._2,
            Parser.fact("resource(\"" + Fixtures.RESOURCE + "\")").get()._2,
            Parser.fact("service(\"" + AUDIENCE + "\")").get()._2);
    biscuitAllow =
        Parser.policy(
                "allow if operation($op), resource($r), right($op, $prefix),"
                    + " $r.starts_with($prefix)")
            .get()
            ._2;
  }

  private void checkAll() throws Exception {
    JWTClaimsSet raw = nimbusVerifyRaw();
    Fixtures.check(Fixtures.NODE.equals(raw.getStringClaim("ctx")), "nimbus: wrong ctx " + raw);
    for (VerifiedGrant g :
        List.of(verifyUncached(), verifyCached(), verifyCached(), verifyUncachedEs256())) {
      Fixtures.check(g.nodeId().equals(Fixtures.NODE), "verified the wrong node: " + g);
      Fixtures.check(g.capabilities().size() == 4, "expected four capabilities: " + g);
    }
    Decision d = authorizeUncached();
    Fixtures.check(d.isPermit(), "authorizeUncached does not permit: " + d);
    Fixtures.check(biscuitVerify() == 0, "biscuit: not allowed by the policy");
    Fixtures.check(mint().compact().length() == token.length(), "mint: token length changed");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    checkAll();
  }

  @Benchmark
  public JWTClaimsSet nimbusVerifyRaw() throws ParseException, JOSEException {
    SignedJWT jwt = SignedJWT.parse(token);
    JWSHeader h = jwt.getHeader();
    if (!JWSAlgorithm.EdDSA.equals(h.getAlgorithm())
        || !TYPE.equals(h.getType())
        || !kid.equals(h.getKeyID())) {
      throw new IllegalStateException("unexpected header " + h);
    }
    if (!jwt.verify(nimbusVerifier)) {
      throw new IllegalStateException("bad signature");
    }
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    long now = System.currentTimeMillis();
    Date exp = c.getExpirationTime();
    Date nbf = c.getNotBeforeTime();
    if (exp == null || now >= exp.getTime() + SKEW_MS) {
      throw new IllegalStateException("expired or no exp");
    }
    if (nbf != null && now + SKEW_MS < nbf.getTime()) {
      throw new IllegalStateException("not yet valid");
    }
    if (!ISSUER.equals(c.getIssuer())
        || !c.getAudience().contains(AUDIENCE)
        || c.getJWTID() == null) {
      throw new IllegalStateException("bad iss, aud or jti");
    }
    return c;
  }

  @Benchmark
  public VerifiedGrant verifyUncached() {
    return uncached.verify(token);
  }

  @Benchmark
  public VerifiedGrant verifyCached() {
    return cached.verify(tokenAgain);
  }

  @Benchmark
  public Decision authorizeUncached() {
    return grantAuthorizer.authorize(token, Fixtures.ACTION, Fixtures.RESOURCE);
  }

  @Benchmark
  public GrantToken mint() {
    return issuer.mint(node, AUDIENCE);
  }

  @Benchmark
  public GrantToken mintEs256() {
    return issuerEs256.mint(node, AUDIENCE);
  }

  @Benchmark
  public VerifiedGrant verifyUncachedEs256() {
    return uncached.verify(tokenEs256);
  }

  /** Returns the index of the matching allow policy; throws if the token does not authorize. */
  @Benchmark
  public long biscuitVerify()
      throws org.biscuitsec.biscuit.error.Error,
          NoSuchAlgorithmException,
          SignatureException,
          InvalidKeyException {
    org.biscuitsec.biscuit.token.Authorizer a =
        Biscuit.from_b64url(biscuitToken, biscuitRoot).authorizer();
    for (Fact f : biscuitRequest) {
      a.add_fact(f);
    }
    a.set_time();
    a.add_policy(biscuitAllow);
    return a.authorize(BISCUIT_LIMITS);
  }
}
