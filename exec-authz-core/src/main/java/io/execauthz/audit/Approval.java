package io.execauthz.audit;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who approved a request and how: kept with the request ({@code
 * AuthorizationRequest.withApproval(by, via)}) and in its audit record, so a reviewer can tell an
 * approval a person gave in the caller's own interface from one an MCP client's software answered.
 *
 * <pre>{@code
 * new Approval("claude-code/1.2.0", "mcp-elicitation");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param by who approved, as the mechanism knows them (a user id, an MCP client's name and
 *     version), at most {@value #MAX_BY} characters without control characters; or {@code null}
 *     when the mechanism does not say (an approval consumed from an {@code ApprovalStore})
 * @param via the mechanism: {@code mcp-elicitation}, {@code approval-store}, or the caller's own
 *     name for it — lower-case letters, digits, {@code .} and {@code -}, at most 64 characters
 * @throws IllegalArgumentException naming the component that is malformed
 */
public record Approval(String by, String via) {
  /** The longest {@code by} accepted. */
  public static final int MAX_BY = 256;

  /** An approval answered through MCP elicitation by the client named in {@code by}. */
  public static final String MCP_ELICITATION = "mcp-elicitation";

  /** A one-time approval recorded in, and consumed from, an {@code ApprovalStore}. */
  public static final String APPROVAL_STORE = "approval-store";

  private static final Pattern VIA = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");

  public Approval {
    Objects.requireNonNull(via, "via");
    if (!VIA.matcher(via).matches()) {
      throw new IllegalArgumentException(
          "approval via must be lower-case letters, digits, '.' and '-' (at most 64), was \""
              + via.substring(0, Math.min(via.length(), 64))
              + "\"");
    }
    if (by != null) {
      if (by.isEmpty() || by.length() > MAX_BY) {
        throw new IllegalArgumentException(
            "approval by must be 1 to " + MAX_BY + " characters, was " + by.length());
      }
      if (by.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("approval by must hold no control characters");
      }
    }
  }
}
