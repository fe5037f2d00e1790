package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help on every command, policy validation, and the audit verifier, as processes. */
final class CommandLineTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "demo",
        "simulate",
        "policy validate",
        "keys generate",
        "grant issue",
        "grant verify",
        "grant inspect",
        "audit verify"
      })
  void everyCommand_hasHelp(String command) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Usage: exec-authz " + command);
  }

  @Test
  void unknownOption_isOneLineOfErrorPlusUsage_neverAStackTrace() throws Exception {
    Cli.Result r = Cli.run("simulate", "--bogus", "x.yaml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--bogus'").doesNotContain("\tat ");
  }

  @Test
  void policyValidate_goodPolicies_exitZero_badOnes_exitOne_withFileLineCol() throws Exception {
    Path good = dir.resolve("good.cedar");
    Files.writeString(
        good,
        "@id(\"baseline\")\npermit(principal, action, resource);\n"
            + "@id(\"shallow\")\nforbid(principal, action, resource) when { context.depth > 3 };\n");
    Cli.Result ok = Cli.run("policy", "validate", good.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("2 policies valid").contains("baseline, shallow");

    Path bad = dir.resolve("bad.cedar");
    Files.writeString(
        bad,
        "permit(principal, action, resource);\nforbid(principal, action, resource) when { context.depht > 3 };\n");
    Cli.Result r = Cli.run("policy", "validate", bad.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(bad + ":2:").contains("depht");

    Cli.Result none = Cli.run("policy", "validate", "--schema", "none", bad.toString());
    assertThat(none.exit()).as(none.err()).isZero();
    assertThat(none.out()).contains("not validated against a schema");

    Path syntax = dir.resolve("syntax.cedar");
    Files.writeString(syntax, "permit(principal, action resource);\n");
    Cli.Result s = Cli.run("policy", "validate", syntax.toString());
    assertThat(s.exit()).isEqualTo(1);
    assertThat(s.err()).contains(syntax + ":1:");
  }

  @Test
  void auditVerify_asAProcess_namesTheReorderedRecord() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    assertThat(Cli.run("demo", "--audit", log.toString()).exit()).isZero();
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
    String third = lines.get(2);
    lines.set(2, lines.get(3));
    lines.set(3, third);
    Files.write(log, lines);
    Cli.Result r = Cli.run("audit", "verify", log.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("TAMPERED at record 3");
  }
}
