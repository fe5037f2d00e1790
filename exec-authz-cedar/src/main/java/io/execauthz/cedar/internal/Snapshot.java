package io.execauthz.cedar.internal;

import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.policy.PolicySet;
import io.execauthz.cedar.PolicyReads;
import java.util.Collections;
import java.util.LinkedHashMap;
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
  private final PolicyReads reads;
  private final boolean readsTime; // read on every request: computed once
  private final Map<String, List<String>> idsBySource;
  private volatile boolean policiesCached;

  Snapshot(
      long version,
      PolicySet policies,
      SchemaInfo schema,
      List<String> ids,
      Map<String, String> locations,
      PolicyReads reads,
      Map<String, List<String>> idsBySource) {
    this.version = version;
    this.policies = policies;
    this.schema = schema;
    this.ids = List.copyOf(ids);
    this.locations = Map.copyOf(locations);
    this.reads = reads;
    this.readsTime = reads.readsTime();
    Map<String, List<String>> copy = new LinkedHashMap<>();
    idsBySource.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.idsBySource = Collections.unmodifiableMap(copy);
  }

  /** A copy of this snapshot's content under a new version number. */
  public Snapshot withVersion(long version) {
    Snapshot s = new Snapshot(version, policies, schema, ids, locations, reads, idsBySource);
    s.policiesCached = policiesCached;
    return s;
  }

  public long version() {
    return version;
  }

  /** What the policies may read from a request, from their parsed form. */
  public PolicyReads reads() {
    return reads;
  }

  /** Whether some policy may read the request time ({@code context.now}). */
  public boolean readsTime() {
    return readsTime;
  }

  /** The policies' ids by source (file or name), in source order; every source is a key. */
  public Map<String, List<String>> idsBySource() {
    return idsBySource;
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
