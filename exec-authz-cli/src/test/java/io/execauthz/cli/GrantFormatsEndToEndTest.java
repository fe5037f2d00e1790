package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grant issue / verify / inspect} as processes, in both formats: readable by default, and
 * with {@code --format json} exactly the output of before (the claims pretty-printed; the header,
 * claims and {@code "verified": false}; the token alone).
 */
final class GrantFormatsEndToEndTest {
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
  }

  private Cli.Result issue(String... format) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
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
                "fs.read fs:/repo/**",
                "--cap",
                "tool.call tool:gh/*"));
    args.addAll(List.of(format));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  private Cli.Result verify(String token, String aud, String... format) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("grant", "verify", "--jwks", jwks.toString(), "--iss", "orch", "--aud", aud));
    args.addAll(List.of(format));
    args.add(token);
    return Cli.run(args.toArray(String[]::new));
  }

  /** One labelled row as the readable output prints it. */
  private static String row(String label, String value) {
    return String.format("  %-19s %s", label, value);
  }

  private static JsonNode payload(String token) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
  }

  @Test
  void issue_bothFormats_printTheTokenAloneOnStdout_textAddsOneLineOnStderr() throws Exception {
    Cli.Result text = issue();
    Cli.Result json = issue("--format", "json");
    for (Cli.Result r : List.of(text, json)) {
      assertThat(r.lines()).hasSize(1);
      assertThat(r.out().strip()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }
    assertThat(json.err()).isEmpty();
    String jti = payload(text.out().strip()).get("jti").asText();
    assertThat(text.err().lines().toList()).hasSize(1);
    assertThat(text.err())
        .startsWith("issued grant " + jti + ": agent:x at mcp:files, 2 capabilities, node cli")
        .contains("expires ")
        .containsPattern("\\(in (2m|1m 5\\ds)\\)");
  }

  @Test
  void verify_text_valid_showsWhoWhatWhereAndUntilWhen() throws Exception {
    String token = issue().out().strip();
    JsonNode claims = payload(token);
    Cli.Result r = verify(token, "mcp:files");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> lines = r.lines();
    assertThat(lines.get(0)).isEqualTo("VALID  grant " + claims.get("jti").asText());
    assertThat(r.out())
        .contains(row("principal", "agent:x"))
        .contains(row("issuer", "orch"))
        .contains(row("audience", "mcp:files"))
        .contains(row("node", "cli (session), path cli"))
        .contains(row("graph", claims.get("gid").asText()))
        .contains(
            row("capabilities", "fs.read fs:/repo/**") + "\n" + row("", "tool.call tool:gh/*"))
        .contains(row("delegation", "agent:x"))
        .contains(row("grant chain", "none: minted from node cli"))
        .contains(row("signed", "EdDSA, key "))
        .contains(row("not checked", "revocation"));
    String expires = lines.stream().filter(l -> l.startsWith("  expires ")).findFirst().get();
    assertThat(expires)
        .contains(java.time.Instant.ofEpochSecond(claims.get("exp").asLong()).toString())
        .containsPattern("\\(in (2m|1m \\d+s)\\)");
    // no terminal: no colour
    assertThat(r.out()).doesNotContain("\u001b[");
  }

  @Test
  void verify_text_attenuatedGrant_showsItsChain() throws Exception {
    String parent = issue().out().strip();
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
    assertThat(child.err()).contains("attenuating grant " + payload(parent).get("jti").asText());
    Cli.Result r = verify(child.out().strip(), "mcp:files");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(row("capabilities", "fs.read fs:/repo/docs/**") + "\n")
        .contains(row("grant chain", payload(parent).get("jti").asText() + " > this grant"));
  }

  @Test
  void verify_text_invalid_saysWhy_andShowsTheClaimsAsNotVerified_stderrAsBefore()
      throws Exception {
    String token = issue().out().strip();
    Cli.Result r = verify(token, "mcp:db");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("INVALID_GRANT AUDIENCE");
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.lines().get(0)).startsWith("INVALID  AUDIENCE: ");
    assertThat(r.out())
        .contains(row("reason", "INVALID_GRANT (check AUDIENCE)"))
        .contains("what the token claims (NOT verified):")
        .contains(row("audience (aud)", "mcp:files"));

    // a fixed distance past exp: a fixed --at would print no hours when exp is in an hour :00
    String at =
        java.time.Instant.ofEpochSecond(payload(token).get("exp").asLong())
            .plus(java.time.Duration.ofDays(3).plusHours(5))
            .toString();
    Cli.Result expired = verify(token, "mcp:files", "--at", at);
    assertThat(expired.exit()).isEqualTo(1);
    assertThat(expired.err()).startsWith("EXPIRED");
    assertThat(expired.lines().get(0)).startsWith("INVALID  EXPIRED: ");
    assertThat(expired.out())
        .contains(row("reason", "EXPIRED") + "\n")
        .contains(row("verified at", at))
        .containsPattern("expires \\(exp\\)\\s+\\d+  \\S+ \\(3d 5h ago\\)");
  }

  @Test
  void verify_json_isTodaysOutput_theClaimsPrettyPrinted_andNothingOnAFailure() throws Exception {
    String token = issue().out().strip();
    Cli.Result r = verify(token, "mcp:files", "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(payload(token))
                + System.lineSeparator());
    Cli.Result bad = verify(token, "mcp:db", "--format", "json");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).isEmpty();
    assertThat(bad.err()).startsWith("INVALID_GRANT AUDIENCE");
  }

  @Test
  void inspect_text_labelsEveryClaim_underNotVerified_neverTheSignature() throws Exception {
    String token = issue().out().strip();
    JsonNode claims = payload(token);
    Cli.Result r = Cli.run("grant", "inspect", token);
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.lines();
    assertThat(lines.get(0)).startsWith("NOT VERIFIED  ");
    assertThat(lines).contains("header", "claims", row("typ", "exec-grant+jwt"));
    assertThat(r.out())
        .contains(row("grant id (jti)", claims.get("jti").asText()))
        .contains(row("principal (sub)", "agent:x"))
        .contains(row("node (ctx)", "cli"))
        .contains(row("capabilities (cap)", "fs.read fs:/repo/**"))
        .containsPattern("  expires \\(exp\\) +" + claims.get("exp").asLong() + "  \\S+Z \\(in ")
        .doesNotContain(token.split("\\.")[2]);
    // every claim of the token is shown
    claims.fieldNames().forEachRemaining(n -> assertThat(r.out()).contains("(" + n + ")"));
  }

  @Test
  void inspect_json_isTodaysOutput_headerClaimsAndVerifiedFalse() throws Exception {
    String token = issue().out().strip();
    Cli.Result r = Cli.run("grant", "inspect", "--format", "json", token);
    assertThat(r.exit()).isZero();
    var expected = JSON.createObjectNode();
    expected.set("header", JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0])));
    expected.set("claims", payload(token));
    expected.put("verified", false);
    assertThat(r.out())
        .isEqualTo(
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected)
                + System.lineSeparator());
  }

  @Test
  void inspect_text_aForgedClaimWithEscapes_cannotDriveTheTerminal() throws Exception {
    String[] parts = issue().out().strip().split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forged =
        claims.replace("\"sub\":\"agent:x\"", "\"sub\":\"agent:x\\u001b[2J\\u001b[31mroot\\n\"");
    assertThat(forged).isNotEqualTo(claims);
    String token =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(forged.getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    Cli.Result r = Cli.run("grant", "inspect", token);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("\u001b").contains("agent:x?[2J?[31mroot?");
    Cli.Result v = verify(token, "mcp:files");
    assertThat(v.exit()).isEqualTo(1);
    assertThat(v.err()).startsWith("INVALID_GRANT SIGNATURE");
    assertThat(v.out()).doesNotContain("\u001b").contains("agent:x?[2J?[31mroot?");
  }
}
