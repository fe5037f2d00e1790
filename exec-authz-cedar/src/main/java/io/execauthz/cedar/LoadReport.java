package io.execauthz.cedar;

import java.util.List;

/**
 * What a load or reload of a {@link PolicyStore} did.
 *
 * <p>Immutable and thread-safe.
 *
 * @param applied whether the new policies are now in force; when false the previous ones stay
 * @param version the version in force after this load
 * @param errors why the load failed, each as {@code file:line:col: message}; empty when applied
 * @param warnings the validator's warnings (such as a policy that can never apply)
 */
public record LoadReport(
    boolean applied, long version, List<String> errors, List<String> warnings) {
  public LoadReport {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }
}
