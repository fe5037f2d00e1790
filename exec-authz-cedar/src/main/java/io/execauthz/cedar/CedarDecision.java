package io.execauthz.cedar;

import io.execauthz.spi.PolicyDecision;
import java.util.List;

/**
 * A Cedar decision with what explains it: which policy version decided, which policies determined
 * the outcome (by the users' ids), and any error.
 *
 * <p>Immutable and thread-safe.
 *
 * @param policyVersion the {@link PolicyStore#version()} the request was evaluated under
 * @param permitted whether the request is permitted; never true when {@code errors} is not empty
 * @param determiningPolicies for a permit, the permit policies that matched; for a deny, the forbid
 *     policies that matched (empty when no permit matched)
 * @param errors evaluation errors (fail closed: a listed error always denies)
 * @param nativelyCached whether the request took cedar-java's cached path
 */
public record CedarDecision(
    long policyVersion,
    boolean permitted,
    List<String> determiningPolicies,
    List<String> errors,
    boolean nativelyCached) {
  public CedarDecision {
    determiningPolicies = List.copyOf(determiningPolicies);
    errors = List.copyOf(errors);
    if (permitted && !errors.isEmpty()) {
      throw new IllegalArgumentException("a decision with errors cannot permit");
    }
  }

  /** This decision in the SPI's terms. */
  public PolicyDecision toPolicyDecision() {
    return new PolicyDecision(permitted, determiningPolicies, errors);
  }
}
