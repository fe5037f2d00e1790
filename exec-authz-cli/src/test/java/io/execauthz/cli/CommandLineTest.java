package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Help on every command, policy validation, and the audit verifier, as processes. */
final class CommandLineTest {
  @TempDir Path dir;

  /** Every command of the tree as its words ("grant issue", "mcp proxy"), read from the model. */
  static Stream<String> everyCommand() {
    List<String> out = new ArrayList<>();
    walk(Main.commandLine(), "", out);
    return out.stream();
  }

  /** The root ("") and every command that has subcommands. */
  static Stream<String> everyGroup() {
    List<String> out = new ArrayList<>(List.of(""));
    everyCommand().filter(c -> !command(c).getSubcommands().isEmpty()).forEach(out::add);
    return out.stream();
  }

  private static void walk(CommandLine c, String prefix, List<String> out) {
    c.getSubcommands()
        .forEach(
            (name, sub) -> {
              String words = (prefix + " " + name).strip();
              out.add(words);
              walk(sub, words, out);
            });
  }

  private static CommandLine command(String words) {
    CommandLine c = Main.commandLine();
    for (String w : words.split(" ")) {
      c = c.getSubcommands().get(w);
    }
    return c;
  }

  @Test
  void theCommandTree_isTheOneDocumented() {
    assertThat(everyCommand())
        .contains(
            "demo",
            "simulate",
            "explain",
            "policy validate",
            "policy replay",
            "keys generate",
            "grant issue",
            "grant verify",
            "grant inspect",
            "audit verify",
            "revoke",
            "completion",
            "mcp proxy");
  }

  /** Help on every command, within 80 columns (the width when there is no terminal). */
  @ParameterizedTest
  @MethodSource("everyCommand")
  void everyCommand_hasHelp_within80Columns(String command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Usage: exec-authz " + command);
    for (String line : r.lines()) {
      assertThat(line.length()).as(command + ": " + line).isLessThanOrEqualTo(80);
    }
  }

  /**
   * The command lists of {@code exec-authz --help} and of every group: each summary one whole
   * sentence on one line (80 columns when no terminal).
   */
  @ParameterizedTest
  @MethodSource("everyGroup")
  void commandSummaries_areWholeSentences_onOneLine(String group) throws Exception {
    List<String> args = new ArrayList<>();
    if (!group.isEmpty()) {
      args.addAll(List.of(group.split(" ")));
    }
    args.add("--help");
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    List<String> lines = r.lines();
    List<String> commands = lines.subList(lines.indexOf("Commands:") + 1, lines.size());
    assertThat(commands).as(group).isNotEmpty();
    for (String line : commands) {
      assertThat(line).as("a command and its summary").matches("  [a-z]+ +[A-Z].*\\.");
      assertThat(line.length()).isLessThanOrEqualTo(80);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"grant issue", "grant verify", "mcp proxy"})
  void grantAndProxyHelp_haveExamples(String command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    List<String> lines = r.lines();
    int examples = lines.indexOf("Examples:");
    assertThat(examples).as(r.out()).isPositive();
    assertThat(lines.subList(examples, lines.size()))
        .anyMatch(l -> l.startsWith("  exec-authz " + command + " "));
  }

  @Test
  void simulateHelp_hasExamples_andWrapsWithinTheWidth() throws Exception {
    Cli.Result r = Cli.run("simulate", "--help");
    assertThat(r.out()).contains("Examples:").contains("  exec-authz simulate examples/*.yaml");
    assertThat(r.out())
        .contains("--format=text|json")
        .contains("--junit=FILE")
        .contains("--mermaid=FILE");
    for (String line : r.lines()) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
    }
  }

  @Test
  void completion_bashAndZsh_defineCompletionForEveryCommand() throws Exception {
    Cli.Result bash = Cli.run("completion", "bash");
    Cli.Result zsh = Cli.run("completion", "zsh");
    assertThat(bash.exit()).as(bash.err()).isZero();
    assertThat(zsh.exit()).as(zsh.err()).isZero();
    assertThat(zsh.out()).isEqualTo(bash.out()).contains("ZSH_VERSION").contains("bashcompinit");
    assertThat(bash.out())
        .contains("simulate")
        .contains("explain")
        .contains("--mermaid")
        .contains("complete -F _complete_exec-authz");
    Path script = dir.resolve("exec-authz.bash");
    Files.writeString(script, bash.out());
    Process p =
        new ProcessBuilder(
                "bash", "-c", "source \"$0\" && complete -p exec-authz", script.toString())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("_complete_exec-authz exec-authz");
    assertThat(Cli.run("completion", "fish").exit()).isEqualTo(2);
  }

  @Test
  void auditVerify_formatJson_oneObject_forAnIntactAndATamperedLog() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    assertThat(Cli.run("demo", "--audit", log.toString()).exit()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    Cli.Result ok = Cli.run("audit", "verify", "--format", "json", log.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.lines()).hasSize(1);
    var o = json.readTree(ok.out());
    assertThat(o.get("valid").asBoolean()).isTrue();
    assertThat(o.get("result").asText()).isEqualTo("OK");
    assertThat(o.get("records").asLong()).isEqualTo(28);
    assertThat(o.get("head").asText()).hasSize(64);

    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
    lines.remove(4);
    Files.write(log, lines);
    Cli.Result bad = Cli.run("audit", "verify", "--format", "json", log.toString());
    assertThat(bad.exit()).isEqualTo(1);
    var b = json.readTree(bad.out());
    assertThat(b.get("valid").asBoolean()).isFalse();
    assertThat(b.get("result").asText()).isEqualTo("TAMPERED");
    assertThat(b.get("firstBadRecord").asLong()).isEqualTo(5);
    assertThat(b.get("problem").asText()).isNotBlank();
    Cli.Result text = Cli.run("audit", "verify", log.toString());
    assertThat(text.err()).contains("TAMPERED at record 5");
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
