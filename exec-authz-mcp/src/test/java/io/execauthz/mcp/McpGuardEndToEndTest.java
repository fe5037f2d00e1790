package io.execauthz.mcp;

/** The server guarded in-process by {@link McpGuard}. */
final class McpGuardEndToEndTest extends GuardedServerContract {
  @Override
  boolean proxied() {
    return false;
  }
}
