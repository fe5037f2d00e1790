package io.execauthz;

/**
 * How the authorizer's decision cache has done. A hit is a lookup that found an entry still valid
 * for the request; everything else is a miss.
 *
 * <p>Immutable and thread-safe.
 *
 * @param hits lookups answered from the cache (budgets and liveness were still checked)
 * @param misses lookups that had to evaluate
 * @param evictions entries dropped to keep the cache within its size
 * @param size the approximate number of entries now
 */
public record CacheStats(long hits, long misses, long evictions, long size) {
  /** Hits over lookups, or 0 when there were none. */
  public double hitRate() {
    long n = hits + misses;
    return n == 0 ? 0 : (double) hits / n;
  }
}
