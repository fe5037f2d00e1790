/**
 * exec-authz core: the execution graph, capabilities and the decision pipeline.
 *
 * <p>Exports the API — the entry points and their values ({@code io.execauthz}), capabilities and
 * resource patterns ({@code io.execauthz.capability}), the audit log ({@code io.execauthz.audit}) —
 * and the service-provider interfaces ({@code io.execauthz.spi}); {@code io.execauthz.internal} is
 * implementation and not exported.
 */
module io.execauthz.core {
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.core;

  exports io.execauthz;
  exports io.execauthz.capability;
  exports io.execauthz.audit;
  exports io.execauthz.spi;
}
