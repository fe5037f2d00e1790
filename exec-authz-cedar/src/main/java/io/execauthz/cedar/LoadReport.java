package io.execauthz.cedar;

import java.util.List;

/**
 * What a load or reload of a {@link PolicyStore} did: whether the new policies are in force, and if
 * so which policy ids they added and removed, so that a deployment can be checked against what it
 * meant to change.
 *
 * <p>Immutable and thread-safe.
 *
 * @param applied whether the new policies are now in force; when false the previous ones stay
 * @param version the version in force after this load
 * @param errors why the load failed, each as {@code file:line:col: message}; empty when applied
 * @param warnings the validator's warnings (such as a policy that can never apply)
 * @param added the ids of the policies this load put in force that were not before (all of them for
 *     the first load); empty when not applied
 * @param removed the ids of the policies in force before that this load took out; empty when not
 *     applied
 */
public record LoadReport(
    boolean applied,
    long version,
    List<String> errors,
    List<String> warnings,
    List<String> added,
    List<String> removed) {
  public LoadReport {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    if (applied != errors.isEmpty()) {
      throw new IllegalArgumentException("a load is applied exactly when it has no errors");
    }
    if (!applied && !(added.isEmpty() && removed.isEmpty())) {
      throw new IllegalArgumentException("a load that was not applied adds and removes nothing");
    }
  }

  /** A load that was refused: the policies of {@code version} stay in force. */
  static LoadReport failed(long version, List<String> errors, List<String> warnings) {
    return new LoadReport(
        false,
        version,
        errors.isEmpty() ? List.of("the policies could not be loaded") : errors,
        warnings,
        List.of(),
        List.of());
  }
}
