package io.execauthz.cedar.internal;

import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.policy.PolicySet;
import java.util.List;
import java.util.Map;

/**
 * One loaded version of a store's policies: the policy set (never changed once built), the schema,
 * the users' policy ids and where each policy came from. A request reads one snapshot, so no
 * decision can mix two versions.
 *
 * <p>Thread-safe.
 */
public final class Snapshot {
  private final long version;
  private final PolicySet policies;
  private final SchemaInfo schema;
  private final List<String> ids;
  private final Map<String, String> locations;
  private final boolean readsTime;
  private volatile boolean policiesCached;

  Snapshot(
      long version,
      PolicySet policies,
      SchemaInfo schema,
      List<String> ids,
      Map<String, String> locations,
      boolean readsTime) {
    this.version = version;
    this.policies = policies;
    this.schema = schema;
    this.ids = List.copyOf(ids);
    this.locations = Map.copyOf(locations);
    this.readsTime = readsTime;
  }

  /** A copy of this snapshot's content under a new version number. */
  public Snapshot withVersion(long version) {
    Snapshot s = new Snapshot(version, policies, schema, ids, locations, readsTime);
    s.policiesCached = policiesCached;
    return s;
  }

  public long version() {
    return version;
  }

  /**
   * Whether some policy may read the request time: it mentions {@code now} anywhere (a
   * conservative, textual test — a string or comment saying "now" counts too).
   */
  public boolean readsTime() {
    return readsTime;
  }

  public PolicySet policies() {
    return policies;
  }

  /** The schema, or null in {@code schema: none} mode. */
  public SchemaInfo schema() {
    return schema;
  }

  /** The policies' ids, in source order. */
  public List<String> ids() {
    return ids;
  }

  /** Where each policy starts ({@code file:line}), by id. */
  public Map<String, String> locations() {
    return locations;
  }

  /**
   * Whether a request can take cedar-java's cached path: the policy set and the schema (if any)
   * both held parsed on the native side. Otherwise cedar-java re-sends and re-parses every policy
   * on every call.
   */
  public boolean cachedPath() {
    return policiesCached && (schema == null || schema.cached());
  }

  /**
   * Asks the native side to keep the policy set (and schema) parsed; false when its global cache is
   * full. Call on a large-stack thread: caching parses.
   */
  public synchronized boolean tryCache() {
    if (!policiesCached) {
      try {
        policies.cache();
        policiesCached = true;
      } catch (CacheException | RuntimeException e) {
        return false;
      }
    }
    return schema == null || schema.tryCache();
  }
}
