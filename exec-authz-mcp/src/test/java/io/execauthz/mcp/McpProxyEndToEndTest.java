package io.execauthz.mcp;

/** An unguarded SDK server behind {@link McpProxy}: the same answers. */
final class McpProxyEndToEndTest extends GuardedServerContract {
  @Override
  boolean proxied() {
    return true;
  }
}
