package io.execauthz.spi;

/**
 * Decides, inside the ceiling the execution graph sets, whether a request is permitted. Cedar
 * implements it in {@code exec-authz-cedar}; core ships {@link #permitAll()} and {@link
 * #denyAll()}.
 *
 * <p>Implementations must be thread-safe. An exception thrown by {@link #evaluate} denies the
 * request with {@code Reason.ERROR}; so does a decision that lists errors.
 *
 * <p><b>Contract with the decision cache.</b> An answer must be a function of the {@link
 * PolicyRequest} (its time counted in whole seconds, if {@link #readsTime()}) and of {@link
 * #version()}: an engine whose answers change for any other reason — reloaded policies, a changed
 * data source — must change its version, or the authorizer may keep serving the earlier answer.
 * Error answers are never cached.
 */
public interface PolicyEngine {

  /** Evaluates one request; never returns null. */
  PolicyDecision evaluate(PolicyRequest request);

  /**
   * A number that changes whenever the engine's answers may change (a policy reload), so that
   * cached answers given under other policies are never served. Read on every request: keep it
   * cheap.
   */
  default long version() {
    return 0;
  }

  /**
   * Whether answers may depend on the request time ({@link PolicyRequest#now()}). When false, the
   * decision cache keeps an answer across seconds; when true (the safe default), only within the
   * same second. Read on every request, with {@link #version()}.
   */
  default boolean readsTime() {
    return true;
  }

  /**
   * The top-level arguments ({@link PolicyRequest#args()}) answers to {@code action} may depend on,
   * under the policies of the current {@link #version()}; every argument (the safe default) when
   * unsure. The decision cache keys a request by these arguments only, so an engine must answer
   * every request as it answers the same request with its arguments restricted to these names (the
   * simplest way: look at nothing else, as the Cedar engine sends nothing else). Read on every
   * request: keep it cheap.
   */
  default ArgumentReads argumentReads(String action) {
    return ArgumentReads.all();
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
