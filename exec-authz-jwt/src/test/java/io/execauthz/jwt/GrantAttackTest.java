package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import io.execauthz.Decision;
import io.execauthz.Reason;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.jwt.internal.Jose;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every attack of issue 4's "must show" list (and a few more), each a typed rejection by the
 * verifier and a Deny, audited, from grant-backed authorization. Real Nimbus signing throughout.
 */
final class GrantAttackTest {
  private final Fixture f = new Fixture();
  private final String good = f.mintB1().compact();

  /** The typed rejection, then the Deny through the tool server's one call, then its audit. */
  private void assertRefused(String token, GrantCheck check) {
    assertThatThrownBy(() -> f.verifier.verify(token))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> {
              assertThat(e.check()).as(e.getMessage()).isEqualTo(check);
              assertThat(e.getMessage()).startsWith(check.name() + ": ");
            });
    int before = f.audit.size();
    Decision d = f.tools.authorize(token, "fs.read", "fs:/repo/a.md");
    assertThat(d)
        .isInstanceOfSatisfying(
            Decision.Deny.class,
            deny -> {
              assertThat(deny.reason()).as(deny.detail()).isEqualTo(check.reason());
              assertThat(deny.detail()).startsWith(check.name());
            });
    assertThat(f.audit).hasSize(before + 1);
    assertThat(f.audit.get(before).permitted()).isFalse();
    assertThat(f.audit.get(before).reason()).isEqualTo(check.reason());
  }

  private Map<String, Object> goodHeader() {
    return new LinkedHashMap<>(Fixture.header(good));
  }

  private Map<String, Object> goodClaims() {
    return new LinkedHashMap<>(Fixture.claims(good));
  }

  /**
   * The good claims with {@code extra} appended to the claims object, signed by the trusted key.
   */
  private String withDuplicate(String extra) {
    String json = Jose.toJson(goodClaims());
    return Fixture.signRaw(
        goodHeader(), json.substring(0, json.length() - 1) + extra + "}", Fixture.ED);
  }

  @Test
  void twoCapClaims_signedByTheTrustedKey_areMalformed_neverReadEitherWay() {
    // a parser that keeps the first cap and one that keeps the last would disagree
    assertRefused(withDuplicate(",\"cap\":[\"* fs:/**\"]"), GrantCheck.MALFORMED);
    // spelled with an escape, the name is still 'cap'
    assertRefused(withDuplicate(",\"\\u0063ap\":[\"* fs:/**\"]"), GrantCheck.MALFORMED);
  }

  @Test
  void aDuplicateMemberInsideANestedClaim_isMalformed() {
    Map<String, Object> c = goodClaims();
    String json = Jose.toJson(c);
    // the first lin entry names its id twice
    int lin = json.indexOf("\"lin\":[{");
    assertThat(lin).isPositive();
    int at = lin + "\"lin\":[{".length();
    String twice = json.substring(0, at) + "\"id\":\"s\"," + json.substring(at);
    String token = Fixture.signRaw(goodHeader(), twice, Fixture.ED);
    assertRefused(token, GrantCheck.MALFORMED);
    assertThatThrownBy(() -> f.verifier.verify(token)).hasMessageContaining("'id' is named twice");
  }

  @Test
  void aDuplicateHeaderMember_isMalformed() {
    String claims = good.split("\\.")[1];
    String header =
        "{\"alg\":\"EdDSA\",\"typ\":\"exec-grant+jwt\",\"kid\":\"ed-1\",\"kid\":\"ed-1\"}";
    String token = Fixture.b64(header) + "." + claims + "." + good.split("\\.")[2];
    assertRefused(token, GrantCheck.MALFORMED);
  }

  @Test
  void budgetScopes_thatAreMalformed_orNameANodeOutsideTheLineage_areInvalid() {
    for (Object bud :
        List.of(
            "no",
            List.of("no"),
            List.of(Map.of("node", "s", "cap", List.of())),
            List.of(Map.of("node", "s", "cap", List.of("fs.read fs:/repo/**"))), // no maxCalls
            List.of(Map.of("node", "s", "cap", List.of("not a capability maxCalls=1"))),
            List.of(Map.of("node", "elsewhere", "cap", List.of("fs.read fs:/** maxCalls=1"))),
            List.of(Map.of("node", "s", "cap", List.of("fs.read fs:/** maxCalls=1"), "x", 1)))) {
      Map<String, Object> c = goodClaims();
      c.put("bud", bud);
      assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.INVALID_CLAIM);
    }
    Map<String, Object> c = goodClaims();
    c.put("gid", "");
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.INVALID_CLAIM);
  }

  @Test
  void theUntamperedGrant_isPermitted() {
    assertThat(f.tools.authorize(good, "fs.read", "fs:/repo/a.md").isPermit()).isTrue();
    assertThat(f.verifier.verify(good).nodeId()).isEqualTo("b1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE"})
  void algNone_isRefused(String none) {
    Map<String, Object> h = goodHeader();
    h.put("alg", none);
    String unsigned = Fixture.b64(Jose.toJson(h)) + "." + good.split("\\.")[1] + ".";
    assertRefused(unsigned, GrantCheck.ALGORITHM);
    // with the original signature left on, too
    assertRefused(unsigned + good.split("\\.")[2], GrantCheck.ALGORITHM);
  }

  @Test
  void hs256KeyedWithThePublicKey_isRefused() throws Exception {
    Map<String, Object> h = goodHeader();
    h.put("alg", "HS256");
    String input = Fixture.b64(Jose.toJson(h)) + "." + good.split("\\.")[1];
    // the classic confusion: the verifier's public key (here: its published JWK) as the HMAC secret
    byte[] secret = Fixture.ED.publicJwk().getBytes(StandardCharsets.UTF_8);
    String sig =
        new MACSigner(secret)
            .sign(new JWSHeader(JWSAlgorithm.HS256), input.getBytes(StandardCharsets.US_ASCII))
            .toString();
    assertRefused(input + "." + sig, GrantCheck.ALGORITHM);
    // and keyed with the raw public key bytes
    byte[] raw = JWK.parse(Fixture.ED.publicJwk()).toOctetKeyPair().getDecodedX();
    String sig2 =
        new MACSigner(raw)
            .sign(new JWSHeader(JWSAlgorithm.HS256), input.getBytes(StandardCharsets.US_ASCII))
            .toString();
    assertRefused(input + "." + sig2, GrantCheck.ALGORITHM);
  }

  @Test
  void tamperedPayload_isRefused() {
    Map<String, Object> c = goodClaims();
    c.put("cap", List.of("fs.* fs:/**", "tool.call tool:**"));
    String[] parts = good.split("\\.");
    String tampered = parts[0] + "." + Fixture.b64(Jose.toJson(c)) + "." + parts[2];
    assertRefused(tampered, GrantCheck.SIGNATURE);
    // even after the genuine token was verified and cached under the same signature
    f.verifier.verify(good);
    assertRefused(tampered, GrantCheck.SIGNATURE);
  }

  @Test
  void tamperedSignature_isRefused() {
    String[] parts = good.split("\\.");
    char[] sig = parts[2].toCharArray();
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    assertRefused(parts[0] + "." + parts[1] + "." + new String(sig), GrantCheck.SIGNATURE);
  }

  @Test
  void nonCanonicalBase64Signature_isRefused() {
    // Ed25519's 64-byte signature leaves 4 spare bits in its last character: flipping them would
    // give a second spelling of the same signature; only the canonical one is accepted.
    String[] parts = good.split("\\.");
    String sig = parts[2];
    char last = sig.charAt(sig.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char other = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    String twin = parts[0] + "." + parts[1] + "." + sig.substring(0, sig.length() - 1) + other;
    assertRefused(twin, GrantCheck.MALFORMED);
  }

  @Test
  void foreignKeyUnderATrustedKid_isRefused() {
    String forged = Fixture.sign(goodHeader(), goodClaims(), Fixture.FOREIGN);
    assertThat(Fixture.header(forged).get("kid")).isEqualTo("ed-1");
    assertRefused(forged, GrantCheck.SIGNATURE);
  }

  @Test
  void unknownKid_isRefused() {
    Map<String, Object> h = goodHeader();
    h.put("kid", "ed-2");
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.FOREIGN), GrantCheck.UNKNOWN_KEY);
    h.remove("kid");
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.ED), GrantCheck.UNKNOWN_KEY);
  }

  @Test
  void embeddedJwkHeader_isIgnored_soTheAttackersKeyIsNeverUsed() throws Exception {
    Map<String, Object> h = goodHeader();
    h.put("jwk", JWK.parse(Fixture.FOREIGN.publicJwk()).toJSONObject());
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.FOREIGN), GrantCheck.SIGNATURE);
  }

  @Test
  void algNotTheOneTheKeyIsPinnedTo_isRefused() {
    // a P-256 signature under the Ed25519 key's kid
    Map<String, Object> h = goodHeader();
    h.put("alg", "ES256");
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.EC), GrantCheck.ALGORITHM);
    // RS256 and friends are not on the allowlist at all
    h.put("alg", "RS256");
    assertRefused(
        Fixture.b64(Jose.toJson(h)) + "." + good.split("\\.")[1] + ".c2ln", GrantCheck.ALGORITHM);
  }

  @Test
  void wrongTyp_isRefused() {
    Map<String, Object> h = goodHeader();
    h.put("typ", "JWT");
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.ED), GrantCheck.TYPE);
    h.remove("typ");
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.ED), GrantCheck.TYPE);
  }

  @Test
  void critHeader_isRefused() {
    Map<String, Object> h = goodHeader();
    h.put("crit", List.of("exp"));
    h.put("exp", 1);
    assertRefused(Fixture.sign(h, goodClaims(), Fixture.ED), GrantCheck.CRITICAL);
  }

  @Test
  void wrongAudience_isRefused() {
    String other = f.issuer.mint(f.graph.node("b1"), "mcp:shell").compact();
    assertRefused(other, GrantCheck.AUDIENCE);
  }

  @Test
  void wrongIssuer_isRefused() {
    Map<String, Object> c = goodClaims();
    c.put("iss", "https://evil.test");
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.ISSUER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"exp", "jti", "iss", "aud", "sub", "iat", "nbf", "ctx", "path", "cap"})
  void missingRequiredClaim_isRefused(String claim) {
    Map<String, Object> c = goodClaims();
    c.remove(claim);
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.MISSING_CLAIM);
  }

  @Test
  void malformedClaims_areRefused() {
    Map<String, Object> c = goodClaims();
    c.put("cap", List.of("fs.read"));
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.INVALID_CLAIM);
    c = goodClaims();
    c.put("exp", "tomorrow");
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.INVALID_CLAIM);
    c = goodClaims();
    c.put("path", List.of("s", "other"));
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.INVALID_CLAIM);
  }

  @Test
  void expired_isRefused_pastTheSkewOnly() {
    f.clock.advance(Duration.ofMinutes(5)); // exp
    assertThat(f.verifier.verify(good).nodeId()).isEqualTo("b1"); // within the 5 s skew
    f.clock.advance(Duration.ofSeconds(5));
    assertRefused(good, GrantCheck.EXPIRED);
  }

  @Test
  void notYetValid_isRefused() {
    Map<String, Object> c = goodClaims();
    long now = Fixture.START.getEpochSecond();
    c.put("nbf", now + 6);
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.NOT_YET_VALID);
    c.put("nbf", now + 5); // within the skew
    assertThat(f.verifier.verify(Fixture.sign(goodHeader(), c, Fixture.ED))).isNotNull();
    c.put("nbf", now);
    c.put("iat", now + 60);
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.NOT_YET_VALID);
  }

  @Test
  void tooLongLived_isRefused() {
    Map<String, Object> c = goodClaims();
    c.put("exp", Fixture.START.getEpochSecond() + 2 * 3600);
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.LIFETIME);
  }

  @Test
  void oversized_isRefusedBeforeParsing() {
    assertRefused("x".repeat(8 * 1024 + 1), GrantCheck.OVERSIZED);
    Map<String, Object> c = goodClaims();
    c.put("pad", "p".repeat(8 * 1024));
    assertRefused(Fixture.sign(goodHeader(), c, Fixture.ED), GrantCheck.OVERSIZED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "abc",
        "eyJhbGciOiJFZERTQSJ9.e30",
        "a.b.c.d.e",
        "!!!.e30.c2ln",
        "eyJhbGciOiJFZERTQSJ9=.e30.c2ln",
        "bm90IGpzb24.e30.c2ln",
        "W10.e30.c2ln",
        ".."
      })
  void garbage_isRefused(String garbage) {
    assertRefused(garbage, GrantCheck.MALFORMED);
  }

  @Test
  void garbageClaimsUnderAGenuineHeader_areRefused() {
    String[] parts = good.split("\\.");
    assertRefused(parts[0] + ".bm90IGpzb24." + parts[2], GrantCheck.SIGNATURE);
    assertRefused(parts[0] + ".%%%." + parts[2], GrantCheck.MALFORMED);
    // authentic but not JSON: signed with the trusted key
    String input = parts[0] + "." + Fixture.b64("not json");
    assertRefused(input + "." + signRaw(goodHeader(), input), GrantCheck.MALFORMED);
  }

  private static String signRaw(Map<String, Object> header, String input) {
    try {
      return Jose.signer(JWK.parse(Fixture.ED.toPrivateJwk()))
          .sign(JWSHeader.parse(header), input.getBytes(StandardCharsets.US_ASCII))
          .toString();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void duplicateHeaderMembers_areRefused() {
    // RFC 7515 §4: a parser must reject duplicate names (or keep the last); never the first
    String h = "{\"alg\":\"EdDSA\",\"typ\":\"exec-grant+jwt\",\"kid\":\"ed-1\",\"alg\":\"none\"}";
    String[] parts = good.split("\\.");
    assertRefused(Fixture.b64(h) + "." + parts[1] + "." + parts[2], GrantCheck.MALFORMED);
  }

  @Test
  void nullToken_isRefused() {
    assertRefused(null, GrantCheck.MALFORMED);
  }

  @Test
  void widenedChild_isRefusedAtMinting_andAForgedOneAtTheServer() {
    GrantToken parent =
        f.issuer.attenuate(
            f.graph.node("b1"),
            Fixture.AUDIENCE,
            CapabilitySet.parse("fs.read fs:/repo/docs/**"),
            Duration.ofMinutes(5));
    assertThatThrownBy(
            () ->
                f.issuer.attenuate(
                    parent,
                    CapabilitySet.parse("fs.read fs:/repo/docs/**", "fs.read fs:/repo/src/**"),
                    Duration.ofMinutes(1)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.ATTENUATION);
              assertThat(e.getMessage()).contains("'fs.read fs:/repo/src/**'");
            });
    // widening by stricter constraints is refused too: dropping "approval" or raising maxCalls
    GrantToken approved =
        f.issuer.attenuate(
            f.graph.node("b1"),
            Fixture.AUDIENCE,
            CapabilitySet.parse("fs.read fs:/repo/** maxCalls=3 approval"),
            Duration.ofMinutes(5));
    for (String wider :
        List.of("fs.read fs:/repo/** maxCalls=3", "fs.read fs:/repo/** maxCalls=4 approval")) {
      assertThatThrownBy(
              () -> f.issuer.attenuate(approved, CapabilitySet.parse(wider), Duration.ofMinutes(1)))
          .isInstanceOfSatisfying(
              GrantIssuanceException.class,
              e -> assertThat(e.error()).isEqualTo(IssuanceError.ATTENUATION));
    }
    // from a node: more than the node holds
    assertThatThrownBy(
            () ->
                f.issuer.attenuate(
                    f.graph.node("b1"),
                    Fixture.AUDIENCE,
                    CapabilitySet.parse("fs.write fs:/repo/**"),
                    Duration.ofMinutes(1)))
        .isInstanceOfSatisfying(
            GrantIssuanceException.class,
            e -> {
              assertThat(e.error()).isEqualTo(IssuanceError.ATTENUATION);
              assertThat(e.getMessage()).contains("'fs.write fs:/repo/**'", "node 'b1'");
            });

    // a widened child made anyway: by editing a genuine child's claims...
    GrantToken child =
        f.issuer.attenuate(
            parent, CapabilitySet.parse("fs.read fs:/repo/docs/a/**"), Duration.ofMinutes(1));
    Map<String, Object> c = new LinkedHashMap<>(Fixture.claims(child.compact()));
    c.put("cap", List.of("fs.* fs:/repo/**"));
    String[] parts = child.compact().split("\\.");
    assertRefused(
        parts[0] + "." + Fixture.b64(Jose.toJson(c)) + "." + parts[2], GrantCheck.SIGNATURE);
    // ...or by signing it with a key of one's own
    assertRefused(
        Fixture.sign(Fixture.header(child.compact()), c, Fixture.FOREIGN), GrantCheck.SIGNATURE);
    // the genuine child permits what it carries, and nothing of what the parent had beyond it
    assertThat(f.tools.authorize(child.compact(), "fs.read", "fs:/repo/docs/a/x").isPermit())
        .isTrue();
    assertThat(f.tools.authorize(child.compact(), "fs.read", "fs:/repo/docs/b"))
        .isInstanceOfSatisfying(
            Decision.Deny.class, d -> assertThat(d.reason()).isEqualTo(Reason.OUT_OF_SCOPE));
  }

  @Test
  void forgedParent_isRefusedAtAttenuation_andAtTheServer() {
    // the attacker signs a wide "parent" with their own key under the trusted kid
    Map<String, Object> c = goodClaims();
    c.put("cap", List.of("fs.* fs:/**", "tool.call tool:**"));
    c.put("jti", "forged-parent");
    String forgedParent = Fixture.sign(goodHeader(), c, Fixture.FOREIGN);
    assertThatThrownBy(
            () ->
                f.issuer.attenuate(
                    forgedParent, CapabilitySet.parse("fs.* fs:/etc/**"), Duration.ofMinutes(1)))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.SIGNATURE));
    assertRefused(forgedParent, GrantCheck.SIGNATURE);

    // a child naming a genuine parent (pgr) but signed by the attacker
    Map<String, Object> child = goodClaims();
    child.put("pgr", Fixture.claims(good).get("jti"));
    child.put("gch", List.of(Fixture.claims(good).get("jti")));
    child.put("jti", "forged-child");
    assertRefused(Fixture.sign(goodHeader(), child, Fixture.FOREIGN), GrantCheck.SIGNATURE);
  }

  @Test
  void retiredKey_isRefused() {
    GrantVerifier v =
        f.verifier.withKeys(
            PublicKeySet.of(Fixture.ED, Fixture.EC).retire("ed-1", Fixture.START.plusSeconds(30)));
    assertThat(v.verify(good).keyId()).isEqualTo("ed-1"); // cached from here on
    f.clock.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> v.verify(good))
        .isInstanceOfSatisfying(
            GrantVerificationException.class,
            e -> assertThat(e.check()).isEqualTo(GrantCheck.RETIRED_KEY));
  }
}
