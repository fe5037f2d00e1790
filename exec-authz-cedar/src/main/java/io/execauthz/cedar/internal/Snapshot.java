package io.execauthz.cedar.internal;

import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.policy.PolicySet;
import io.execauthz.cedar.PolicyReads;
import io.execauthz.spi.ArgumentReads;
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
  private final int maxDepth;
  private final Reach reach;
  private final Map<String, List<String>> idsBySource;
  private volatile boolean policiesCached;
  private final java.util.concurrent.ConcurrentHashMap<String, ArgumentReads> argumentReads =
      new java.util.concurrent.ConcurrentHashMap<>();

  Snapshot(
      long version,
      PolicySet policies,
      SchemaInfo schema,
      List<String> ids,
      Map<String, String> locations,
      PolicyReads reads,
      int maxDepth,
      Reach reach,
      Map<String, List<String>> idsBySource) {
    this.version = version;
    this.policies = policies;
    this.schema = schema;
    this.ids = List.copyOf(ids);
    this.locations = Map.copyOf(locations);
    this.reads = reads;
    this.readsTime = reads.readsTime();
    this.maxDepth = maxDepth;
    this.reach = reach;
    Map<String, List<String>> copy = new LinkedHashMap<>();
    idsBySource.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.idsBySource = Collections.unmodifiableMap(copy);
  }

  /** A copy of this snapshot's content under a new version number. */
  public Snapshot withVersion(long version) {
    Snapshot s =
        new Snapshot(
            version, policies, schema, ids, locations, reads, maxDepth, reach, idsBySource);
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

  /**
   * The top-level arguments an answer to {@code action} may depend on: none when {@code args} is
   * not sent (a schema whose action declares no {@code args}); all when a schema types them
   * (validation reads the whole record) or a policy may read {@code context.args} as a whole;
   * otherwise the names under {@code context.args} that some policy may read. Computed once per
   * action.
   */
  public ArgumentReads argumentReads(String action) {
    ArgumentReads r = argumentReads.get(action);
    if (r == null) {
      if (argumentReads.size() >= 4_096) {
        return compute(action); // actions are not bounded by the policies: do not grow for them
      }
      r = argumentReads.computeIfAbsent(action, this::compute);
    }
    return r;
  }

  private ArgumentReads compute(String action) {
    if (schema != null) {
      boolean sent = schema.contextAttributes(action).map(d -> d.contains("args")).orElse(true);
      return sent ? ArgumentReads.all() : ArgumentReads.none();
    }
    if (reads.allContext()) {
      return ArgumentReads.all();
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (List<String> p : reads.contextPaths()) {
      if (p.get(0).equals("args")) {
        if (p.size() == 1) {
          return ArgumentReads.all();
        }
        names.add(p.get(1));
      }
    }
    return ArgumentReads.only(names);
  }

  /**
   * Which policies may apply to a request, and so what it must send: of the context, the attributes
   * they read; of the lineage, none when none of them tests ancestry or reads an entity's {@code
   * kind} or {@code depth}, the node alone with every ancestor as a direct parent when none can
   * observe an ancestor itself, otherwise all of it.
   */
  public Reach reach() {
    return reach;
  }

  /**
   * Whether every policy nests at most {@link Evaluator#CALLER_THREAD_DEPTH} expression levels, so
   * that it evaluates the same on any Java thread's stack and may run on the caller's own.
   */
  public boolean shallow() {
    return maxDepth <= Evaluator.CALLER_THREAD_DEPTH;
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
