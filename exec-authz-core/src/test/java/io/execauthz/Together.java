package io.execauthz;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/** Races: threads released at the same moment, each running one body. */
final class Together {
  private Together() {}

  /**
   * Starts {@code threads} threads, releases them at once to run {@code body} with their index, and
   * waits for all of them; what a body throws fails the caller.
   */
  static void run(int threads, IntConsumer body) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int index = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                  body.accept(index);
                } catch (Throwable e) {
                  thrown.compareAndSet(null, e);
                }
              });
      t.start();
      started.add(t);
    }
    go.countDown();
    for (Thread t : started) {
      t.join();
    }
    if (thrown.get() != null) {
      throw new AssertionError("a racing thread threw", thrown.get());
    }
  }
}
