package io.execauthz.cli;

import io.execauthz.AuthorizationRequest;
import io.execauthz.spi.AuditSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs checked scenarios (CONTRACT §5): every step is applied, handed to the printer as it happens,
 * and kept in a {@link ScenarioReport} for the JUnit and Mermaid reports. One runner may run
 * several files; decisions of all of them go to the one audit sink. Not thread-safe.
 */
final class ScenarioRunner {
  private final StepPrinter printer;
  private final AuditSink audit;
  private final ScenarioPolicies policies;
  private int passed;
  private int failed;

  ScenarioRunner(StepPrinter printer, AuditSink audit, ScenarioPolicies policies) {
    this.printer = printer;
    this.audit = audit;
    this.policies = policies;
  }

  int passed() {
    return passed;
  }

  int failed() {
    return failed;
  }

  /**
   * Runs one scenario.
   *
   * @throws ScenarioException when the policies do not load (exit 2)
   */
  ScenarioReport run(Scenario scenario) {
    ScenarioRun run = new ScenarioRun(scenario, policies.engine(scenario), audit);
    printer.scenario(scenario);
    List<StepResult> results = new ArrayList<>();
    for (Scenario.Step step : scenario.steps()) {
      StepResult r = run.apply(step);
      if (r.ok()) {
        passed++;
      } else {
        failed++;
      }
      results.add(r);
      printer.step(r);
    }
    return new ScenarioReport(scenario.file(), scenario.name(), results, run.nodes(), null);
  }

  /** The request an {@code authorize} step makes on {@code nodeId}. */
  static AuthorizationRequest request(String nodeId, Scenario.Authorize a) {
    return ScenarioRun.request(nodeId, a);
  }
}
