package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.AuthorizationRequest;
import io.execauthz.spi.ApprovalStore.Outcome;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;

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
    Together.run(16, i -> results.add((i % 2 == 0 ? a : b).approvals().consume(call)));
    assertThat(results).hasSize(16);
    assertThat(results.stream().filter(r -> r == Outcome.APPROVED)).hasSize(1);
    assertThat(results.stream().filter(r -> r == Outcome.ABSENT)).hasSize(15);
  }
}
