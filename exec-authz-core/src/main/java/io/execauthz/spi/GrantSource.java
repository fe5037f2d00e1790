package io.execauthz.spi;

import io.execauthz.ExecutionView;
import io.execauthz.Reason;
import java.util.Objects;

/**
 * Where an authorizer gets execution views it did not build itself: a verifier of grants (the
 * tool-server side). The authorizer decides on a grant's view only if its own configured source
 * verified it, so no caller can hand the pipeline a view of its choosing.
 *
 * <p>Implementations must be thread-safe, never return null and never throw for a bad token: a
 * token that fails any check is a {@link Rejected} naming the check.
 */
public interface GrantSource {

  /** Verifies a token and rebuilds the execution view it carries. */
  Result verify(String token);

  /** A verification outcome. */
  sealed interface Result permits Accepted, Rejected {}

  /**
   * The token passed every check.
   *
   * @param grantId the grant's id ({@code jti}), for the audit record
   */
  record Accepted(ExecutionView view, String grantId) implements Result {
    public Accepted {
      Objects.requireNonNull(view, "view");
      Objects.requireNonNull(grantId, "grantId");
    }
  }

  /**
   * The token failed a check.
   *
   * @param reason {@link Reason#INVALID_GRANT}, {@link Reason#EXPIRED}, {@link Reason#REVOKED},
   *     {@link Reason#COMPLETED}, {@link Reason#UNAVAILABLE} or {@link Reason#ERROR}
   * @param detail what failed, for people; names no key and no other caller's data
   * @param view what is known of the execution, or {@code null}
   * @param grantId the grant's id if it could be read, or {@code null}
   */
  record Rejected(Reason reason, String detail, ExecutionView view, String grantId)
      implements Result {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
      if (reason == Reason.POLICY || reason == Reason.OUT_OF_SCOPE) {
        throw new IllegalArgumentException("a grant is not rejected with " + reason);
      }
    }
  }
}
