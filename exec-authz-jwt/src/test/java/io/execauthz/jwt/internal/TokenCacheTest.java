package io.execauthz.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class TokenCacheTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aHit_needsTheWholeToken_andAnUnexpiredEntry() {
    TokenCache<String> c = new TokenCache<>(10);
    c.put("sig", "h.p.sig", "v", T0.plusSeconds(60), T0);
    assertThat(c.get("sig", "h.p.sig", T0)).isEqualTo("v");
    assertThat(c.get("sig", "h.OTHER.sig", T0)).isNull();
    assertThat(c.get("sig", "h.p.sig", T0.plusSeconds(60))).isNull();
    assertThat(c.get("sig", "h.p.sig", T0)).isNull(); // an expired entry is gone for good
  }

  @Test
  void aFullCache_evictsEntriesOneAtATime_neverAllOfThem() {
    TokenCache<Integer> c = new TokenCache<>(100);
    for (int i = 0; i < 10_000; i++) {
      c.put("s" + i, "t" + i, i, T0.plus(Duration.ofHours(1)), T0);
    }
    assertThat(c.size()).isBetween(50, 100);
    // the most recent entries mostly survive: no wholesale clear
    int kept = 0;
    for (int i = 9_900; i < 10_000; i++) {
      kept += c.get("s" + i, "t" + i, T0) == null ? 0 : 1;
    }
    assertThat(kept).isPositive();
  }
}
