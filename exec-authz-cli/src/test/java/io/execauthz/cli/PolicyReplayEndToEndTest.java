package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec-authz policy replay}, run as a process on the audit log the demo writes: its own
 * policies flip nothing; a stricter candidate flips exactly the permits it now forbids.
 */
final class PolicyReplayEndToEndTest {
  @TempDir Path dir;

  private Path audit;
  private Path enforcing;

  /**
   * The demo's policies with the deploy threshold lowered (depth > 1) and test runs forbidden: the
   * demo's deploy on session/deploy/deploy-eu (#25) and its two test runs (#10, #11) flip.
   */
  static final String STRICTER =
      DemoCommand.POLICIES.replace("context.depth > 2", "context.depth > 1")
          + """

          @id("no-test-runs")
          forbid(principal, action == Action::"tool.call", resource == Tool::"shell/run_tests");
          """;

  @BeforeEach
  void demoLog() throws Exception {
    audit = dir.resolve("audit.jsonl");
    Cli.Result demo = Cli.run("demo", "--audit", audit.toString());
    assertThat(demo.exit()).as(demo.err()).isZero();
    enforcing = Files.writeString(dir.resolve("demo.cedar"), DemoCommand.POLICIES);
  }

  @Test
  void replay_underTheDemosOwnPolicies_flipsNothing() throws Exception {
    Cli.Result r =
        Cli.run(
            "policy", "replay", "--audit", audit.toString(), "--policies", enforcing.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("replayed 28 records")
        .contains("re-decided under the candidate policies: 12")
        .contains("PERMIT -> PERMIT")
        .contains("flips: 0")
        .doesNotContain("-> DENY POLICY                              ");
    // the slack posts' answers depend on an approval the log does not keep: said, not guessed
    assertThat(r.out()).contains("could not be decided: 2").contains("context.approved");
  }

  @Test
  void replay_underAStricterCandidate_reportsTheExpectedFlips_andExitsOne() throws Exception {
    Path candidate = Files.writeString(dir.resolve("candidate.cedar"), STRICTER);
    Cli.Result r =
        Cli.run(
            "policy",
            "replay",
            "--audit",
            audit.toString(),
            "--policies",
            candidate.toString(),
            "--format",
            "json");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("flipCount").asInt()).isEqualTo(3);
    assertThat(report.get("changes").get("PERMIT -> DENY POLICY").asInt()).isEqualTo(3);
    assertThat(report.get("changes").get("PERMIT -> PERMIT").asInt()).isEqualTo(8);
    assertThat(report.get("flips"))
        .extracting(f -> f.get("seq").asInt())
        .containsExactly(10, 11, 25);
    assertThat(report.get("flips").get(2).get("newPolicies").get(0).asText())
        .isEqualTo("no-deploys-below-depth-2");
    assertThat(report.get("flips").get(0).get("record").get("resource").asText())
        .isEqualTo("tool:shell/run_tests");
    assertThat(report.get("notRedecided").get("OUT_OF_SCOPE").asInt()).isEqualTo(4);
  }

  @Test
  void first_limitsTheFlipsPrinted_butNotTheirCount() throws Exception {
    Path candidate = Files.writeString(dir.resolve("candidate.cedar"), STRICTER);
    Cli.Result r =
        Cli.run(
            "policy",
            "replay",
            "--audit",
            audit.toString(),
            "--policies",
            candidate.toString(),
            "--first",
            "1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("flips: 3 (the first 1 shown)").contains("#10 ");
    assertThat(r.out()).doesNotContain("#24 ");
  }

  @Test
  void aCandidateReadingArguments_cannotDecideARecordThatHadThem_andSaysWhy() throws Exception {
    Path candidate =
        Files.writeString(
            dir.resolve("args.cedar"),
            DemoCommand.POLICIES
                + """

                @id("no-force-push")
                forbid(principal, action == Action::"tool.call", resource == Tool::"github/push")
                  when { context.args has force };
                """);
    Cli.Result r =
        Cli.run(
            "policy",
            "replay",
            "--audit",
            audit.toString(),
            "--policies",
            candidate.toString(),
            "--schema",
            "none",
            "--format",
            "json");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    JsonNode undecided = report.get("undecided");
    assertThat(undecided).extracting(u -> u.get("seq").asInt()).contains(19);
    for (JsonNode u : undecided) {
      if (u.get("seq").asInt() == 19) {
        assertThat(u.get("why").asText()).contains("context.args").contains("had arguments");
      }
    }
    assertThat(report.get("notes").toString()).contains("without argsSha256");
  }

  @Test
  void badInput_exitsTwo_withOneLineNamingTheFlagAndFile() throws Exception {
    Cli.Result noLog =
        Cli.run(
            "policy",
            "replay",
            "--audit",
            dir.resolve("missing.jsonl").toString(),
            "--policies",
            enforcing.toString());
    assertThat(noLog.exit()).isEqualTo(2);
    assertThat(noLog.err().lines()).singleElement().asString().contains("--audit", "missing.jsonl");

    Path broken = Files.writeString(dir.resolve("broken.cedar"), "permit(principal, action");
    Cli.Result badPolicy =
        Cli.run("policy", "replay", "--audit", audit.toString(), "--policies", broken.toString());
    assertThat(badPolicy.exit()).isEqualTo(2);
    assertThat(badPolicy.err().lines()).singleElement().asString().contains("--policies");

    Path garbage = Files.writeString(dir.resolve("garbage.jsonl"), "{\"seq\":1}\nnot json\n");
    Cli.Result badLog =
        Cli.run(
            "policy", "replay", "--audit", garbage.toString(), "--policies", enforcing.toString());
    assertThat(badLog.exit()).isEqualTo(2);
    assertThat(badLog.err().lines())
        .singleElement()
        .asString()
        .contains("--audit", "garbage.jsonl:1");
  }
}
