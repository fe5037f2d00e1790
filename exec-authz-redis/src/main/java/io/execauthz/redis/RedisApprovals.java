package io.execauthz.redis;

import io.execauthz.AuthorizationRequest;
import io.execauthz.spi.ApprovalStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ApprovalStore} shared by every process: an approval is recorded for exactly one call —
 * node, action, canonical resource and the SHA-256 of its canonical arguments ({@link
 * io.execauthz.Args#sha256()}) — and consumed at most once, whichever process asks first (Redis
 * {@code GETDEL}, atomic; Redis 6.2 or later).
 *
 * <pre>{@code
 * RedisApprovals approvals = store.approvals();
 * Authorizer authorizer = Authorizer.newBuilder()...approvalStore(approvals).build();
 * // where the human approves (any process):
 * approvals.record(request, Duration.ofMinutes(10));
 * // where the call is decided (any process): the pipeline's approval step consumes it
 * Decision d = authorizer.authorize(request);
 * }</pre>
 *
 * <p>An approval is spent when consumed, even if the decision then refuses for another reason: the
 * pipeline asks only when the request needs one. When Redis does not answer within the store's
 * timeout, {@link #consume} and {@link #peek} return {@link Outcome#UNAVAILABLE} (a deny with
 * {@code UNAVAILABLE}). Key: {@code <prefix>:ap:<hash of node, action, resource, arguments>}, one
 * key per approval (so any cluster slot), with a TTL.
 *
 * <p>Thread-safe.
 */
public final class RedisApprovals implements ApprovalStore {
  private final RedisStore store;

  RedisApprovals(RedisStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Records an approval of exactly this request (its resource in canonical form), valid for {@code
   * ttl}.
   *
   * @throws RedisUnavailableException if it could not be recorded
   */
  public void record(AuthorizationRequest request, Duration ttl) {
    record(Approval.of(Objects.requireNonNull(request, "request")), ttl);
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisUnavailableException if it could not be recorded
   */
  @Override
  public void record(Approval approval, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    String key = key(approval);
    try {
      Scripts.await(
          store.commands().set(key, "1", io.lettuce.core.SetArgs.Builder.px(ttl.toMillis())),
          store.timeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException("recording an approval was interrupted", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new RedisUnavailableException(
          "recording an approval at " + store.where() + " failed: " + RedisStore.cause(e), e);
    }
  }

  /** The approval of exactly this request, consumed if there is one; at most once overall. */
  public Outcome consume(AuthorizationRequest request) {
    return consume(Approval.of(Objects.requireNonNull(request, "request")));
  }

  @Override
  public Outcome consume(Approval approval) {
    String key = key(approval);
    try {
      String v = Scripts.await(store.commands().getdel(key), store.timeout());
      return v == null ? Outcome.ABSENT : Outcome.APPROVED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.UNAVAILABLE;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Outcome.UNAVAILABLE;
    }
  }

  @Override
  public Outcome peek(Approval approval) {
    String key = key(approval);
    try {
      Long n = Scripts.await(store.commands().exists(key), store.timeout());
      return n != null && n > 0 ? Outcome.APPROVED : Outcome.ABSENT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.UNAVAILABLE;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Outcome.UNAVAILABLE;
    }
  }

  String key(Approval a) {
    Objects.requireNonNull(a, "approval");
    return store.prefix()
        + ":ap:"
        + Keys.hash(a.nodeId(), a.action(), a.resource(), a.argumentsSha256());
  }

  @Override
  public String toString() {
    return "RedisApprovals[" + store.where() + "]";
  }
}
