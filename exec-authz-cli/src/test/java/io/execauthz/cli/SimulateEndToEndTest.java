package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.execauthz.audit.AuditLogVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code exec-authz simulate} as a process, over the shipped examples and over broken files. */
final class SimulateEndToEndTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static List<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExample_passes() throws IOException {
    List<Path> all = examples();
    assertThat(all).hasSizeGreaterThanOrEqualTo(7);
    return all.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      Cli.Result r = Cli.run("simulate", "--format", "json", f.toString());
                      assertThat(r.exit()).as("%s%n%s", r.err(), r.out()).isZero();
                      List<String> lines = r.lines();
                      String summary = lines.get(lines.size() - 1);
                      assertThat(summary).matches("\\d+ passed, 0 failed");
                      long steps = lines.size() - 1;
                      assertThat(summary).startsWith(steps + " passed");
                      for (String line : lines.subList(0, lines.size() - 1)) {
                        JsonNode j = JSON.readTree(line);
                        assertThat(j.get("ok").asBoolean()).as(line).isTrue();
                        assertThat(j.has("step") && j.has("op")).as(line).isTrue();
                      }
                    }));
  }

  @Test
  void allExamplesAtOnce_withAudit_writeOneVerifiableRecordPerDecision() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    String[] args =
        Stream.concat(
                Stream.of("simulate", "--format", "json", "--audit", log.toString()),
                examples().stream().map(Path::toString))
            .toArray(String[]::new);
    Cli.Result r = Cli.run(args);
    assertThat(r.exit()).as(r.err()).isZero();
    long decisions = r.lines().stream().filter(l -> l.contains("\"decision\":")).count();
    assertThat(decisions).isPositive();
    var v = AuditLogVerifier.verify(log);
    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.records()).isEqualTo(decisions);
  }

  @Test
  void aFailedExpectation_exitsOne_andSaysWhichStep() throws Exception {
    Path f =
        write(
            """
            steps:
              - spawn: {id: s, principal: "user:a", capabilities: ["fs.read fs:/a/**"]}
              - authorize: {node: s, action: fs.read, resource: "fs:/a/x", expect: PERMIT}
              - authorize: {node: s, action: fs.write, resource: "fs:/a/x", expect: PERMIT}
            """);
    Cli.Result r = Cli.run("simulate", "--format", "json", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    List<String> lines = r.lines();
    assertThat(lines.get(lines.size() - 1)).isEqualTo("2 passed, 1 failed");
    JsonNode third = JSON.readTree(lines.get(2));
    assertThat(third.get("step").asInt()).isEqualTo(3);
    assertThat(third.get("ok").asBoolean()).isFalse();
    assertThat(third.get("reason").asText()).isEqualTo("OUT_OF_SCOPE");
    assertThat(third.get("expected").asText()).isEqualTo("PERMIT");
  }

  @Test
  void aFailedExpectation_readable_showsExpectedGotAndDetail_summaryLast() throws Exception {
    Path f =
        write(
            """
            name: one wrong expectation
            steps:
              - spawn: {id: s, principal: "user:a", capabilities: ["fs.read fs:/a/**"]}
              - authorize: {node: s, action: fs.read, resource: "fs:/a/x", expect: PERMIT}
              - authorize: {node: s, action: fs.write, resource: "fs:/a/x", expect: PERMIT}
            """);
    Cli.Result r = Cli.run("simulate", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    List<String> lines = r.lines();
    assertThat(lines.get(0)).isEqualTo("one wrong expectation  (" + f + ")");
    assertThat(lines.get(1)).matches("  ok +1  spawn +s +OK +ACTIVE, 1 capability");
    assertThat(lines.get(2))
        .matches("  ok +2  authorize +s +PERMIT +fs.read fs:/a/x  permitted by permit-all");
    assertThat(lines.get(3))
        .matches("  FAIL +3  authorize +s +DENY OUT_OF_SCOPE +fs.write fs:/a/x");
    assertThat(lines.get(4).strip()).isEqualTo("expected PERMIT, got DENY OUT_OF_SCOPE");
    assertThat(lines.get(5).strip())
        .isEqualTo("no capability of node 's' covers fs.write on fs:/a/x");
    assertThat(lines).hasSize(7);
    assertThat(lines.get(6)).isEqualTo("2 passed, 1 failed");
    assertThat(r.out()).as("no colour into a pipe").doesNotContain("\u001b");
  }

  @TestFactory
  Stream<DynamicTest> everyExample_readable_oneLinePerStep_thenTheSummary() throws IOException {
    return examples().stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      Cli.Result text = Cli.run("simulate", f.toString());
                      Cli.Result json = Cli.run("simulate", "--format", "json", f.toString());
                      assertThat(text.exit()).as(text.err()).isZero();
                      List<String> lines = text.lines();
                      List<String> jsonLines = json.lines();
                      assertThat(lines.get(0)).endsWith("(" + f + ")");
                      assertThat(lines.get(lines.size() - 1))
                          .isEqualTo(jsonLines.get(jsonLines.size() - 1));
                      List<String> steps = lines.subList(1, lines.size() - 1);
                      assertThat(steps).hasSize(jsonLines.size() - 1);
                      for (int i = 0; i < steps.size(); i++) {
                        JsonNode j = JSON.readTree(jsonLines.get(i));
                        String outcome =
                            j.has("decision")
                                ? (j.get("decision").asText()
                                    + (j.has("reason") ? " " + j.get("reason").asText() : ""))
                                : j.has("error")
                                    ? j.get("error").asText()
                                    : j.has("state") && j.get("state").asText().equals("HELD")
                                        ? "HELD"
                                        : "OK";
                        assertThat(steps.get(i))
                            .as(jsonLines.get(i))
                            .matches(
                                "  ok +"
                                    + j.get("step").asInt()
                                    + "  "
                                    + j.get("op").asText()
                                    + " .*")
                            .satisfiesAnyOf(
                                l -> assertThat(l).contains(" " + outcome + " "),
                                l -> assertThat(l).endsWith(" " + outcome));
                      }
                      assertThat(text.out()).doesNotContain("\u001b");
                    }));
  }

  @Test
  void anInvalidFile_amongGoodOnes_stillEndsWithTheSummary_andExitsTwo() throws Exception {
    Path bad = write("steps:\n  - explode: {}\n");
    Cli.Result r = Cli.run("simulate", EXAMPLES.resolve("claims.yaml").toString(), bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    List<String> lines = r.lines();
    assertThat(lines.get(lines.size() - 1)).isEqualTo("14 passed, 0 failed");
    assertThat(r.err()).contains(bad.toString()).contains("unknown operation");
  }

  @Test
  void format_isCheckedByPicocli_unknownFormat_exitsTwo() throws Exception {
    Cli.Result r =
        Cli.run("simulate", "--format", "yaml", EXAMPLES.resolve("claims.yaml").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--format").contains("yaml");
  }

  @Test
  void theScenarioGuide_showsTheReadableOutputAsItRuns() throws Exception {
    Cli.Result r = Cli.run("simulate", "../examples/contract-example.yaml");
    String guide =
        Files.readString(
            Path.of("..", "docs", "scenarios.md"), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(guide)
        .as("docs/scenarios.md's example; update it from exec-authz simulate")
        .contains(
            "$ ./exec-authz simulate examples/contract-example.yaml\n"
                + r.out().replace("../examples/", "examples/"));
  }

  record Broken(String name, String yaml, String message) {}

  @TestFactory
  Stream<DynamicTest> invalidFiles_exitTwo_namingStepAndKey() {
    String root = "  - spawn: {id: s, principal: \"user:a\", capabilities: [\"fs.* fs:/a/**\"]}\n";
    return Stream.of(
            new Broken(
                "unknown top-level key", "nmae: x\nsteps: []\n", "key 'nmae' is not allowed"),
            new Broken(
                "unknown step key",
                "steps:\n" + root + "  - spawn: {id: t, parent: s, capabilitees: []}\n",
                "step 2 (spawn): key 'capabilitees' is not allowed"),
            new Broken(
                "unknown op",
                "steps:\n" + root + "  - explode: {node: s}\n",
                "step 2 (explode): unknown operation"),
            new Broken(
                "bad capability text",
                "steps:\n"
                    + root
                    + "  - spawn: {id: t, parent: s, capabilities: [\"fs.read fs:/a/**/b\"]}\n",
                "step 2 (spawn): key 'capabilities': '**' may only be the last segment"),
            new Broken(
                "unknown parent",
                "steps:\n" + root + "  - spawn: {id: t, parent: nope, capabilities: []}\n",
                "step 2 (spawn): key 'parent': no earlier step spawns a node 'nope'"),
            new Broken(
                "bad expect",
                "steps:\n"
                    + root
                    + "  - authorize: {node: s, action: fs.read, resource: \"fs:/a/b\", expect: ALLOW}\n",
                "step 2 (authorize): key 'expect': 'ALLOW' is not an outcome"),
            new Broken(
                "bad duration",
                "steps:\n" + root + "  - advance: soon\n",
                "step 2 (advance): expected a duration"),
            new Broken(
                "cedar syntax error",
                "policies: |\n  permit(principal, action, resource)\n  forbid(principal;\nsteps:\n"
                    + root,
                "policies do not load"),
            new Broken(
                "schema violation",
                "policies: |\n  permit(principal, action, resource) when { context.depht < 3 };\nsteps:\n"
                    + root,
                "policies do not load"))
        .map(
            b ->
                DynamicTest.dynamicTest(
                    b.name(),
                    () -> {
                      Path f = write(b.yaml());
                      Cli.Result r = Cli.run("simulate", f.toString());
                      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
                      assertThat(r.err()).contains(f.toString()).contains(b.message());
                      assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
                      assertThat(r.err()).doesNotContain("\tat ");
                    }));
  }

  private int files;

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("scenario-" + (++files) + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }
}
