package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ACL password never appears in a toString, an error message or a builder. */
final class SecretsInToStringTest {
  private static final String SECRET = "s3cr3t-Pa55";

  @Test
  void anUnreachableStore_namesWhereButNotThePassword() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String uri = "redis://authz:" + SECRET + "@127.0.0.1:" + port;
    RedisStore.Builder b = RedisStore.newBuilder().uri(uri).timeout(Duration.ofMillis(200));
    assertThat(b.toString()).contains("127.0.0.1:" + port).doesNotContain(SECRET);
    assertThatThrownBy(b::build)
        .isInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("redis://127.0.0.1:" + port)
        .satisfies(e -> assertThat(stackText(e)).doesNotContain(SECRET));
  }

  @Test
  void aConnectedStore_andWhatItHandsOut_printNoPassword() {
    // the test server has no ACL; what is printed is built from host and port only
    String uri = TestRedis.sharedUri();
    try (RedisStore s = RedisStore.newBuilder().uri(uri).build()) {
      assertThat(s.toString()).startsWith("RedisStore[redis://").doesNotContain("@");
      assertThat(s.budgetLedger().toString()).doesNotContain("@");
      assertThat(s.approvals().toString()).doesNotContain("@");
    }
  }

  @Test
  void aMalformedUri_isRefused_withoutRepeatingIt() {
    assertThatThrownBy(
            () -> RedisStore.newBuilder().uri("redis://authz:" + SECRET + "@host:notaport"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> RedisStore.newBuilder().uri("http://authz:" + SECRET + "@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(
            () -> RedisStore.newBuilder().uri("redis://a:1,rediss://u:" + SECRET + "@:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed 2")
        .hasMessageNotContaining(SECRET);
  }

  private static String stackText(Throwable e) {
    java.io.StringWriter w = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
