package io.execauthz.jwt;

/**
 * Why a grant was not minted.
 *
 * <p>An enum: immutable and thread-safe.
 */
public enum IssuanceError {
  /**
   * The grant asks for a capability its parent grant or node does not hold; the message names it.
   */
  ATTENUATION,
  /**
   * The node (or an ancestor) is not active in its graph — ended, held, cancelled, expired — or has
   * no whole second of authority left; the message names the node and its state.
   */
  INACTIVE,
  /**
   * Whether the parent grant's node is still active cannot be confirmed: its revocation registry is
   * not current, or the issuer has neither seen the node nor been given a registry.
   */
  UNAVAILABLE,
  /** The signed grant would be larger than the issuer's size bound. */
  TOO_LARGE
}
