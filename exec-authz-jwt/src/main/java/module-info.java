/**
 * exec-authz-jwt: execution grants as signed JWTs — issue, attenuate, verify offline, revoke.
 *
 * <p>Exports {@code io.execauthz.jwt} only; {@code io.execauthz.jwt.internal} (the JOSE plumbing,
 * the grant's claims, the verification cache) is not exported. Nimbus JOSE+JWT does the signing and
 * none of its types is part of the API, so it is not required transitively.
 */
@SuppressWarnings("requires-automatic") // Tink: a stable Automatic-Module-Name, no module-info
module io.execauthz.jwt {
  requires transitive io.execauthz.core;
  requires com.nimbusds.jose.jwt;
  // Nimbus's Ed25519 is Tink's, which Nimbus requires only statically: resolve it here
  requires com.google.crypto.tink;
  requires com.github.benmanes.caffeine;

  exports io.execauthz.jwt;
}
