package io.execauthz.redis;

import io.execauthz.AuthorizationRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * One-time approvals shared by every process: an approval is recorded for exactly one call — node,
 * action, resource and the SHA-256 of its canonical arguments ({@link io.execauthz.Args#sha256()})
 * — and consumed at most once, whichever process asks first (Redis {@code GETDEL}, atomic).
 *
 * <pre>{@code
 * // where the human approves (any process):
 * approvals.record(request, Duration.ofMinutes(10));
 * // where the call is decided (any process):
 * AuthorizationRequest asked = switch (approvals.consume(request)) {
 *   case CONSUMED -> request.withApproval();
 *   case ABSENT -> request;                       // denied APPROVAL_REQUIRED if it needs one
 *   case UNAVAILABLE -> request;                  // fail closed: treated as not approved
 * };
 * Decision d = authorizer.authorize(asked);
 * }</pre>
 *
 * <p>An approval is spent when consumed, even if the decision then refuses for another reason: ask
 * for it only when the request needs one. Keys: {@code <prefix>:ap:<hash of node, action, resource,
 * arguments>}, with a TTL.
 *
 * <p>Thread-safe.
 */
public final class RedisApprovals {
  /**
   * What {@link #consume} found.
   *
   * <p>An enum: immutable and thread-safe.
   */
  public enum Consumed {
    /** An approval for this very call existed and is now spent. */
    CONSUMED,
    /** None (never given, expired, or already consumed). */
    ABSENT,
    /** Redis did not answer in time: treat as no approval (fail closed). */
    UNAVAILABLE
  }

  private final RedisStore store;

  RedisApprovals(RedisStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Records an approval of exactly this call, valid for {@code ttl}.
   *
   * @throws RedisUnavailableException if it could not be recorded
   */
  public void record(AuthorizationRequest request, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    try {
      Scripts.await(
          store
              .commands()
              .set(key(request), "1", io.lettuce.core.SetArgs.Builder.px(ttl.toMillis())),
          store.timeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException("recording an approval was interrupted", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new RedisUnavailableException(
          "recording an approval at " + store.where() + " failed: " + RedisStore.cause(e), e);
    }
  }

  /** Consumes the approval of exactly this call, if there is one; at most once across processes. */
  public Consumed consume(AuthorizationRequest request) {
    try {
      String v = Scripts.await(store.commands().getdel(key(request)), store.timeout());
      return v == null ? Consumed.ABSENT : Consumed.CONSUMED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Consumed.UNAVAILABLE;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Consumed.UNAVAILABLE;
    }
  }

  String key(AuthorizationRequest r) {
    Objects.requireNonNull(r, "request");
    return store.prefix()
        + ":ap:"
        + Keys.hash(r.nodeId(), r.action(), r.resource(), r.arguments().sha256());
  }

  @Override
  public String toString() {
    return "RedisApprovals[" + store.where() + "]";
  }
}
