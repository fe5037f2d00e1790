package io.execauthz.cli;

import io.execauthz.ExecutionNode;
import java.nio.file.Path;
import java.util.List;

/**
 * One scenario file's run, for the reports written after it: the step results (JUnit), the nodes
 * the graph held (Mermaid). A file that could not be run has no steps and names why in {@code
 * error}.
 *
 * @param file the scenario file
 * @param name the scenario's name (the file name when it has none, or could not be read)
 * @param steps every step's result, in order
 * @param nodes the nodes spawned, in spawn order, read live for their final state
 * @param error why the file could not be run (exit 2), or {@code null}
 */
record ScenarioReport(
    Path file, String name, List<StepResult> steps, List<ExecutionNode> nodes, String error) {
  ScenarioReport {
    steps = List.copyOf(steps);
    nodes = List.copyOf(nodes);
  }

  static ScenarioReport invalid(Path file, String error) {
    return new ScenarioReport(file, file.getFileName().toString(), List.of(), List.of(), error);
  }

  long failures() {
    return steps.stream().filter(s -> !s.ok()).count();
  }
}
