package io.execauthz;

import io.execauthz.audit.Approval;
import java.util.Map;
import java.util.Objects;

/**
 * One request to act: on which node, which action on which resource, with which arguments.
 *
 * <pre>{@code
 * AuthorizationRequest.of("task-7", "tool.call", "tool:github/create_issue")
 *     .withArgs(Map.of("repo", "acme/api"))
 *     .withApproval("user:alice", "review-ui"); // or withApproval(), saying nothing of who
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param nodeId the execution node acting
 * @param action a concrete action such as {@code tool.call}
 * @param resource a concrete resource such as {@code tool:github/create_issue}
 * @param args the call's arguments, for policies: deep-copied into an immutable {@link Args}
 *     (strings, booleans, integers, decimals, lists, string-keyed maps; a {@code null} value leaves
 *     its key out; {@code null} is no arguments), so a caller changing its own map or lists later
 *     changes nothing here
 * @param approved whether a human approval was given for this very request
 * @param traceparent the W3C trace context of the call, or {@code null} for the node's
 * @param approval who approved and how, for the audit record; {@code null} when not approved or not
 *     said; only with {@code approved}
 * @throws IllegalArgumentException if the traceparent is malformed, an argument is not one of the
 *     accepted types (the message names where), or an approval is given for an unapproved request
 */
public record AuthorizationRequest(
    String nodeId,
    String action,
    String resource,
    Map<String, Object> args,
    boolean approved,
    String traceparent,
    Approval approval) {

  public AuthorizationRequest {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    args = Args.of(args);
    if (traceparent != null) {
      TraceContext.parse(traceparent); // a malformed one would be written to the audit log
    }
    if (approval != null && !approved) {
      throw new IllegalArgumentException("an approval's provenance needs an approved request");
    }
  }

  /** A request without an approval's provenance, as requests were before they could carry one. */
  public AuthorizationRequest(
      String nodeId,
      String action,
      String resource,
      Map<String, Object> args,
      boolean approved,
      String traceparent) {
    this(nodeId, action, resource, args, approved, traceparent, null);
  }

  /** A request without arguments or approval. */
  public static AuthorizationRequest of(String nodeId, String action, String resource) {
    return new AuthorizationRequest(nodeId, action, resource, Args.empty(), false, null);
  }

  /** A copy made on another node (a grant's request, once the grant named its node). */
  public AuthorizationRequest onNode(String nodeId) {
    return new AuthorizationRequest(
        nodeId, action, resource, args, approved, traceparent, approval);
  }

  /** The arguments as the immutable value they were copied into. */
  public Args arguments() {
    return (Args) args;
  }

  /** A copy with these arguments. */
  public AuthorizationRequest withArgs(Map<String, Object> args) {
    return new AuthorizationRequest(
        nodeId, action, resource, args, approved, traceparent, approval);
  }

  /** A copy marked as approved (keeping any provenance it had). */
  public AuthorizationRequest withApproval() {
    return new AuthorizationRequest(nodeId, action, resource, args, true, traceparent, approval);
  }

  /**
   * A copy marked as approved by {@code by} (who, or null when not known) via {@code via} (how,
   * such as {@code mcp-elicitation}): the audit record says so.
   *
   * @throws IllegalArgumentException if {@code by} or {@code via} is malformed (see {@link
   *     Approval})
   */
  public AuthorizationRequest withApproval(String by, String via) {
    return withApproval(new Approval(by, via));
  }

  /** A copy marked as approved with this provenance. */
  public AuthorizationRequest withApproval(Approval approval) {
    java.util.Objects.requireNonNull(approval, "approval");
    return new AuthorizationRequest(nodeId, action, resource, args, true, traceparent, approval);
  }

  /** A copy carrying the call's trace context. */
  public AuthorizationRequest withTraceparent(String traceparent) {
    return new AuthorizationRequest(
        nodeId, action, resource, args, approved, traceparent, approval);
  }
}
