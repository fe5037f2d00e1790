package io.execauthz.jwt;

import io.execauthz.ExecutionView;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.jwt.internal.GrantContent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A grant whose signature, header and claims passed every check of a {@link GrantVerifier}. Only a
 * verifier makes one. Its {@link #view()} is the execution view the grant carries, ready for {@code
 * Authorizer.authorize(view, request, grantId)}.
 *
 * <p>{@link #toString()} prints the grant id, node, key id and expiry — never the token, its
 * signature or the claim values beyond those.
 *
 * <p>Immutable and thread-safe.
 */
public final class VerifiedGrant {
  private final GrantContent content;
  private final String kid;
  private final GrantAlgorithm algorithm;
  private final ExecutionView view;

  VerifiedGrant(GrantContent content, String kid, GrantAlgorithm algorithm, ExecutionView view) {
    this.content = Objects.requireNonNull(content, "content");
    this.kid = Objects.requireNonNull(kid, "kid");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.view = Objects.requireNonNull(view, "view");
  }

  /** The grant id ({@code jti}). */
  public String id() {
    return content.id();
  }

  /** The issuer ({@code iss}). */
  public String issuer() {
    return content.issuer();
  }

  /** The principal acting ({@code sub}). */
  public String principal() {
    return content.subject();
  }

  /** The audiences ({@code aud}). */
  public List<String> audience() {
    return content.audience();
  }

  /** The node the grant is bound to ({@code ctx}). */
  public String nodeId() {
    return content.nodeId();
  }

  /** The node ids from the root to the node ({@code path}). */
  public List<String> path() {
    return content.path();
  }

  /** The capabilities ({@code cap}). */
  public CapabilitySet capabilities() {
    return content.capabilities();
  }

  public Instant issuedAt() {
    return content.issuedAt();
  }

  public Instant notBefore() {
    return content.notBefore();
  }

  public Instant expiresAt() {
    return content.expiresAt();
  }

  /** The grant this one was attenuated from ({@code pgr}), if any. */
  public Optional<String> parentId() {
    return Optional.ofNullable(content.parentGrantId());
  }

  /** Every ancestor grant id, root first ({@code gch}); empty for a grant minted from a node. */
  public List<String> grantChain() {
    return content.grantChain();
  }

  /** The principals from the root down to this node ({@code act} nesting, then {@code sub}). */
  public List<String> delegators() {
    return content.delegators();
  }

  /** The W3C {@code traceparent} the grant carries, if any. */
  public Optional<String> traceparent() {
    return Optional.ofNullable(content.traceparent());
  }

  /** The key id that signed it. */
  public String keyId() {
    return kid;
  }

  public GrantAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * The execution view rebuilt from the claims: node, kind, depth, principal, path, lineage,
   * delegators, attributes, capabilities and trace, with {@code exp} plus the verifier's clock skew
   * as its deadline.
   */
  public ExecutionView view() {
    return view;
  }

  GrantContent content() {
    return content;
  }

  @Override
  public String toString() {
    return "VerifiedGrant[id="
        + id()
        + ", node="
        + nodeId()
        + ", kid="
        + kid
        + ", expires="
        + expiresAt()
        + ", "
        + capabilities().size()
        + " capabilities]";
  }
}
