package io.execauthz;

/**
 * Why a graph operation ({@code spawn}, {@code join}, …) was refused (CONTRACT §2).
 *
 * <p>Immutable and thread-safe.
 */
public enum GraphError {
  /** The child asks for more than a parent holds; the message names the capability. */
  ATTENUATION,
  /** A claim overlaps an active claim; the message names the holder and the claim. */
  CLAIM_CONFLICT,
  /** A parent is not active (ended, expired or held). */
  PARENT_INACTIVE,
  /**
   * A guardrail was reached: depth, fan-out, live nodes, lineage size (a node and its ancestors),
   * capabilities or claims per node.
   */
  LIMIT,
  /** Malformed input: a bad id, an unknown parent, a duplicate id, a bad value. */
  INVALID
}
