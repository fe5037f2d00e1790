package io.execauthz.cli;

import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.spi.AuditSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code exec-authz simulate [--audit FILE] [--format text|json] [--junit FILE] [--mermaid FILE]
 * FILE…}: scenario files as pass/fail tests (CONTRACT §5).
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Runs scenario files as tests of whole execution flows.",
      "",
      "A scenario file holds the steps of a flow (spawns, joins, grants, time passing,"
          + " revocations) and the decision expected at each step.",
      "",
      "Prints one readable line per step (a failed expectation with what was expected, what came"
          + " and why), or with --format json one JSON object per step; then 'N passed, M failed'"
          + " alone on the last line. Colour only on a terminal, never with NO_COLOR set.",
      "",
      "Exit 0 when every expectation holds, 1 when any fails, 2 when a file is invalid."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  exec-authz simulate examples/*.yaml",
      "  exec-authz simulate --format json flows/*.yaml > results.jsonl",
      "  exec-authz simulate --junit scenarios.xml --mermaid graph.mmd flows/*.yaml",
      "",
      "  Why did step 12 decide as it did?",
      "  exec-authz explain --scenario flows/deploy.yaml --step 12"
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--audit",
      paramLabel = "FILE",
      description = "Append every decision to this hash-chained JSON-lines audit log.")
  Path audit;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      defaultValue = "text",
      description =
          "Readable lines (text, the default) or one JSON object per step (json, for machines).")
  OutputFormat format;

  @Option(
      names = "--junit",
      paramLabel = "FILE",
      description =
          "Also write a JUnit XML report: a test suite per scenario file, a test case per"
              + " expectation.")
  Path junit;

  @Option(
      names = "--mermaid",
      paramLabel = "FILE",
      description =
          "Also write each scenario's execution graph as a Mermaid flowchart (final states,"
              + " merges, permits and denies per node).")
  Path mermaid;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Scenario files (YAML).")
  List<Path> files;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonLinesAuditSink sink = audit == null ? null : JsonLinesAuditSink.newBuilder(audit).build();
    StepPrinter printer =
        format == OutputFormat.JSON
            ? StepPrinter.json(out)
            : StepPrinter.text(out, Main.ansi(spec));
    List<ScenarioReport> reports = new ArrayList<>();
    int exit = 0;
    try (ScenarioPolicies policies = new ScenarioPolicies()) {
      ScenarioRunner runner =
          new ScenarioRunner(printer, sink == null ? AuditSink.discarding() : sink, policies);
      for (Path f : files) {
        try {
          ScenarioReport report = runner.run(Scenario.read(f));
          reports.add(report);
          if (report.failures() > 0) {
            exit = Math.max(exit, 1);
          }
        } catch (ScenarioException e) {
          out.flush();
          err.println("exec-authz: " + e.getMessage());
          reports.add(ScenarioReport.invalid(f, e.getMessage()));
          exit = 2;
        }
      }
      if (junit != null) {
        JUnitReport.write(junit, reports);
      }
      if (mermaid != null) {
        MermaidGraph graph = new MermaidGraph();
        for (ScenarioReport r : reports) {
          MermaidGraph.Section s = graph.section(r.name());
          r.nodes().forEach(s::node);
          r.steps().stream()
              .filter(st -> st.decision() != null)
              .forEach(st -> s.decision(st.decision()));
        }
        writeText(mermaid, graph.render());
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

  static void writeText(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
