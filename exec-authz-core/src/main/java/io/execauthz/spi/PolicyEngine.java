package io.execauthz.spi;

/**
 * Decides, inside the ceiling the execution graph sets, whether a request is permitted. Cedar
 * implements it in {@code exec-authz-cedar}; core ships {@link #permitAll()} and {@link
 * #denyAll()}.
 *
 * <p>Implementations must be thread-safe. An exception thrown by {@link #evaluate} denies the
 * request with {@code Reason.ERROR}; so does a decision that lists errors.
 */
public interface PolicyEngine {

  /** Evaluates one request; never returns null. */
  PolicyDecision evaluate(PolicyRequest request);

  /**
   * A number that changes whenever the engine's policies change, so cached decisions made under
   * older policies are never served.
   */
  default long version() {
    return 0;
  }

  /** Permits everything the execution graph allows (for users without policies, and tests). */
  static PolicyEngine permitAll() {
    return BuiltinEngines.PERMIT_ALL;
  }

  /** Denies everything. */
  static PolicyEngine denyAll() {
    return BuiltinEngines.DENY_ALL;
  }
}
