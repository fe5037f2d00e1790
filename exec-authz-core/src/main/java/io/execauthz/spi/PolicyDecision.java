package io.execauthz.spi;

import java.util.List;

/**
 * What a policy engine answered.
 *
 * <p>Immutable and thread-safe.
 *
 * @param permitted whether the policies permit the request
 * @param determiningPolicies user-facing ids of the policies that decided
 * @param errors evaluation errors; when not empty the request is denied whatever {@code permitted}
 *     says
 */
public record PolicyDecision(
    boolean permitted, List<String> determiningPolicies, List<String> errors) {
  public PolicyDecision {
    determiningPolicies = List.copyOf(determiningPolicies);
    errors = List.copyOf(errors);
  }
}
