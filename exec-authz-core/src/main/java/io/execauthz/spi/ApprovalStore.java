package io.execauthz.spi;

import io.execauthz.AuthorizationRequest;
import io.execauthz.internal.InMemoryApprovalStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Where one-time human approvals wait to be used. An approval is given for exactly one call — node,
 * action, canonical resource and the SHA-256 of the canonical arguments ({@link
 * io.execauthz.Args#sha256()}) — and consumed at most once, whichever thread or process asks first.
 *
 * <p>The pipeline's approval step (CONTRACT §2: claims → <b>approval</b> → budget) asks it only
 * when the covering capability needs an approval and the request does not carry one itself ({@link
 * AuthorizationRequest#withApproval()}, unchanged): {@link #consume} when deciding, {@link #peek}
 * for a side-effect-free {@code check}. Found, the request goes on as approved; absent, it is
 * denied {@code APPROVAL_REQUIRED} as before; {@link Outcome#UNAVAILABLE} (or a store that throws)
 * is a deny with {@code UNAVAILABLE} — fail closed. A consumed approval stays spent even if a later
 * step (budget, policy) refuses the call: it never serves twice.
 *
 * <pre>{@code
 * ApprovalStore approvals = ApprovalStore.inMemory(clock);      // or RedisStore.approvals()
 * Authorizer authorizer = Authorizer.newBuilder()...approvalStore(approvals).build();
 * // where the human approves:
 * approvals.record(ApprovalStore.Approval.of(request), Duration.ofMinutes(10));
 * authorizer.authorize(request);                                 // permitted once
 * }</pre>
 *
 * <p>Implementations must be thread-safe, and consume atomically.
 */
public interface ApprovalStore {

  /**
   * The one call an approval is for.
   *
   * @param resource the resource in its canonical form (as the pipeline matches it)
   * @param argumentsSha256 {@link io.execauthz.Args#sha256()} of the call's arguments
   */
  record Approval(String nodeId, String action, String resource, String argumentsSha256) {
    public Approval {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(resource, "resource");
      Objects.requireNonNull(argumentsSha256, "argumentsSha256");
    }

    /** The approval of exactly this request (its resource should be canonical already). */
    public static Approval of(AuthorizationRequest request) {
      return new Approval(
          request.nodeId(), request.action(), request.resource(), request.arguments().sha256());
    }
  }

  /** What the store found. */
  enum Outcome {
    /** An approval of this very call exists ({@link #consume}: existed, and is now spent). */
    APPROVED,
    /** None: never given, expired, or already consumed. */
    ABSENT,
    /** The store could not answer in time: treated as a refusal with {@code UNAVAILABLE}. */
    UNAVAILABLE
  }

  /**
   * Records an approval of exactly this call, usable once within {@code ttl}.
   *
   * @throws RuntimeException if it could not be recorded (the call then stays unapproved)
   */
  void record(Approval approval, Duration ttl);

  /** Consumes the approval of this call if there is one: at most once, across every caller. */
  Outcome consume(Approval approval);

  /** Whether an approval of this call is waiting, without consuming it. */
  Outcome peek(Approval approval);

  /**
   * Approvals in this JVM's memory, forgotten when their time is up (the default of an authorizer,
   * which then holds none until some are recorded: a request is approved only by {@link
   * AuthorizationRequest#withApproval()}, as ever).
   */
  static ApprovalStore inMemory(InstantSource clock) {
    return new InMemoryApprovalStore(clock, 100_000);
  }
}
