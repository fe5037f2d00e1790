package io.execauthz;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One level of authority a request must fit: a graph node or one of its ancestors, or the view
 * rebuilt from a verified grant. Its budgets are counters parallel to its capabilities (null where
 * a capability has no {@code maxCalls}).
 */
interface Level {
  String levelId();

  Capability[] levelCapabilities();

  AtomicLong[] levelBudgets();

  /** A level for a view without a graph behind it, with fresh budget counters. */
  static Level of(String id, CapabilitySet capabilities) {
    Capability[] caps = capabilities.asList().toArray(Capability[]::new);
    AtomicLong[] budgets = new AtomicLong[caps.length];
    for (int i = 0; i < caps.length; i++) {
      if (caps[i].maxCalls().isPresent()) {
        budgets[i] = new AtomicLong(caps[i].maxCalls().getAsLong());
      }
    }
    return new Level() {
      @Override
      public String levelId() {
        return id;
      }

      @Override
      public Capability[] levelCapabilities() {
        return caps;
      }

      @Override
      public AtomicLong[] levelBudgets() {
        return budgets;
      }
    };
  }
}
