package io.execauthz.cli;

import io.execauthz.JsonLinesAuditSink;
import io.execauthz.spi.AuditSink;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code exec-authz simulate [--audit FILE] FILE…}: scenario files as pass/fail tests. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Runs scenario files (whole execution flows with expected decisions) and prints one JSON",
      "object per step, then 'N passed, M failed'.",
      "Exit 0 when every expectation holds, 1 when any fails, 2 when a file is invalid."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--audit",
      paramLabel = "FILE",
      description = "Append every decision to this hash-chained JSON-lines audit log.")
  Path audit;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Scenario files (YAML).")
  List<Path> files;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonLinesAuditSink sink = audit == null ? null : JsonLinesAuditSink.newBuilder(audit).build();
    int exit = 0;
    try (ScenarioPolicies policies = new ScenarioPolicies()) {
      ScenarioRunner runner =
          new ScenarioRunner(out, sink == null ? AuditSink.discarding() : sink, policies);
      for (Path f : files) {
        try {
          Scenario scenario = Scenario.read(f);
          if (!runner.run(scenario)) {
            exit = Math.max(exit, 1);
          }
        } catch (ScenarioException e) {
          out.flush();
          err.println("exec-authz: " + e.getMessage());
          exit = 2;
        }
      }
      out.printf("%d passed, %d failed%n", runner.passed(), runner.failed());
    } finally {
      if (sink != null) {
        sink.close();
      }
    }
    out.flush();
    return exit;
  }
}
