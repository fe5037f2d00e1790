package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.AuditVerification;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class DemoCommandTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void demo_showsEveryKindOfRefusalAndTheTree() {
    Run r = run("demo");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("spawn session +session +38 capabilities +ACTIVE")
        .contains("DENY   OUT_OF_SCOPE      tool.call tool:shell/exec")
        .contains("refused  ATTENUATION: node 'rogue' asks for 'tool.call tool:deploy/apply'")
        .contains("DENY   COMPLETED         tool.call tool:github/search_code")
        .contains("DENY   HELD")
        .contains("DENY   CLAIMED")
        .contains("DENY   BUDGET_EXHAUSTED")
        .contains("api-docs   PERMIT")
        .contains("DENY   APPROVAL_REQUIRED")
        .contains("PERMIT                   tool.call tool:github/push (approved)")
        .contains("DENY   EXPIRED")
        .contains("deploy-us  DENY   REVOKED")
        .contains("(merge of implement + review)")
        .contains("mcp:github PERMIT                   tool.call tool:github/create_pr (grant)")
        .contains("mcp:github DENY   OUT_OF_SCOPE      tool.call tool:github/push (grant)")
        .contains("mcp:github DENY   COMPLETED         tool.call tool:github/create_pr (grant)")
        .contains("mcp:github DENY   REVOKED           tool.call tool:github/create_pr (grant)")
        .contains("tools/list shows this grant [create_pr] of the server's 4 tools")
        .contains(
            "the refusal is an MCP tool result: isError true,"
                + " _meta[\"io.execauthz/decision\"].reason OUT_OF_SCOPE")
        .contains("attenuate  refused  ATTENUATION")
        .contains("review     DENY   POLICY            tool.call tool:slack/post_message")
        .contains("denied by no-unapproved-slack-posts")
        .contains("eu-db      DENY   POLICY            tool.call tool:deploy/apply")
        .contains("28 decisions: 12 permitted, 16 denied");
  }

  @Test
  void theReadme_showsTheDemoAsItRuns() throws Exception {
    String out = run("demo").out();
    String tree =
        out.substring(
            out.indexOf("Execution tree"), out.indexOf("\n\n", out.indexOf("Execution tree")));
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertThat(readme).as("README's demo tree; update it from ./exec-authz demo").contains(tree);
    for (String line :
        out.substring(out.indexOf("== Batch 2"), out.indexOf("== Batch 3 (review)"))
            .strip()
            .split("\n")) {
      assertThat(readme).as("README's demo excerpt").contains(line);
    }
  }

  @Test
  void demo_asAProcess_startsAndStopsItsMcpServer_withNothingOnStderr() throws Exception {
    // the MCP step's server (embedded Tomcat, the SDK) logs nothing into the demo's output
    Cli.Result r = Cli.run("demo");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("mcp:github DENY   REVOKED");
    assertThat(r.out().strip()).endsWith("28 decisions: 12 permitted, 16 denied");
  }

  @Test
  void demo_isTheSameEveryRun() {
    assertThat(run("demo").out()).isEqualTo(run("demo").out());
  }

  @Test
  void demo_withAudit_writesOneVerifiableRecordPerDecision() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    Run r = run("demo", "--audit", log.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(28);
    AuditVerification v = AuditLogVerifier.verify(log);
    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(r.out()).contains("head " + v.head());
  }

  @Test
  void auditVerify_intactLog_exitsZero_tamperedLog_exitsOneNamingTheRecord() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    run("demo", "--audit", log.toString());
    Run ok = run("audit", "verify", log.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).contains("OK, 28 records");

    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    String edited = lines.get(3).replace("\"time\":\"2026", "\"time\":\"2027");
    assertThat(edited).isNotEqualTo(lines.get(3));
    lines.set(3, edited);
    Files.write(log, lines, StandardCharsets.UTF_8);
    Run bad = run("audit", "verify", log.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("TAMPERED at record 5");
  }

  @Test
  void auditVerify_withHead_detectsACutTail() throws Exception {
    Path log = dir.resolve("audit.jsonl");
    Run demo = run("demo", "--audit", log.toString());
    String head = AuditLogVerifier.verify(log).head();
    assertThat(demo.out()).contains(head);
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    Files.write(log, lines.subList(0, lines.size() - 2), StandardCharsets.UTF_8);
    assertThat(run("audit", "verify", log.toString()).exit()).isZero();
    Run cut = run("audit", "verify", "--head", head, log.toString());
    assertThat(cut.exit()).isEqualTo(1);
    assertThat(cut.err()).contains("TAMPERED at record 27");
  }

  @Test
  void auditVerify_missingFile_isOneLineOnStderr() {
    Run r = run("audit", "verify", dir.resolve("nope.jsonl").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n").contains("does not exist");
  }
}
