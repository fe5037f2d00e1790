/**
 * exec-authz-redis: budgets, revocations and approvals shared between processes through Redis.
 *
 * <p>Exports {@code io.execauthz.redis}; it implements core's SPI and the jwt module's revocation
 * registry, so both are required transitively. Lettuce is the client; its types are not part of the
 * API.
 */
@SuppressWarnings("requires-automatic") // Lettuce: a stable Automatic-Module-Name, no module-info
module io.execauthz.redis {
  requires transitive io.execauthz.core;
  requires transitive io.execauthz.jwt;
  requires lettuce.core;

  exports io.execauthz.redis;
}
