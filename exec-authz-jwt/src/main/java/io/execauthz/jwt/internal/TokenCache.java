package io.execauthz.jwt.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.time.Instant;

/**
 * Verified tokens by their signature part, bounded in size (Caffeine: a full cache evicts the
 * entries least worth keeping, one at a time, never a scan or a wholesale clear), each entry kept
 * no longer than its token's lifetime. A hit requires the whole token to be equal (a cheap
 * comparison, unlike hashing it), so no other header or payload can borrow a cached verification;
 * the caller re-checks time and revocation on every hit. Not API.
 *
 * <p>Thread-safe.
 *
 * @param <V> the verified value
 */
public final class TokenCache<V> {
  private record Entry<V>(String token, V value, Instant cachedAt, Instant expiresAt) {}

  private final int maxEntries;
  private final Cache<String, Entry<V>> cache;

  public TokenCache(int maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            // maintenance on the calling thread, not a common-pool wake-up per new token
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<String, Entry<V>>() {
                  @Override
                  public long expireAfterCreate(String key, Entry<V> e, long currentTime) {
                    Duration left = Duration.between(e.cachedAt(), e.expiresAt());
                    return left.isNegative() ? 0 : saturatedNanos(left);
                  }

                  @Override
                  public long expireAfterUpdate(
                      String key, Entry<V> e, long currentTime, long currentDuration) {
                    return expireAfterCreate(key, e, currentTime);
                  }

                  @Override
                  public long expireAfterRead(
                      String key, Entry<V> e, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .build();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The value cached for exactly this token, unless it has expired at {@code now}. */
  public V get(String signature, String token, Instant now) {
    Entry<V> e = cache.getIfPresent(signature);
    if (e == null || !e.token().equals(token)) {
      return null;
    }
    if (!now.isBefore(e.expiresAt())) {
      cache.asMap().remove(signature, e);
      return null;
    }
    return e.value();
  }

  /** Caches a value until {@code expiresAt} (by the caller's clock, checked on every hit). */
  public void put(String signature, String token, V value, Instant expiresAt, Instant now) {
    cache.put(signature, new Entry<>(token, value, now, expiresAt));
  }

  /** The number of entries, after pending evictions. */
  public int size() {
    cache.cleanUp();
    return (int) cache.estimatedSize();
  }

  @Override
  public String toString() {
    return "TokenCache[" + size() + "/" + maxEntries + "]";
  }
}
