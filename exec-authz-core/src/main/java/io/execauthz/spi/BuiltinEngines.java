package io.execauthz.spi;

import java.util.List;

enum BuiltinEngines implements PolicyEngine {
  PERMIT_ALL(new PolicyDecision(true, List.of("permit-all"), List.of())),
  DENY_ALL(new PolicyDecision(false, List.of("deny-all"), List.of()));

  private final PolicyDecision decision;

  BuiltinEngines(PolicyDecision decision) {
    this.decision = decision;
  }

  @Override
  public PolicyDecision evaluate(PolicyRequest request) {
    return decision;
  }

  @Override
  public boolean readsTime() {
    return false;
  }

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
