package io.execauthz;

import io.execauthz.capability.Capability;
import io.execauthz.capability.ResourcePattern;
import java.time.Instant;
import java.util.Arrays;

/**
 * Steps 4 and 5 of the pipeline as pure functions of the capabilities, the request and the time:
 * which of the node's capabilities cover the request, which of those the request may use without
 * (or with) approval, and until when that answer holds. No state, so it is easy to test and fuzz.
 */
final class CapabilityGate {
  private CapabilityGate() {}

  /**
   * The indexes of the capabilities that match the request and have not ended at {@code now}, in
   * order; empty when the request is out of scope.
   */
  static int[] covering(Capability[] caps, String action, ResourcePattern resource, Instant now) {
    int[] out = new int[caps.length];
    int n = 0;
    for (int i = 0; i < caps.length; i++) {
      if (caps[i].matches(action, resource) && caps[i].isValidAt(now)) {
        out[n++] = i;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * Which capabilities the request may use: covering ones that need no approval, or all covering
   * ones when the request is approved. Null when none may be used (approval required).
   */
  static boolean[] usable(Capability[] caps, int[] covering, boolean approved) {
    boolean[] usable = new boolean[caps.length];
    boolean any = false;
    for (int i : covering) {
      if (approved || !caps[i].requiresApproval()) {
        usable[i] = true;
        any = true;
      }
    }
    return any ? usable : null;
  }

  /**
   * The earliest {@code until}, after {@code now}, of a capability at any level that matches the
   * request: the gate's answer may change then, and not before.
   */
  static Instant validUntil(Level[] levels, String action, ResourcePattern resource, Instant now) {
    Instant validUntil = Instant.MAX;
    for (Level level : levels) {
      for (Capability c : level.levelCapabilities()) {
        if (c.until().isPresent() && c.matches(action, resource)) {
          Instant u = c.until().get();
          if (now.isBefore(u) && u.isBefore(validUntil)) {
            validUntil = u;
          }
        }
      }
    }
    return validUntil;
  }

  /** Actions named {@code read} or ending in {@code .read} pass through other nodes' claims. */
  static boolean isRead(String action) {
    return action.equals("read") || action.endsWith(".read");
  }
}
