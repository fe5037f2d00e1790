package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.redis.RedisApprovals.Consumed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** One-time approvals on a real Redis: one call, once, whichever store asks first. */
final class RedisApprovalsTest {
  private final String prefix = TestRedis.prefix();

  private RedisStore store() {
    return RedisStore.newBuilder().uri(TestRedis.sharedUri()).keyPrefix(prefix).build();
  }

  @Test
  void anApproval_isConsumedExactlyOnce_by16ThreadsOverTwoStores() throws Exception {
    AuthorizationRequest call =
        AuthorizationRequest.of("t", "tool.call", "tool:github/merge").withArgs(Map.of("pr", 42));
    try (RedisStore a = store();
        RedisStore b = store()) {
      a.approvals().record(call, Duration.ofMinutes(1));
      ConcurrentLinkedQueue<Consumed> results = new ConcurrentLinkedQueue<>();
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
      assertThat(results.stream().filter(r -> r == Consumed.CONSUMED)).hasSize(1);
      assertThat(results.stream().filter(r -> r == Consumed.ABSENT)).hasSize(15);
    }
  }

  @Test
  void anApproval_coversOnlyItsOwnCall() {
    AuthorizationRequest call =
        AuthorizationRequest.of("t", "tool.call", "tool:github/merge").withArgs(Map.of("pr", 42));
    try (RedisStore s = store()) {
      RedisApprovals approvals = s.approvals();
      approvals.record(call, Duration.ofMinutes(1));
      assertThat(approvals.consume(call.withArgs(Map.of("pr", 43)))).isEqualTo(Consumed.ABSENT);
      assertThat(approvals.consume(call.onNode("other"))).isEqualTo(Consumed.ABSENT);
      assertThat(approvals.consume(AuthorizationRequest.of("t", "tool.call", "tool:github/close")))
          .isEqualTo(Consumed.ABSENT);
      assertThat(approvals.consume(call)).isEqualTo(Consumed.CONSUMED);
      assertThat(approvals.consume(call)).isEqualTo(Consumed.ABSENT);
    }
  }
}
