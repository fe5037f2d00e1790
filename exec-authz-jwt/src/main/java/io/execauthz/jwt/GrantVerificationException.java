package io.execauthz.jwt;

import io.execauthz.ExecutionView;
import java.util.Objects;
import java.util.Optional;

/**
 * A grant failed verification. {@link #check()} names the check; the message says what was
 * presented and what was required.
 *
 * <pre>{@code
 * try {
 *   VerifiedGrant g = verifier.verify(token);
 * } catch (GrantVerificationException e) {
 *   switch (e.check()) {
 *     case EXPIRED -> askForAFreshGrant();
 *     default -> refuse(e.check() + ": " + e.getMessage());
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe once thrown: its fields are final.
 */
public final class GrantVerificationException extends GrantException {
  private final GrantCheck check;
  private final transient String grantId;
  private final transient ExecutionView view;

  GrantVerificationException(GrantCheck check, String message) {
    this(check, message, null, null);
  }

  GrantVerificationException(GrantCheck check, String message, String grantId, ExecutionView view) {
    super(check + ": " + message);
    this.check = Objects.requireNonNull(check, "check");
    this.grantId = grantId;
    this.view = view;
  }

  /** The check that failed. */
  public GrantCheck check() {
    return check;
  }

  /**
   * The grant's {@code jti}, when its signature did verify (the grant is authentic but expired,
   * revoked, not for this audience, …); empty otherwise, since unverified claims are not to be
   * trusted.
   */
  public Optional<String> grantId() {
    return Optional.ofNullable(grantId);
  }

  /** The execution view the authentic grant carries, for the audit record; or null. */
  ExecutionView view() {
    return view;
  }
}
