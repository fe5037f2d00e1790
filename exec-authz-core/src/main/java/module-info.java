/**
 * exec-authz core: the execution graph, capabilities and the decision pipeline.
 *
 * <p>Exports the API ({@code io.execauthz}) and the service-provider interfaces ({@code
 * io.execauthz.spi}); {@code io.execauthz.internal} is implementation and not exported.
 */
module io.execauthz.core {
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.core;

  exports io.execauthz;
  exports io.execauthz.spi;
}
