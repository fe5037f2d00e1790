package io.execauthz.jwt;

import java.util.Objects;

/**
 * A grant was not minted. {@link #error()} is the typed reason; for {@link
 * IssuanceError#ATTENUATION} the message names the capability the parent lacks. (A parent grant
 * that fails verification throws {@link GrantVerificationException} instead.)
 *
 * <p>Thread-safe once thrown: its fields are final.
 */
public final class GrantIssuanceException extends GrantException {
  private final IssuanceError error;

  GrantIssuanceException(IssuanceError error, String message) {
    super(error + ": " + message);
    this.error = Objects.requireNonNull(error, "error");
  }

  /** The typed reason. */
  public IssuanceError error() {
    return error;
  }
}
