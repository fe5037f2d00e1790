package io.execauthz.cedar.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads with a large stack for every call that makes cedar-java parse policy text: loading,
 * validating, caching, and evaluating a policy set the native cache would not take (cedar-java then
 * re-parses the policies on every call, on the caller's stack). Idle threads end after 30 s. One
 * pool per policy store; no global state.
 */
public final class NativeThreads implements AutoCloseable {
  /** 64 MiB: thousands of nesting levels, far beyond what {@link PolicyText} lets through. */
  static final long STACK_BYTES = 64L << 20;

  private final ThreadPoolExecutor pool;

  public NativeThreads(String name, int threads) {
    String id = Integer.toHexString(System.identityHashCode(this));
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(10_000),
            r -> {
              Thread t =
                  new Thread(
                      null, r, name + "-" + id + "-" + n.incrementAndGet(), STACK_BYTES, false);
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code task} on a large-stack thread and waits for it.
   *
   * @throws TimeoutException if it takes longer than {@code timeout} (the task is interrupted, but
   *     native code runs on until it returns)
   * @throws ExecutionException wrapping what the task threw
   */
  public <T> T call(Callable<T> task, Duration timeout)
      throws TimeoutException, ExecutionException, InterruptedException {
    Future<T> f;
    try {
      f = pool.submit(task);
    } catch (RejectedExecutionException e) {
      throw new ExecutionException("native call refused: the policy store is closed or busy", e);
    }
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      f.cancel(true);
      throw e;
    }
  }

  /** Runs {@code task} on a large-stack thread later, if the pool takes it. */
  public void execute(Runnable task) {
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      // closed or busy: the task was optional
    }
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
