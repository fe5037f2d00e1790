package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exec-authz explain} as a process, on the shipped examples and on broken input. */
final class ExplainEndToEndTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path dir;

  /** The check lines ({@code " N name status"}), in the order printed. */
  private static List<String> checks(Cli.Result r) {
    return r.lines().stream().filter(l -> l.matches("  \\d  \\S.*")).toList();
  }

  private static Cli.Result explain(String file, int step) throws Exception {
    return Cli.run("explain", "--scenario", EXAMPLES.resolve(file).toString(), "--step", "" + step);
  }

  @Test
  void aForbidThatWins_isNamed_everyEarlierCheckPasses() throws Exception {
    Cli.Result r = explain("security-team-policies.yaml", 5);
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> checks = checks(r);
    assertThat(checks)
        .extracting(l -> l.substring(5, 21).strip())
        .containsExactly(
            "node exists", "liveness", "capability gate", "claims", "approval", "budget", "policy");
    for (String c : checks.subList(0, 6)) {
      assertThat(c).endsWith(" pass");
    }
    assertThat(checks.get(6)).contains("FAIL  POLICY: denied by shell-needs-approval");
    assertThat(r.out())
        .contains("satisfied forbid policies: shell-needs-approval")
        .contains("a satisfied forbid overrides every permit: the forbid won")
        .contains("decision: DENY POLICY (shell-needs-approval)   expected DENY POLICY: holds");
  }

  @Test
  void aPermit_namesTheSatisfiedPermits_andTheCoveringCapability() throws Exception {
    Cli.Result r = explain("security-team-policies.yaml", 6);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(checks(r)).allMatch(l -> l.endsWith(" pass"));
    assertThat(r.out())
        .contains("(approved)")
        .contains("covered by 'tool.call tool:**'")
        .contains("satisfied permit policies: baseline")
        .contains("decision: PERMIT (baseline)");
  }

  @Test
  void outOfScope_failsAtTheGate_laterChecksNotReached() throws Exception {
    Cli.Result r = explain("contract-example.yaml", 7);
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> checks = checks(r);
    assertThat(checks.get(0)).endsWith("pass");
    assertThat(checks.get(1)).endsWith("pass");
    assertThat(checks.get(2))
        .contains("capability gate")
        .contains(
            "FAIL  OUT_OF_SCOPE: no capability of node 'b1' covers fs.write on fs:/repo/a.md");
    for (String c : checks.subList(3, 7)) {
      assertThat(c).endsWith("not reached");
    }
    assertThat(r.out()).contains("fs.read fs:/repo/**");
  }

  @Test
  void anExhaustedBudget_failsAtTheBudget_namingTheBudgetsThatBind() throws Exception {
    Cli.Result r = explain("budgets-and-approvals.yaml", 8);
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> checks = checks(r);
    assertThat(checks.get(5)).contains("budget").contains("FAIL  BUDGET_EXHAUSTED");
    assertThat(checks.get(6)).endsWith("not reached");
    assertThat(r.out())
        .contains("at 'a' (the node): 'tool.call tool:shell/run_tests maxCalls=2'")
        .contains("(without budgets the request would be permitted)");
  }

  @Test
  void claimsAndLiveness_failWhereThePipelineRefuses() throws Exception {
    Cli.Result claimed = explain("claims.yaml", 7);
    assertThat(checks(claimed).get(3)).contains("claims").contains("FAIL  CLAIMED");
    assertThat(claimed.out()).contains("claim fs:/repo/src/api/** of 'api' covers the resource");
    Cli.Result held = explain("claims.yaml", 6);
    assertThat(checks(held).get(1)).contains("liveness").contains("FAIL  HELD");
    assertThat(held.out()).contains("HELD, deadline");
  }

  @Test
  void aPolicyThatErrors_isListed_andDenies() throws Exception {
    Path f = dir.resolve("errors.yaml");
    Files.writeString(
        f,
        """
        schema: none
        policies: |
          @id("branch-rule")
          permit(principal, action, resource) when { context.args.branch == "main" };
        steps:
          - spawn: {id: s, principal: "user:a", capabilities: ["tool.call tool:**"]}
          - authorize: {node: s, action: tool.call, resource: "tool:git/push", expect: DENY}
        """);
    Cli.Result r = Cli.run("explain", "--scenario", f.toString(), "--step", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(checks(r).get(6)).contains("FAIL");
    assertThat(r.out()).contains("errored: ").contains("an error denies (fail closed)");
  }

  @Test
  void aGrantStep_isExplainedAsAToolServerDecides() throws Exception {
    Cli.Result r = explain("contract-example.yaml", 10);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(checks(r))
        .extracting(l -> l.substring(5, 21).strip())
        .containsExactly(
            "grant verified", "capability gate", "claims", "approval", "budget", "policy");
    assertThat(r.out()).contains("grant g2 at mcp:files").contains("decision: PERMIT");
  }

  @Test
  void aStepThatIsNoAuthorize_orOutOfRange_isOneLineOnStderr_exitTwo() throws Exception {
    Cli.Result spawn = explain("contract-example.yaml", 1);
    assertThat(spawn.exit()).isEqualTo(2);
    assertThat(spawn.err().strip())
        .doesNotContain("\n")
        .contains("step 1 is a spawn; explain takes an authorize step");
    Cli.Result range = explain("contract-example.yaml", 99);
    assertThat(range.exit()).isEqualTo(2);
    assertThat(range.err()).contains("--step 99: the scenario has steps 1 to 15");
    Cli.Result missing =
        Cli.run("explain", "--scenario", dir.resolve("nope.yaml").toString(), "--step", "1");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml").doesNotContain("\tat ");
  }
}
