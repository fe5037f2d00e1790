/**
 * Execution grants: an execution node's authority as a short-lived signed JWT (compact JWS,
 * CONTRACT §4) that a tool server in another process verifies offline and that can only ever be
 * narrowed.
 *
 * <p>Entry points: {@link io.execauthz.jwt.GrantIssuer} (the orchestrator mints and attenuates),
 * {@link io.execauthz.jwt.GrantVerifier} (a tool server verifies, RFC 8725), {@link
 * io.execauthz.jwt.GrantAuthorizer} (a tool server decides: token in, {@code Decision} out), keys
 * in {@link io.execauthz.jwt.SigningKey} and {@link io.execauthz.jwt.PublicKeySet}, revocation in
 * {@link io.execauthz.jwt.RevocationRegistry}. Nimbus JOSE+JWT does the signing; none of its types
 * appears here. {@code io.execauthz.jwt.internal} is not API.
 */
package io.execauthz.jwt;
