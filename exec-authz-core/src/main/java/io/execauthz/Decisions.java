package io.execauthz;

import java.util.List;

/** Building denies: the shapes every step of the pipeline returns. */
final class Decisions {
  private static final System.Logger LOG = System.getLogger(Authorizer.class.getName());

  private Decisions() {}

  /** The clock's instant, or null when the clock failed (the request is then denied). */
  static java.time.Instant now(java.time.InstantSource clock) {
    try {
      return java.util.Objects.requireNonNull(clock.instant(), "the clock returned null");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "authorizer clock failed", e);
      return null;
    }
  }

  /** The instant for a record when the clock failed: the epoch, never a made-up time. */
  static java.time.Instant orEpoch(java.time.Instant now) {
    return now == null ? java.time.Instant.EPOCH : now;
  }

  static Decision.Deny deny(String id, Reason reason, String detail, List<String> path) {
    return new Decision.Deny(id, reason, detail, path, List.of(), List.of());
  }

  /** An evaluation that threw: {@link Reason#ERROR}, naming the exception. */
  static Decision.Deny error(String id, List<String> path, Throwable e) {
    String msg =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return new Decision.Deny(
        id, Reason.ERROR, "evaluation failed: " + msg, path, List.of(), List.of(msg));
  }

  static Decision.Deny clockFailed(String id, List<String> path) {
    return new Decision.Deny(
        id,
        Reason.ERROR,
        "the clock failed: no decision can be made without the time",
        path,
        List.of(),
        List.of("clock failure"));
  }

  /**
   * Lets the JVM's own failures (out of memory, an internal error) propagate; everything else, a
   * stack overflow in a policy engine included, becomes a deny.
   */
  static void rethrowIfFatal(Throwable e) {
    if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
      throw (VirtualMachineError) e;
    }
  }
}
