package io.execauthz;

import io.execauthz.spi.PolicyDecision;
import java.util.Map;

/**
 * The seam the fast-path decision cache sits behind: the policy engine's answers, keyed by
 * everything the engine can see. Liveness, capability gate, claims, approval and budgets are
 * re-checked on every request, before the cache is consulted, so a cached answer can never outlive
 * a revocation, a completion, a deadline, a claim or a budget; the key carries the engine's {@link
 * io.execauthz.spi.PolicyEngine#version() version} (a policy reload misses) and the request time in
 * whole seconds (policies can read {@code context.now}). Implementations must be thread-safe.
 */
interface PolicyCache {

  /** A cache that never holds anything. */
  PolicyCache NONE =
      new PolicyCache() {
        @Override
        public PolicyDecision get(Key key) {
          return null;
        }

        @Override
        public void put(Key key, PolicyDecision decision) {}
      };

  /** The cached answer for this key, or null. */
  PolicyDecision get(Key key);

  /** Remembers an answer; implementations may drop it. */
  void put(Key key, PolicyDecision decision);

  /**
   * Everything a policy engine sees of one request. The view is compared by identity: a graph
   * node's view is created once, and a grant's view is rebuilt per grant.
   */
  record Key(
      ExecutionView view,
      String action,
      String resource,
      Map<String, Object> args,
      boolean approved,
      long epochSecond,
      long policyVersion) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.view == view
          && k.approved == approved
          && k.epochSecond == epochSecond
          && k.policyVersion == policyVersion
          && k.action.equals(action)
          && k.resource.equals(resource)
          && k.args.equals(args);
    }

    @Override
    public int hashCode() {
      int h = System.identityHashCode(view);
      h = 31 * h + action.hashCode();
      h = 31 * h + resource.hashCode();
      h = 31 * h + args.hashCode();
      h = 31 * h + Long.hashCode(epochSecond);
      return 31 * h + (approved ? 1 : 0);
    }
  }
}
