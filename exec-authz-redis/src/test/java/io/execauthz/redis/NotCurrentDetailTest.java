package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A registry that is not current says why, in the words a deny's detail carries: not caught up
 * since it started, unreachable since when, back but not yet confirmed, how old its confirmation is
 * against the bound. On a server of its own (it is stopped).
 */
final class NotCurrentDetailTest {
  private static final Duration BOUND = Duration.ofSeconds(1);

  @Test
  void notCurrent_saysSinceWhenAndWhy_throughAnOutageAndBack() throws Exception {
    TestRedis redis = TestRedis.start();
    RedisRevocationRegistry closeLater = null;
    try (RedisStore store =
            RedisStore.newBuilder().uri(redis.uri()).timeout(Duration.ofMillis(200)).build();
        RedisRevocationRegistry running =
            RedisRevocationRegistry.newBuilder(store).stalenessBound(BOUND).build()) {
      assertThat(running.isCurrent()).isTrue();
      assertThat(running.notCurrentDetail()).contains("last confirmed", "within its bound of 1000");

      redis.stop();
      Instant stopped = Instant.now();
      awaitTrue(() -> !running.isCurrent(), 10);
      String down = running.notCurrentDetail();
      assertThat(down)
          .contains("cannot reach " + redis.uri() + " since ")
          .contains("over its bound of 1000 ms")
          .doesNotContain("since it started");
      Instant since =
          Instant.parse(down.replaceAll("(?s).*cannot reach \\S+ since (\\S+).*", "$1"));
      assertThat(since).isBetween(stopped.minusSeconds(1), Instant.now());

      // one started during the outage has never caught up (and building it did not fail)
      RedisRevocationRegistry fresh =
          RedisRevocationRegistry.newBuilder(store).stalenessBound(BOUND).build();
      closeLater = fresh;
      assertThat(fresh.isCurrent()).isFalse();
      assertThat(fresh.notCurrentDetail())
          .contains("not caught up with " + redis.uri() + " since it started at ")
          .contains("cannot reach ")
          .doesNotContain("last confirmed");

      redis.startAgain();
      List<String> seen = new ArrayList<>();
      Instant deadline = Instant.now().plusSeconds(20);
      while (!running.isCurrent() && Instant.now().isBefore(deadline)) {
        seen.add(running.notCurrentDetail());
        Thread.sleep(5);
      }
      assertThat(running.isCurrent()).isTrue();
      // back, but read again only after the recovery settle
      assertThat(seen).anySatisfy(d -> assertThat(d).contains(" answers again since "));
      assertThat(running.notCurrentDetail()).doesNotContain("cannot reach");
      // the one built during the outage subscribes and catches up by itself
      awaitTrue(fresh::isCurrent, 20);
      running.revokeGrant("after", Instant.now().plusSeconds(60));
      awaitTrue(() -> fresh.isGrantRevoked("after"), 10);
    } finally {
      if (closeLater != null) {
        closeLater.close();
      }
      redis.close();
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier c, int seconds)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(seconds);
    while (!c.getAsBoolean() && Instant.now().isBefore(deadline)) {
      Thread.sleep(5);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }
}
