package io.execauthz.mcp;

import io.modelcontextprotocol.client.transport.customizer.McpSyncHttpClientRequestCustomizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of the carrier (CONTRACT §7): attaches a node's grant to every request an MCP
 * client sends, minting a fresh one from a supplier shortly before the current one's {@code exp}.
 * The one entry type of this adapter on the client side.
 *
 * <pre>{@code
 * McpClientGrants grants = McpClientGrants.newBuilder()
 *     .minter(() -> issuer.mint(graph.node("task-7"), "mcp:files").compact())
 *     .build();
 * var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:8080")
 *     .httpRequestCustomizer(grants.httpRequestCustomizer())   // header Exec-Authz-Grant
 *     .build();
 * // over stdio: new CallToolRequest(name, args, grants.meta())  // _meta["io.execauthz/grant"]
 * }</pre>
 *
 * <p>The grant's {@code exp} is read from its claims without verifying them (the server verifies);
 * a token whose {@code exp} cannot be read is used for one request only, then minted again.
 *
 * <p>Thread-safe: concurrent requests share one grant, and at most one mints at a time.
 */
public final class McpClientGrants {
  private static final Pattern EXP = Pattern.compile("\"exp\"\\s*:\\s*(\\d{1,15})");

  private final Supplier<String> minter;
  private final Duration refreshBefore;
  private final InstantSource clock;
  private String current;
  private Instant refreshAt;

  private McpClientGrants(Builder b) {
    this.minter = b.minter;
    this.refreshBefore = b.refreshBefore == null ? Duration.ofSeconds(30) : b.refreshBefore;
    this.clock = b.clock == null ? InstantSource.system() : b.clock;
  }

  /** Starts configuring; a minter is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * The grant to send now: the current one, or a fresh one from the minter when the current one is
   * within the refresh margin of its {@code exp}.
   *
   * @throws IllegalStateException if the minter returned null or blank
   */
  public synchronized String grant() {
    Instant now = clock.instant();
    if (current == null || !now.isBefore(refreshAt)) {
      String token = minter.get();
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("the grant minter returned no grant");
      }
      current = token.strip();
      Instant exp = expiry(current);
      refreshAt = exp == null ? now : exp.minus(refreshBefore);
    }
    return current;
  }

  /**
   * A request customizer for the SDK's {@code HttpClientStreamableHttpTransport.Builder
   * .httpRequestCustomizer(..)}: sets the {@value McpGuard#HEADER} header on every request.
   */
  public McpSyncHttpClientRequestCustomizer httpRequestCustomizer() {
    return (request, method, uri, body, context) -> request.setHeader(McpGuard.HEADER, grant());
  }

  /** A {@code _meta} map carrying the grant, for transports without headers (stdio). */
  public Map<String, Object> meta() {
    return Map.of(McpGuard.META_GRANT, grant());
  }

  /** {@code meta} with the grant added (a copy; {@code meta} may be null). */
  public Map<String, Object> meta(Map<String, Object> meta) {
    Map<String, Object> m = meta == null ? new HashMap<>() : new HashMap<>(meta);
    m.put(McpGuard.META_GRANT, grant());
    return Map.copyOf(m);
  }

  /** The {@code exp} of a compact JWS, read without verifying; null if it cannot be read. */
  static Instant expiry(String token) {
    int first = token.indexOf('.');
    int last = token.lastIndexOf('.');
    if (first < 0 || last <= first) {
      return null;
    }
    try {
      String claims =
          new String(
              Base64.getUrlDecoder().decode(token.substring(first + 1, last)),
              StandardCharsets.UTF_8);
      Matcher m = EXP.matcher(claims);
      Instant earliest = null;
      while (m.find()) {
        Instant e = Instant.ofEpochSecond(Long.parseLong(m.group(1)));
        earliest = earliest == null || e.isBefore(earliest) ? e : earliest;
      }
      return earliest;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "McpClientGrants[refreshBefore=" + refreshBefore + "]"; // never the token
  }

  /** Configures {@link McpClientGrants}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private Supplier<String> minter;
    private Duration refreshBefore;
    private InstantSource clock;

    private Builder() {}

    /**
     * Mints a grant for the node the client acts for, as a compact JWS (required): typically {@code
     * issuer.mint(node, audience).compact()} or an attenuation of the caller's own grant.
     */
    public Builder minter(Supplier<String> minter) {
      if (this.minter != null) {
        throw new IllegalStateException("minter was already set");
      }
      this.minter = Objects.requireNonNull(minter, "minter");
      return this;
    }

    /** How long before {@code exp} a new grant is minted; 30 seconds by default. */
    public Builder refreshBefore(Duration margin) {
      if (this.refreshBefore != null) {
        throw new IllegalStateException("refreshBefore was already set");
      }
      Objects.requireNonNull(margin, "refreshBefore");
      if (margin.isNegative()) {
        throw new IllegalArgumentException("refreshBefore must not be negative, was " + margin);
      }
      this.refreshBefore = margin;
      return this;
    }

    /** The clock compared with {@code exp}; the system clock by default. */
    public Builder clock(InstantSource clock) {
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set");
      }
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @throws IllegalStateException if the minter is missing
     */
    public McpClientGrants build() {
      if (minter == null) {
        throw new IllegalStateException("minter is required");
      }
      return new McpClientGrants(this);
    }
  }
}
