/**
 * exec-authz-otel: decisions as OpenTelemetry spans and metrics.
 *
 * <p>Exports {@code io.execauthz.otel}; its builder takes an {@code OpenTelemetry}, so the API is
 * required transitively.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // OpenTelemetry: stable
// Automatic-Module-Names, no module-info
module io.execauthz.otel {
  requires transitive io.execauthz.core;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports io.execauthz.otel;
}
