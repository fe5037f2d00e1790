/**
 * exec-authz-mcp: guards Model Context Protocol servers (and a guarding proxy) with exec-authz.
 *
 * <p>Exports {@code io.execauthz.mcp}. Its API takes and gives types of the MCP Java SDK and the
 * Servlet API (tool specifications, transport context extractors), so both are required
 * transitively.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // the MCP SDK: stable
// Automatic-Module-Names, no module-info
module io.execauthz.mcp {
  requires transitive io.execauthz.core;
  requires transitive io.modelcontextprotocol.sdk.mcp.core;
  requires transitive jakarta.servlet;
  requires java.net.http;
  requires reactor.core;

  exports io.execauthz.mcp;
}
