package io.execauthz.cedar;

import java.util.List;

/**
 * Policies or a schema could not be loaded. The message lists every error, one per line, as {@code
 * file:line:col: message}.
 *
 * <p>Thread-safe once thrown: its fields are final.
 */
public final class PolicyLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The errors, each as {@code file:line:col: message}. */
  private final transient List<String> errors;

  public PolicyLoadException(List<String> errors) {
    super(String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  /** The errors, each as {@code file:line:col: message}. */
  public List<String> errors() {
    return errors;
  }
}
