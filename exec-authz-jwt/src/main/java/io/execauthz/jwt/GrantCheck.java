package io.execauthz.jwt;

import io.execauthz.Reason;

/**
 * The verification check a grant failed (CONTRACT §4, RFC 8725). Checks run in this order (the form
 * is checked again as each part is decoded), so a token is refused for the first one it fails;
 * nothing in the claims is looked at before the signature has been verified.
 *
 * <p>An enum: immutable and thread-safe.
 */
public enum GrantCheck {
  /** Longer than the verifier's size bound; refused before anything is parsed. */
  OVERSIZED,
  /**
   * Not a compact JWS whose three parts are canonical base64url and whose header and claims are
   * JSON objects with unique member names: empty, two parts, five parts (a JWE), bad base64, bad
   * JSON, a member named twice in any object (parsers disagree on which one counts).
   */
  MALFORMED,
  /**
   * The {@code alg} is {@code none}, an HMAC, not on the verifier's allowlist, or not the one the
   * key named by {@code kid} is pinned to.
   */
  ALGORITHM,
  /** The {@code typ} header is not {@code exec-grant+jwt}. */
  TYPE,
  /** The header has a {@code crit} member; no critical extension is understood. */
  CRITICAL,
  /** No {@code kid}, or one the trusted key set does not have. */
  UNKNOWN_KEY,
  /** The key named by {@code kid} is retired (its JWK {@code exp} has passed, or it is revoked). */
  RETIRED_KEY,
  /** The signature does not verify with the key named by {@code kid}. */
  SIGNATURE,
  /** A required claim is absent: iss, sub, aud, iat, nbf, exp, jti, ctx, path, cap, lin. */
  MISSING_CLAIM,
  /** A claim has the wrong type or form (a capability that does not parse, a bad path, …). */
  INVALID_CLAIM,
  /** The {@code iss} is not the issuer the verifier trusts. */
  ISSUER,
  /** The {@code aud} does not name this verifier's audience. */
  AUDIENCE,
  /** The {@code exp} has passed, beyond the allowed clock skew. */
  EXPIRED,
  /** The {@code nbf} or {@code iat} lies ahead, beyond the allowed clock skew. */
  NOT_YET_VALID,
  /** {@code exp - iat} exceeds the verifier's maximum grant lifetime. */
  LIFETIME,
  /** The grant, an ancestor grant, or a node in its lineage was revoked. */
  REVOKED,
  /** A node in the grant's lineage completed. */
  COMPLETED,
  /**
   * The revocation registry cannot confirm it is current (a revocation it was told of could not be
   * recorded, or its store cannot be reached): the grant is refused until it has caught up.
   */
  UNAVAILABLE;

  /** The decision reason a failed check denies with (CONTRACT §2). */
  public Reason reason() {
    return switch (this) {
      case EXPIRED -> Reason.EXPIRED;
      case REVOKED -> Reason.REVOKED;
      case COMPLETED -> Reason.COMPLETED;
      case UNAVAILABLE -> Reason.UNAVAILABLE;
      default -> Reason.INVALID_GRANT;
    };
  }
}
