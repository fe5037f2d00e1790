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
 * Threads with a large stack for every native call whose recursion depends on the policies:
 * loading, validating, caching (the parser recurses), and evaluating (the evaluator recurses, and
 * on a small stack answers "recursion limit reached" for a policy a larger one evaluates). A store
 * has one pool for loading and one for evaluation, so a long load never queues requests. Threads
 * start on demand and end after 30 s idle; the caller waits on a future (two thread hand-offs per
 * call). No global state.
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
      throw new ExecutionException(
          new IllegalStateException(
              pool.isShutdown()
                  ? "the policy store is closed"
                  : "all " + pool.getMaximumPoolSize() + " threads are busy and the queue is full",
              e));
    }
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      f.cancel(true);
      throw e;
    }
  }

  /** Whether {@link #close()} was called: nothing runs on these threads any more. */
  public boolean isClosed() {
    return pool.isShutdown();
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
