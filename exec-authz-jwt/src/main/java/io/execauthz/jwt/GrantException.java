package io.execauthz.jwt;

/**
 * A grant could not be verified ({@link GrantVerificationException}) or minted ({@link
 * GrantIssuanceException}). Callers switch on the typed reason of the subclass; the message names
 * what was presented and what was required, and never contains a token, a signature or key
 * material.
 *
 * <p>Thread-safe once thrown: its fields are final.
 */
public abstract sealed class GrantException extends RuntimeException
    permits GrantVerificationException, GrantIssuanceException {

  GrantException(String message) {
    super(message, null, false, true);
  }
}
