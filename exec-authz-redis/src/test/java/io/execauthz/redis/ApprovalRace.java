package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.spi.ApprovalStore.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/** One approval raced for by 16 threads over two stores: exactly one of them gets it. */
final class ApprovalRace {
  private ApprovalRace() {}

  /**
   * Records an approval of {@code call} in {@code a}, then races to consume it from both stores.
   */
  static void consumedExactlyOnce(RedisStore a, RedisStore b, AuthorizationRequest call)
      throws InterruptedException {
    a.approvals().record(call, Duration.ofMinutes(1));
    ConcurrentLinkedQueue<Outcome> results = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      RedisApprovals approvals = (i % 2 == 0 ? a : b).approvals();
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                results.add(approvals.consume(call));
              });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(results).hasSize(16);
    assertThat(results.stream().filter(r -> r == Outcome.APPROVED)).hasSize(1);
    assertThat(results.stream().filter(r -> r == Outcome.ABSENT)).hasSize(15);
  }
}
