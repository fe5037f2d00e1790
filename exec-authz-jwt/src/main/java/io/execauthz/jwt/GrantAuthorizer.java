package io.execauthz.jwt;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.Reason;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Grant-backed authorization, the tool-server side: one call from a token to a {@link Decision}. It
 * verifies the grant ({@link GrantVerifier}, revocation included), rebuilds the execution view from
 * its claims and runs the same pipeline as the in-process mode ({@link Authorizer#authorize(String,
 * AuthorizationRequest)}, with the verifier as the authorizer's {@link
 * io.execauthz.spi.GrantSource}: deadline, capability gate, approval, budget, policy engine,
 * audit). A grant that fails verification is refused through {@link Authorizer#refuse}, so it is
 * audited like every other decision: {@link Reason#INVALID_GRANT} with a detail that starts with
 * the failed {@link GrantCheck}, or {@link Reason#EXPIRED}, {@link Reason#REVOKED}, {@link
 * Reason#COMPLETED}, {@link Reason#UNAVAILABLE} (the revocation registry is not current).
 *
 * <p>Budgets belong to the node: give the authorizer the same {@link io.execauthz.spi.BudgetLedger}
 * as the orchestrator's graph ({@link io.execauthz.ExecutionGraph#budgetLedger()}, or a shared
 * store), and every grant of a node — minted again, attenuated, or a sibling — draws from the
 * node's own counters and those of its budgeted ancestors.
 *
 * <pre>{@code
 * GrantAuthorizer tools = GrantAuthorizer.newBuilder()
 *     .verifier(verifier)
 *     .authorizer(Authorizer.newBuilder().clock(clock).policyEngine(policies).build())
 *     .build();
 * Decision d = tools.authorize(bearerToken, "tool.call", "tool:github/create_issue");
 * }</pre>
 *
 * <p>Never throws (but for null arguments other than the token) and never returns null; anything
 * unexpected is a deny with {@link Reason#ERROR}.
 *
 * <p>Thread-safe.
 */
public final class GrantAuthorizer {
  private final GrantVerifier verifier;
  private final Authorizer authorizer;

  private GrantAuthorizer(GrantVerifier verifier, Authorizer authorizer) {
    this.verifier = verifier;
    this.authorizer = authorizer;
  }

  /** The authorizer running the pipeline (for its cache statistics). */
  public Authorizer authorizer() {
    return authorizer;
  }

  /** Starts configuring; a verifier and an authorizer are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Decides a request without arguments or approval. */
  public Decision authorize(String token, String action, String resource) {
    return authorize(token, action, resource, Map.of(), false);
  }

  /**
   * Decides a request made under the grant {@code token}, on the grant's node. An argument whose
   * value is {@code null} is dropped, as if absent (JSON {@code null} from a tool call); arguments
   * that cannot be accepted are a deny with {@link Reason#ERROR}, never an exception.
   */
  public Decision authorize(
      String token, String action, String resource, Map<String, Object> args, boolean approved) {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(args, "args");
    AuthorizationRequest request;
    try {
      Map<String, Object> present = args;
      // not containsValue(null): immutable maps throw for it
      if (args.values().stream().anyMatch(Objects::isNull)) {
        present = new HashMap<>(args);
        present.values().removeIf(Objects::isNull);
      }
      request = new AuthorizationRequest("", action, resource, present, approved, null);
    } catch (RuntimeException e) {
      return authorizer.refuse(
          new AuthorizationRequest("", action, resource, Map.of(), approved, null),
          Reason.ERROR,
          "malformed request arguments: " + e.getClass().getSimpleName(),
          null,
          null);
    }
    return decide(token, request, true);
  }

  /**
   * Decides a request whose node id must be the grant's node: for a caller that states which node
   * it acts as (a mismatch is {@link Reason#INVALID_GRANT}).
   */
  public Decision authorize(String token, AuthorizationRequest request) {
    Objects.requireNonNull(request, "request");
    return decide(token, request, false);
  }

  private Decision decide(String token, AuthorizationRequest request, boolean bindNode) {
    return authorizer.authorize(token, bindNode ? request.onNode("") : request);
  }

  @Override
  public String toString() {
    return "GrantAuthorizer[" + verifier + "]";
  }

  /** Configures a {@link GrantAuthorizer}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private GrantVerifier verifier;
    private Authorizer.Builder authorizer;

    private Builder() {}

    /** The verifier grants must pass (required). */
    public Builder verifier(GrantVerifier verifier) {
      if (this.verifier != null) {
        throw new IllegalStateException("verifier was already set");
      }
      this.verifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * The authorizer that runs the pipeline (required), not yet built: typically one without a
     * graph, with the same clock as the verifier, the tool server's policy engine, audit sink and
     * budget ledger. Its grant source is set to the verifier here.
     */
    public Builder authorizer(Authorizer.Builder authorizer) {
      if (this.authorizer != null) {
        throw new IllegalStateException("authorizer was already set");
      }
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * @throws IllegalStateException if the verifier or the authorizer is missing
     */
    public GrantAuthorizer build() {
      if (verifier == null || authorizer == null) {
        throw new IllegalStateException("verifier and authorizer are both required");
      }
      return new GrantAuthorizer(
          verifier, authorizer.grantSource(verifier.asGrantSource()).build());
    }
  }
}
