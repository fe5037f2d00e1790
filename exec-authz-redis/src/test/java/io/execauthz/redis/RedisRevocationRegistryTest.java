package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two registries on one real Redis, as two processes would hold them. */
final class RedisRevocationRegistryTest {
  private final String prefix = TestRedis.prefix();
  private final RedisStore storeA = store();
  private final RedisStore storeB = store();
  private final RedisRevocationRegistry a = registry(storeA);
  private final RedisRevocationRegistry b = registry(storeB);
  private final Instant notAfter = Instant.now().plus(Duration.ofMinutes(10));

  private RedisStore store() {
    return RedisStore.newBuilder().uri(TestRedis.sharedUri()).keyPrefix(prefix).build();
  }

  private static RedisRevocationRegistry registry(RedisStore s) {
    return RedisRevocationRegistry.newBuilder(s).stalenessBound(Duration.ofSeconds(2)).build();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
    storeA.close();
    storeB.close();
  }

  @Test
  void aRevokedGrant_reachesTheOtherRegistry() throws Exception {
    assertThat(a.isCurrent()).isTrue();
    assertThat(b.isCurrent()).isTrue();
    a.revokeGrant("jti-1", notAfter);
    assertThat(a.isGrantRevoked("jti-1")).isTrue(); // at once where it was revoked
    awaitTrue(() -> b.isGrantRevoked("jti-1"));
    assertThat(b.isGrantRevoked("jti-2")).isFalse();
  }

  @Test
  void nodeEnds_areScopedByIssuerAndGraph_andARevocationWinsOverACompletion() throws Exception {
    a.nodeEnded("iss-1", "g1", "n", NodeState.COMPLETED, notAfter);
    a.nodeEnded("iss-1", "g1", "n", NodeState.REVOKED, notAfter);
    a.nodeEnded(null, "g2", "m", NodeState.COMPLETED, notAfter);
    a.nodeEnded("iss-1", "g1", "line\nbreak\\and{brace}", NodeState.REVOKED, notAfter);
    awaitTrue(() -> b.nodeState("iss-1", "g1", "line\nbreak\\and{brace}").isPresent());
    assertThat(b.nodeState("iss-1", "g1", "n")).contains(NodeState.REVOKED);
    assertThat(b.nodeState("iss-2", "g1", "n")).isEmpty(); // another issuer's node
    assertThat(b.nodeState("iss-1", "g9", "n")).isEmpty(); // another graph
    assertThat(b.nodeState("iss-7", "g2", "m")).contains(NodeState.COMPLETED); // every issuer
    assertThat(b.nodeState("iss-1", "g1", "line\nbreak\\and{brace}"))
        .isEqualTo(Optional.of(NodeState.REVOKED));
  }

  @Test
  void aRegistryStartedLater_catchesUpBeforeItIsCurrent() {
    a.revokeGrant("early", notAfter);
    a.nodeEnded("iss", "g", "x", NodeState.REVOKED, notAfter);
    try (RedisStore s = store();
        RedisRevocationRegistry late = registry(s)) {
      // build() read the live entries: nothing published before it started is missing
      assertThat(late.isCurrent()).isTrue();
      assertThat(late.isGrantRevoked("early")).isTrue();
      assertThat(late.nodeState("iss", "g", "x")).contains(NodeState.REVOKED);
    }
  }

  @Test
  void entriesAreKept_untilTheirNotAfterPlusRetention_notForever() throws Exception {
    a.revokeGrant("gone", Instant.now().minus(Duration.ofMinutes(2))); // retention 1 minute
    a.revokeGrant("kept", notAfter);
    try (RedisStore s = store();
        RedisRevocationRegistry late = registry(s)) {
      assertThat(late.isGrantRevoked("kept")).isTrue();
      assertThat(late.isGrantRevoked("gone")).isFalse();
    }
  }

  @Test
  void aNodeEndsOnlyRevokedOrCompleted() {
    assertThatThrownBy(() -> a.nodeEnded("i", "g", "n", NodeState.ACTIVE, notAfter))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ACTIVE");
  }

  @Test
  void theHeartbeatMustBeShorterThanTheBound() {
    assertThatThrownBy(
            () ->
                RedisRevocationRegistry.newBuilder(storeA)
                    .stalenessBound(Duration.ofSeconds(1))
                    .heartbeat(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("heartbeat");
  }

  private static void awaitTrue(BooleanSupplier c) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (!c.getAsBoolean() && Instant.now().isBefore(deadline)) {
      Thread.sleep(2);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }
}
