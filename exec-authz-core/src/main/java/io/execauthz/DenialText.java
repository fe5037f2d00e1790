package io.execauthz;

import java.util.Objects;

/**
 * The one text form of a refusal that a model, a tool result or an MCP client reads: {@code DENY
 * <REASON>: <detail>} (CONTRACT §7), for example {@code DENY OUT_OF_SCOPE: node 'task-7' may not
 * tool.call tool:github/merge_pr}.
 *
 * <p>Why one place: every adapter hands a deny back to a model as text it can re-plan from, and a
 * model (or a test, or an operator grepping logs) should see the same shape whichever framework
 * carried it. The reason comes first so that a reader can switch on it; the detail is the {@link
 * Decision.Deny#detail()} the pipeline wrote, which names public identifiers only.
 *
 * <p>Stateless and thread-safe.
 */
public final class DenialText {
  /** The word every refusal starts with. */
  public static final String PREFIX = "DENY ";

  private DenialText() {}

  /** {@code DENY <reason>: <detail>}. */
  public static String of(Reason reason, String detail) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    return PREFIX + reason + ": " + detail;
  }

  /** The text of this deny: {@code DENY <reason>: <detail>}. */
  public static String of(Decision.Deny deny) {
    Objects.requireNonNull(deny, "deny");
    return of(deny.reason(), deny.detail());
  }
}
