package io.execauthz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.Decision;

/**
 * What one scenario step did: its JSON line (CONTRACT §5, unchanged since the first release), its
 * outcome as an {@code expect} would name it, and whether the expectation held. The readable line,
 * the JUnit test case and the Mermaid counts are all made from this one value, so the formats can
 * never disagree.
 *
 * @param step the step as parsed
 * @param line the step's JSON object, as {@code --format json} prints it
 * @param outcome {@code OK}, {@code HELD}, an error code, {@code PERMIT} or {@code DENY <REASON>}
 * @param decision the decision of an {@code authorize} step, else {@code null}
 * @param ok whether the expectation held (true when the step expects nothing)
 */
record StepResult(
    Scenario.Step step, ObjectNode line, String outcome, Decision decision, boolean ok) {

  /** The expectation as written, or {@code null}. */
  String expected() {
    return step.expect() == null ? null : step.expect().text();
  }

  /** The detail of a refusal or an error, or {@code null}. */
  String detail() {
    return line.hasNonNull("detail") ? line.get("detail").asText() : null;
  }

  /** The node the step was about, or {@code null} (an attenuation names grants, not nodes). */
  String node() {
    if (line.hasNonNull("node")) {
      return line.get("node").asText();
    }
    if (decision != null && !decision.nodePath().isEmpty()) {
      return decision.nodePath().get(decision.nodePath().size() - 1);
    }
    return null;
  }
}
