package io.execauthz.jwt;

import io.execauthz.capability.CapabilitySet;
import io.execauthz.jwt.internal.GrantContent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A grant as its issuer minted it: the compact JWS to hand to an agent, and what it says.
 *
 * <pre>{@code
 * GrantToken g = issuer.mint(graph.node("batch-2"), "mcp:files");
 * httpRequest.header("Authorization", "Bearer " + g.compact());
 * }</pre>
 *
 * <p>{@link #toString()} never prints the token or its signature (it is a bearer credential); use
 * {@link #compact()} to send it.
 *
 * <p>Immutable and thread-safe.
 */
public final class GrantToken {
  private final String compact;
  private final GrantContent content;

  GrantToken(String compact, GrantContent content) {
    this.compact = Objects.requireNonNull(compact, "compact");
    this.content = Objects.requireNonNull(content, "content");
  }

  /** The compact serialization ({@code header.claims.signature}): the bearer credential. */
  public String compact() {
    return compact;
  }

  /** The grant id ({@code jti}). */
  public String id() {
    return content.id();
  }

  /** The node the grant is bound to ({@code ctx}). */
  public String nodeId() {
    return content.nodeId();
  }

  /** The node ids from the root to the node ({@code path}). */
  public List<String> path() {
    return content.path();
  }

  /** The principal ({@code sub}). */
  public String principal() {
    return content.subject();
  }

  /** The audience ({@code aud}). */
  public String audience() {
    return content.audience().get(0);
  }

  /** The capabilities ({@code cap}). */
  public CapabilitySet capabilities() {
    return content.capabilities();
  }

  /** When the grant was minted ({@code iat}, whole seconds). */
  public Instant issuedAt() {
    return content.issuedAt();
  }

  /** When the grant expires ({@code exp}, whole seconds). */
  public Instant expiresAt() {
    return content.expiresAt();
  }

  /** The grant it was attenuated from ({@code pgr}), if any. */
  public Optional<String> parentId() {
    return Optional.ofNullable(content.parentGrantId());
  }

  GrantContent content() {
    return content;
  }

  @Override
  public String toString() {
    return "GrantToken[id="
        + id()
        + ", node="
        + nodeId()
        + ", expires="
        + expiresAt()
        + ", "
        + capabilities().size()
        + " capabilities]";
  }
}
