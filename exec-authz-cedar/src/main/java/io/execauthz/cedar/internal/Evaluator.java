package io.execauthz.cedar.internal;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.DetailedError;
import com.cedarpolicy.model.exception.AuthException;
import io.execauthz.spi.PolicyRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs one request against one snapshot and turns every Cedar error into a listed error, never a
 * permit: a failed call, a request or entity the schema rejects, and policies that errored during
 * evaluation (cedar-java skips those and still answers {@code Success}).
 *
 * <p>Thread-safe.
 */
public final class Evaluator {
  /**
   * The deepest policy expression (in levels, as {@code PolicyAnalysis} counts them) evaluated on
   * the caller's own thread. Handing a call to a large-stack thread and back costs about as much as
   * the evaluation itself on a small machine (≈ 55 µs of ≈ 135 here, docs/benchmarks.md); policies
   * this shallow evaluate on any ordinary thread's stack (a stack too small for them is detected —
   * Cedar answers "recursion limit reached" — and the call handed off after all, so the answer is
   * the same on every thread: SameAnswerOnEveryThreadTest), and only deeper ones always pay for the
   * hand-off.
   */
  public static final int CALLER_THREAD_DEPTH = 32;

  private final BasicAuthorizationEngine engine = new BasicAuthorizationEngine();
  private final RequestMapper.Limits limits;
  private final Duration timeout;

  private final LongAdder decisions = new LongAdder();
  private final LongAdder cached = new LongAdder();
  private final LongAdder uncached = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicLong uncachedCalls = new AtomicLong();

  /**
   * What one evaluation found.
   *
   * <p>Immutable (the lists are copied), so thread-safe.
   */
  public record Outcome(
      long version,
      boolean permitted,
      List<String> determiningPolicies,
      List<String> errors,
      boolean cachedPath) {
    public Outcome {
      determiningPolicies = List.copyOf(determiningPolicies);
      errors = List.copyOf(errors);
    }
  }

  public Evaluator(RequestMapper.Limits limits, Duration timeout) {
    this.limits = limits;
    this.timeout = timeout;
  }

  /** Counters: decisions, cached, uncached, rejected before Cedar, failed. */
  public long[] counters() {
    return new long[] {decisions.sum(), cached.sum(), uncached.sum(), rejected.sum(), failed.sum()};
  }

  /**
   * Evaluates a deep policy set on one of {@code evaluation}'s threads, never on the caller's:
   * Cedar evaluates recursively on the stack it is called on, so the same policy would evaluate on
   * a large stack and fail ("recursion limit reached", a deny with an error) on a small one. A
   * shallow set ({@link Snapshot#shallow()}) evaluates on the caller's thread, and again on the
   * store's threads if the caller's stack was too small for it: the answer is the same either way.
   * Never throws, never returns null.
   *
   * @param evaluation the threads deep sets are evaluated on (their stack is the library's choice)
   * @param loading the threads that may retry caching the policy set natively
   */
  public Outcome evaluate(
      Snapshot s, PolicyRequest request, NativeThreads evaluation, NativeThreads loading) {
    decisions.increment();
    RequestMapper.Mapped m;
    try {
      m = RequestMapper.map(request, s.schema(), limits, s::argumentReads, s.reach());
    } catch (RequestMapper.Rejected e) {
      rejected.increment();
      return error(s, false, "request refused before evaluation: " + e.getMessage());
    } catch (RuntimeException e) {
      rejected.increment();
      return error(s, false, "request could not be mapped to Cedar: " + e);
    }
    AuthorizationRequest q =
        new AuthorizationRequest(
            m.principal(),
            m.action(),
            m.resource(),
            Optional.of(m.context()),
            m.sendsSchema() ? Optional.of(s.schema().schema()) : Optional.empty(),
            m.sendsSchema());
    boolean path = s.cachedPath();
    AuthorizationResponse response;
    try {
      if (path) {
        cached.increment();
      } else {
        // cedar-java re-parses every policy on this call
        uncached.increment();
        if ((uncachedCalls.incrementAndGet() & 1023) == 1) {
          // the native cache may have room again (entries are freed when sets are collected)
          loading.execute(s::tryCache);
        }
      }
      response = null;
      if (s.shallow()) {
        if (evaluation.isClosed()) {
          // as on the store's threads: a closed store evaluates nothing
          return error(s, path, "cedar evaluation failed: the policy store is closed");
        }
        response = onCallersThread(q, s, m);
      }
      if (response == null || outOfStack(response)) {
        // deep policies, or a caller's stack too small even for shallow ones: the large stacks
        response =
            evaluation.call(() -> engine.isAuthorized(q, s.policies(), m.entities()), timeout);
      }
    } catch (TimeoutException e) {
      return error(s, path, "cedar evaluation timed out after " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(s, path, "cedar evaluation interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return error(s, path, "cedar evaluation failed: " + String.join("; ", Loader.messages(c)));
    } catch (AuthException e) {
      return error(s, path, "cedar evaluation failed: " + String.join("; ", Loader.messages(e)));
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      return error(s, path, "cedar evaluation failed: " + e);
    }
    return interpret(s, path, response);
  }

  /**
   * The answer evaluated on the caller's thread, or null when that thread's stack overflowed on the
   * Java side (cedar-java serializing the request): the call then goes to the large stacks.
   */
  private AuthorizationResponse onCallersThread(
      AuthorizationRequest q, Snapshot s, RequestMapper.Mapped m) throws AuthException {
    try {
      return engine.isAuthorized(q, s.policies(), m.entities());
    } catch (StackOverflowError e) {
      return null;
    }
  }

  /**
   * Whether Cedar stopped for want of stack ("recursion limit reached"): on the caller's thread
   * that says the thread's stack is small, not that the request is bad, so it is asked again on the
   * store's threads and answers as there.
   */
  private static boolean outOfStack(AuthorizationResponse r) {
    if (r.type != AuthorizationResponse.SuccessOrFailure.Success || r.success.isEmpty()) {
      return r.errors.map(es -> es.stream().anyMatch(e -> recursion(e.message))).orElse(false);
    }
    for (AuthorizationSuccessResponse.AuthorizationError e : r.success.get().getErrors()) {
      if (recursion(e.getError().message)) {
        return true;
      }
    }
    return false;
  }

  private static boolean recursion(String message) {
    return message != null && message.contains("recursion limit");
  }

  private Outcome interpret(Snapshot s, boolean path, AuthorizationResponse r) {
    if (r == null) {
      return error(s, path, "cedar returned no response");
    }
    if (r.type != AuthorizationResponse.SuccessOrFailure.Success || r.success.isEmpty()) {
      List<String> errors = new ArrayList<>();
      r.errors.ifPresent(es -> es.forEach(e -> errors.add("request rejected: " + describe(e))));
      if (errors.isEmpty()) {
        errors.add("cedar could not evaluate the request");
      }
      failed.increment();
      return new Outcome(s.version(), false, List.of(), errors, path);
    }
    AuthorizationSuccessResponse ok = r.success.get();
    List<String> determining = new ArrayList<>(ok.getReason());
    determining.sort(null);
    List<String> errors = new ArrayList<>();
    for (AuthorizationSuccessResponse.AuthorizationError e : ok.getErrors()) {
      String where = s.locations().get(e.getPolicyId());
      errors.add(
          "policy '"
              + e.getPolicyId()
              + "'"
              + (where == null || where.equals(e.getPolicyId()) ? "" : " (" + where + ")")
              + " errored: "
              + describe(e.getError()));
    }
    if (!errors.isEmpty()) {
      failed.increment();
      return new Outcome(s.version(), false, determining, errors, path);
    }
    boolean allowed = ok.getDecision() == AuthorizationSuccessResponse.Decision.Allow;
    return new Outcome(s.version(), allowed, determining, List.of(), path);
  }

  private static String describe(DetailedError e) {
    return Loader.describe(e, null);
  }

  private Outcome error(Snapshot s, boolean path, String message) {
    failed.increment();
    return new Outcome(s.version(), false, List.of(), List.of(message), path);
  }
}
