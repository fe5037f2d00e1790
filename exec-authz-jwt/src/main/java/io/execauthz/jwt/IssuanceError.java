package io.execauthz.jwt;

/** Why a grant was not minted. */
public enum IssuanceError {
  /**
   * The grant asks for a capability its parent grant or node does not hold; the message names it.
   */
  ATTENUATION,
  /** The node is not active (ended, held, expired) or has no whole second of authority left. */
  INACTIVE,
  /** The signed grant would be larger than the issuer's size bound. */
  TOO_LARGE
}
