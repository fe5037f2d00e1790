package io.execauthz;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a request would be decided as it would: every check of the pipeline in CONTRACT §2's order,
 * each with its outcome, and the decision they make together — the answer to "why was this denied?"
 * (or permitted) that a {@link Decision} alone gives only as a reason.
 *
 * <pre>{@code
 * Explanation e = authorizer.explain(AuthorizationRequest.of("task-7", "fs.write", "fs:/repo/a"));
 * for (Explanation.Check c : e.checks()) {
 *   System.out.println(c.step() + " " + c.outcome());
 * }
 * e.failed().ifPresent(c -> System.out.println("refused by " + c.step()));
 * }</pre>
 *
 * <p>Made by {@link Authorizer#explain} from the very step objects {@link Authorizer#check} runs,
 * so {@link #decision()} is what {@code check} returns for the same request in the same state (but
 * for its decision id). Immutable and thread-safe.
 *
 * @param checks one per {@link Step}, in order: passed, then at most one failed, then skipped
 * @param decision the outcome of the checks together
 */
public record Explanation(List<Check> checks, Decision decision) {

  /** The checks of the pipeline, in the order they run (CONTRACT §2). Immutable. */
  public enum Step {
    /** The node exists in the graph. */
    NODE,
    /**
     * The node and every ancestor are active (not held, cancelled, revoked, completed) and the
     * deadline has not passed. A clock that fails refuses here.
     */
    LIVENESS,
    /**
     * A capability of the node covers the action on the resource, in canonical form: a malformed
     * action or a resource without a canonical form refuses here ({@link Reason#ERROR}).
     */
    CAPABILITY,
    /** The resource lies in no claim held by a node outside the lineage (reads pass through). */
    CLAIMS,
    /** A covering capability may be used without approval, or the request carries one. */
    APPROVAL,
    /**
     * Every budgeted ancestor has a capability serving the request. Like {@link Authorizer#check},
     * the live {@code maxCalls} counters are neither read nor spent: {@link Authorizer#authorize}
     * may still refuse a permitted request with {@link Reason#BUDGET_EXHAUSTED}.
     */
    BUDGET,
    /**
     * The policy engine permits; its errors deny ({@link Reason#ERROR}, fail closed). Its check
     * names the determining policies and the errors the engine reported.
     */
    POLICY
  }

  /** What became of one check. Immutable and thread-safe. */
  public sealed interface Outcome permits Passed, Failed, Skipped {}

  /** The check ran and let the request through. Immutable. */
  public record Passed() implements Outcome {
    @Override
    public String toString() {
      return "passed";
    }
  }

  /**
   * The check ran and refused the request: this is the decision's reason and detail. Immutable.
   *
   * @param reason the typed reason of the deny
   * @param detail the deny's sentence for people
   */
  public record Failed(Reason reason, String detail) implements Outcome {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return "failed " + reason + ": " + detail;
    }
  }

  /**
   * The check never ran, because an earlier one refused the request. Immutable.
   *
   * @param after the check that refused it
   */
  public record Skipped(Step after) implements Outcome {
    public Skipped {
      Objects.requireNonNull(after, "after");
    }

    @Override
    public String toString() {
      return "skipped (" + after + " failed)";
    }
  }

  /**
   * One check and its outcome. Immutable and thread-safe.
   *
   * @param determiningPolicies for {@link Step#POLICY} when it ran, the policies the engine named
   *     as deciding (the satisfied permits of a permit, the satisfied forbids of a forbid); else
   *     empty
   * @param errors for {@link Step#POLICY} when it ran, the errors the engine reported (any error
   *     denies); for a check that failed with {@link Reason#ERROR}, what failed; else empty
   */
  public record Check(
      Step step, Outcome outcome, List<String> determiningPolicies, List<String> errors) {
    public Check {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(outcome, "outcome");
      determiningPolicies = List.copyOf(determiningPolicies);
      errors = List.copyOf(errors);
    }

    /** Whether the check ran and let the request through. */
    public boolean passed() {
      return outcome instanceof Passed;
    }
  }

  /**
   * @throws IllegalArgumentException unless there is one check per step, in order, passed ones
   *     first, then at most one failed, then skipped ones naming it; and a permit when none failed,
   *     else a deny with the failed check's reason and detail
   */
  public Explanation {
    checks = List.copyOf(checks);
    Objects.requireNonNull(decision, "decision");
    Step[] steps = Step.values();
    if (checks.size() != steps.length) {
      throw new IllegalArgumentException(
          "expected " + steps.length + " checks, one per step, found " + checks.size());
    }
    Check failed = null;
    for (int i = 0; i < steps.length; i++) {
      Check c = checks.get(i);
      if (c.step() != steps[i]) {
        throw new IllegalArgumentException(
            "check " + (i + 1) + " must be " + steps[i] + ", found " + c.step());
      }
      boolean ok =
          failed == null
              ? !(c.outcome() instanceof Skipped)
              : c.outcome() instanceof Skipped s && s.after() == failed.step();
      if (!ok) {
        throw new IllegalArgumentException(
            "check "
                + c.step()
                + " is "
                + c.outcome()
                + (failed == null ? "" : " after " + failed.step()));
      }
      if (c.outcome() instanceof Failed) {
        failed = c;
      }
    }
    boolean agrees =
        failed == null
            ? decision.isPermit()
            : decision instanceof Decision.Deny d
                && failed.outcome().equals(new Failed(d.reason(), d.detail()));
    if (!agrees) {
      throw new IllegalArgumentException(
          "the decision "
              + decision
              + (failed == null ? " after every check passed" : " after " + failed));
    }
  }

  /** The check that refused the request; empty for a permit. */
  public Optional<Check> failed() {
    return checks.stream().filter(c -> c.outcome() instanceof Failed).findFirst();
  }

  /** The check of this step. */
  public Check check(Step step) {
    return checks.get(step.ordinal());
  }
}
