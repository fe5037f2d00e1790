package io.execauthz.jwt.internal;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verified tokens by their signature part, bounded in size. A hit requires the whole token to be
 * equal (a cheap comparison, unlike hashing it), so no other header or payload can borrow a cached
 * verification; the caller re-checks time and revocation on every hit. Not API.
 *
 * <p>Thread-safe.
 *
 * @param <V> the verified value
 */
public final class TokenCache<V> {
  private record Entry<V>(String token, V value, Instant expiresAt) {}

  private final int maxEntries;
  private final ConcurrentHashMap<String, Entry<V>> map;

  public TokenCache(int maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.map = new ConcurrentHashMap<>(Math.min(maxEntries, 1024));
  }

  /** The value cached for exactly this token, unless it has expired at {@code now}. */
  public V get(String signature, String token, Instant now) {
    Entry<V> e = map.get(signature);
    if (e == null || !e.token().equals(token)) {
      return null;
    }
    if (!now.isBefore(e.expiresAt())) {
      map.remove(signature, e);
      return null;
    }
    return e.value();
  }

  /** Caches a value until {@code expiresAt}; makes room by dropping expired entries, or all. */
  public void put(String signature, String token, V value, Instant expiresAt, Instant now) {
    if (map.size() >= maxEntries) {
      map.values().removeIf(e -> !now.isBefore(e.expiresAt()));
      if (map.size() >= maxEntries) {
        map.clear();
      }
    }
    map.put(signature, new Entry<>(token, value, expiresAt));
  }

  public int size() {
    return map.size();
  }

  @Override
  public String toString() {
    return "TokenCache[" + map.size() + "/" + maxEntries + "]";
  }
}
