package io.execauthz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;

/**
 * Prints scenario steps as they run: {@link #text readable lines} for people (the default) or
 * {@link #json JSON objects} for machines (CONTRACT §5's {@code --format json}, unchanged). Both
 * leave the summary line to the caller. Not thread-safe.
 */
interface StepPrinter {

  /** Called before a scenario's first step. */
  void scenario(Scenario scenario);

  /** Called after each step. */
  void step(StepResult result);

  /** One JSON object per step, exactly as the first release printed them. */
  static StepPrinter json(PrintWriter out) {
    return new StepPrinter() {
      @Override
      public void scenario(Scenario scenario) {}

      @Override
      public void step(StepResult r) {
        out.println(r.line());
      }
    };
  }

  /** One readable line per step, a failure with what was expected, what came, and why. */
  static StepPrinter text(PrintWriter out, Ansi ansi) {
    return new Text(out, ansi);
  }

  /** The readable format. */
  final class Text implements StepPrinter {
    private final PrintWriter out;
    private final Ansi ansi;

    Text(PrintWriter out, Ansi ansi) {
      this.out = out;
      this.ansi = ansi;
    }

    @Override
    public void scenario(Scenario scenario) {
      out.println(ansi.bold(scenario.name()) + ansi.dim("  (" + scenario.file() + ")"));
    }

    @Override
    public void step(StepResult r) {
      String status = r.ok() ? ansi.green("ok  ") : ansi.red("FAIL");
      String subject = subject(r);
      String outcome = String.format("%-20s", r.outcome());
      if (!r.ok()) {
        outcome = ansi.red(outcome);
      }
      out.println(
          String.format(
                  "  %s %3d  %-9s  %-12s %s %s",
                  status, r.step().number(), r.step().op(), subject, outcome, what(r))
              .stripTrailing());
      if (!r.ok()) {
        out.println(
            "              " + ansi.red("expected " + r.expected() + ", got " + r.outcome()));
        if (r.detail() != null) {
          out.println("              " + ansi.dim(r.detail()));
        }
      }
    }

    /** The node, grant or time the step was about. */
    static String subject(StepResult r) {
      JsonNode l = r.line();
      if (r.step() instanceof Scenario.Attenuate a) {
        return a.grant() + " -> " + a.as();
      }
      if (r.step() instanceof Scenario.Advance a) {
        return "+" + a.by().toString().substring(2).toLowerCase(java.util.Locale.ROOT);
      }
      if (r.step() instanceof Scenario.Authorize a && a.grant() != null) {
        return a.grant();
      }
      return l.hasNonNull("node") ? l.get("node").asText() : "";
    }

    /** What the step did, in a few words. */
    static String what(StepResult r) {
      JsonNode l = r.line();
      if (r.step() instanceof Scenario.Authorize a) {
        String s = a.action() + " " + a.resource() + (a.approved() ? " (approved)" : "");
        if (a.grant() != null) {
          s += " at " + a.audience();
        }
        if (r.decision() != null && !r.decision().determiningPolicies().isEmpty()) {
          s +=
              (r.decision().isPermit() ? "  permitted by " : "  denied by ")
                  + String.join(", ", r.decision().determiningPolicies());
        }
        return s;
      }
      if (r.step() instanceof Scenario.Advance) {
        return "now " + l.get("now").asText();
      }
      if (l.has("state")) {
        return l.get("state").asText() + ", " + count(l.get("capabilities").asInt());
      }
      if (r.step() instanceof Scenario.GrantStep g && l.has("jti")) {
        return "as " + g.as() + ", " + count(l.get("capabilities").asInt());
      }
      if (r.step() instanceof Scenario.Attenuate && l.has("jti")) {
        return count(l.get("capabilities").asInt());
      }
      if (r.step() instanceof Scenario.Revoke v && !l.has("error")) {
        return v.reason();
      }
      return "";
    }

    private static String count(int capabilities) {
      return capabilities + (capabilities == 1 ? " capability" : " capabilities");
    }
  }
}
