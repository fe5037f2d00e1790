package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exec-authz keys / grant} as processes: issue, attenuate, verify, inspect. */
final class GrantCommandsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path key;
  Path jwks;

  @BeforeEach
  void keys() throws Exception {
    key = dir.resolve("key.json");
    jwks = dir.resolve("jwks.json");
    Cli.Result r =
        Cli.run("keys", "generate", "--out", key.toString(), "--public", jwks.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readString(jwks)).contains("\"keys\"").doesNotContain("\"d\"");
    assertThat(Files.readString(key)).contains("\"d\"");
  }

  private String issue(String... extra) throws Exception {
    String[] base = {
      "grant",
      "issue",
      "--key",
      key.toString(),
      "--iss",
      "orch",
      "--sub",
      "agent:x",
      "--aud",
      "mcp:files",
      "--ttl",
      "2m",
      "--cap",
      "fs.read fs:/repo/**"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    Cli.Result r = Cli.run(args);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip();
  }

  @Test
  void issue_thenVerify_printsTheClaims() throws Exception {
    String token = issue();
    Cli.Result r =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            jwks.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:files",
            token);
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode claims = JSON.readTree(r.out());
    assertThat(claims.get("sub").asText()).isEqualTo("agent:x");
    assertThat(claims.get("aud").asText()).isEqualTo("mcp:files");
    assertThat(claims.get("cap").get(0).asText()).isEqualTo("fs.read fs:/repo/**");
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(120);
  }

  @Test
  void verify_wrongAudience_isInvalidGrantNamingTheCheck() throws Exception {
    String token = issue();
    Cli.Result r =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            jwks.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:db",
            token);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("INVALID_GRANT AUDIENCE");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void verify_later_isExpired() throws Exception {
    String token = issue();
    Cli.Result r =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            jwks.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:files",
            "--at",
            "2099-01-01T00:00:00Z",
            token);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("EXPIRED");
  }

  @Test
  void verify_tamperedToken_isInvalidGrant() throws Exception {
    String token = issue();
    String[] parts = token.split("\\.");
    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]));
    String widened = payload.replace("fs.read fs:/repo/**", "fs.* fs:/**");
    String forged =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(widened.getBytes())
            + "."
            + parts[2];
    Cli.Result r =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            jwks.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:files",
            forged);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("INVALID_GRANT SIGNATURE");
  }

  @Test
  void attenuation_narrower_isIssued_wider_isRefused() throws Exception {
    String parent = issue();
    Cli.Result child =
        Cli.run(
            "grant",
            "issue",
            "--key",
            key.toString(),
            "--iss",
            "orch",
            "--parent",
            parent,
            "--cap",
            "fs.read fs:/repo/docs/**");
    assertThat(child.exit()).as(child.err()).isZero();
    Cli.Result verified =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            jwks.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:files",
            child.out().strip());
    assertThat(verified.exit()).as(verified.err()).isZero();
    JsonNode claims = JSON.readTree(verified.out());
    assertThat(claims.get("pgr").asText())
        .isEqualTo(
            JSON.readTree(Cli.run("grant", "inspect", "--format", "json", parent).out())
                .get("claims")
                .get("jti")
                .asText());

    Cli.Result wider =
        Cli.run(
            "grant",
            "issue",
            "--key",
            key.toString(),
            "--iss",
            "orch",
            "--parent",
            parent,
            "--cap",
            "fs.write fs:/repo/**");
    assertThat(wider.exit()).isEqualTo(1);
    assertThat(wider.err()).startsWith("ATTENUATION").contains("fs.write fs:/repo/**");
    assertThat(wider.out()).isEmpty();
  }

  @Test
  void inspect_showsHeaderAndClaims_neverTheSignature() throws Exception {
    String token = issue();
    Cli.Result r = Cli.run("grant", "inspect", "--format", "json", token);
    assertThat(r.exit()).isZero();
    JsonNode out = JSON.readTree(r.out());
    assertThat(out.get("header").get("typ").asText()).isEqualTo("exec-grant+jwt");
    assertThat(out.get("header").get("alg").asText()).isEqualTo("EdDSA");
    assertThat(out.get("claims").get("sub").asText()).isEqualTo("agent:x");
    assertThat(out.get("verified").asBoolean()).isFalse();
    assertThat(r.out()).doesNotContain(token.split("\\.")[2]);
  }

  @Test
  void inspect_garbage_exitsTwo() throws Exception {
    Cli.Result r = Cli.run("grant", "inspect", "not-a-token");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("not a grant");
  }

  @Test
  void inspect_aTokenWithTwoCapClaims_isMalformed_notShownAsOneOfThem() throws Exception {
    String[] parts = issue().split("\\.");
    String claims =
        new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    // a second cap, spelled with an escape, appended to the claims object
    String twice = claims.substring(0, claims.length() - 1) + ",\"\\u0063ap\":[\"* fs:/**\"]}";
    String token =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(twice.getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    Cli.Result r = Cli.run("grant", "inspect", token);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip()).doesNotContain("\n").contains("malformed").contains("'cap'");
    assertThat(r.err()).doesNotContain("* fs:/**");
  }

  @Test
  void es256Keys_work_too() throws Exception {
    Path k = dir.resolve("es.json");
    Path pub = dir.resolve("es-jwks.json");
    assertThat(
            Cli.run(
                    "keys",
                    "generate",
                    "--alg",
                    "ES256",
                    "--out",
                    k.toString(),
                    "--public",
                    pub.toString())
                .exit())
        .isZero();
    Cli.Result t =
        Cli.run(
            "grant",
            "issue",
            "--key",
            k.toString(),
            "--iss",
            "orch",
            "--sub",
            "user:alice",
            "--aud",
            "mcp:x",
            "--cap",
            "tool.call tool:**");
    assertThat(t.exit()).as(t.err()).isZero();
    Cli.Result r =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            pub.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:x",
            t.out().strip());
    assertThat(r.exit()).as(r.err()).isZero();
    // the EdDSA set does not verify it
    Cli.Result other =
        Cli.run(
            "grant",
            "verify",
            "--format",
            "json",
            "--jwks",
            jwks.toString(),
            "--iss",
            "orch",
            "--aud",
            "mcp:x",
            t.out().strip());
    assertThat(other.exit()).isEqualTo(1);
    assertThat(other.err()).startsWith("INVALID_GRANT");
  }
}
