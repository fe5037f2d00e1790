package io.execauthz.redis;

import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.spi.BudgetLedger;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One connection to the Redis (standalone or cluster) that every exec-authz process of a deployment
 * shares: the entry point of this module. It hands out the {@link #budgetLedger() budget ledger},
 * {@link #approvals() approvals} and, through {@link
 * RedisRevocationRegistry#newBuilder(RedisStore)}, the revocation registry, all on one Lettuce
 * client and one multiplexed connection.
 *
 * <pre>{@code
 * try (RedisStore store = RedisStore.newBuilder()
 *     .uri("rediss://authz:secret@redis.internal:6380")
 *     .timeout(Duration.ofMillis(250))
 *     .build()) {
 *   RevocationRegistry revocations = RedisRevocationRegistry.newBuilder(store).build();
 *   BudgetLedger budgets = store.budgetLedger();
 * }
 * }</pre>
 *
 * <p><b>Where.</b> {@code redis://[user:password@]host[:port][/db]}, {@code rediss://…} for TLS
 * (certificates checked, as Lettuce does), or a comma-separated list of seeds for a Redis Cluster
 * ({@code redis://a:7000,redis://b:7001}). The user and password are the Redis ACL's; they are
 * passed to Lettuce and never appear in {@link #toString()}, a message or a log line.
 *
 * <p><b>Keys.</b> Every key starts with the {@link Builder#keyPrefix prefix} ({@code xa} by
 * default), so several deployments can share one Redis. Keys that one script touches together share
 * a hash tag, so everything works on a cluster.
 *
 * <p>Thread-safe. Close it when done: it owns its client's threads.
 */
public final class RedisStore implements AutoCloseable {
  private final String where; // the redacted location, for messages
  private final String prefix;
  private final Duration timeout;

  /** The longest wait between two reconnection attempts. */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

  /** How often a cluster client reads the topology again, besides on MOVED, ASK and reconnects. */
  static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

  private static final System.Logger LOG = System.getLogger(RedisStore.class.getName());

  /** How long connecting may take. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final List<RedisURI> uris;
  private final boolean cluster;

  private RedisStore(Builder b) {
    this.prefix = b.prefix == null ? "xa" : b.prefix;
    this.timeout = b.timeout == null ? Duration.ofMillis(500) : b.timeout;
    this.uris = b.uris;
    this.cluster = uris.size() > 1 || b.cluster;
    this.where = redact(uris);
    // connecting (TCP, TLS, AUTH, HELLO) on a cold JVM takes longer than a command may
    Duration connect = timeout.compareTo(CONNECT_TIMEOUT) > 0 ? timeout : CONNECT_TIMEOUT;
    for (RedisURI u : uris) {
      u.setTimeout(connect);
    }
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    // reconnect soon after Redis is back (Lettuce's default backs off to 30 s)
    this.resources =
        DefaultClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();
    if (cluster) {
      RedisClusterClient c = RedisClusterClient.create(resources, uris);
      c.setOptions(
          ClusterClientOptions.builder()
              .timeoutOptions(timeouts)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              // follow a failover (a replica promoted, slots moved) without waiting for a restart
              .topologyRefreshOptions(topologyRefresh())
              .build());
      this.client = c;
      StatefulRedisClusterConnection<String, String> conn = connectOrFail(() -> c.connect());
      this.connection = conn;
      this.commands = conn.async();
      connectToEveryMaster(conn);
    } else {
      RedisClient c = RedisClient.create(resources, uris.get(0));
      c.setOptions(
          ClientOptions.builder()
              .timeoutOptions(timeouts)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      this.client = c;
      StatefulRedisConnection<String, String> conn =
          connectOrFail(() -> c.connect(StringCodec.UTF8));
      this.connection = conn;
      this.commands = conn.async();
    }
  }

  /**
   * Reads the topology again every {@link #TOPOLOGY_REFRESH} and at once on MOVED, ASK, persistent
   * reconnects, uncovered slots and unknown nodes, so that a failover (a replica promoted) is
   * followed within a reconnection or two. (Lettuce 7 marks the trigger setters deprecated without
   * a replacement yet; they still do what they say.)
   */
  @SuppressWarnings("deprecation")
  private static ClusterTopologyRefreshOptions topologyRefresh() {
    return ClusterTopologyRefreshOptions.builder()
        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
        .enableAllAdaptiveRefreshTriggers()
        .build();
  }

  /**
   * Opens the connection to every master now. Lettuce opens a node's connection on its first
   * command, and with commands rejected while disconnected (so that none is sent late, after the
   * caller was told it failed) that first command would fail: a registry would start not current, a
   * first budget take answer unavailable. A master that cannot be reached now is left to Lettuce.
   */
  private static void connectToEveryMaster(StatefulRedisClusterConnection<String, String> conn) {
    for (RedisClusterNode n : conn.getPartitions()) {
      if (n.getRole().isUpstream()) {
        try {
          conn.getConnection(n.getUri().getHost(), n.getUri().getPort(), ConnectionIntent.WRITE);
        } catch (RuntimeException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              "cannot connect to cluster node {0}:{1} yet ({2})",
              n.getUri().getHost(),
              n.getUri().getPort(),
              cause(e));
        }
      }
    }
  }

  private <T> T connectOrFail(java.util.function.Supplier<T> connect) {
    try {
      return connect.get();
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new RedisUnavailableException("cannot connect to " + where + ": " + cause(e), e);
    }
  }

  /** Starts configuring a store; {@link Builder#uri} is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A budget ledger whose counters live in this store (one per call is fine: it holds nothing). */
  public BudgetLedger budgetLedger() {
    return new RedisBudgetLedger(this);
  }

  /** One-time approvals kept in this store. */
  public RedisApprovals approvals() {
    return new RedisApprovals(this);
  }

  /** A revocation registry on this store with the default options, caught up. */
  public RevocationRegistry revocations() {
    return RedisRevocationRegistry.newBuilder(this).build();
  }

  /** How long any one command may take before it counts as unavailable. */
  public Duration timeout() {
    return timeout;
  }

  /** Whether this is a Redis Cluster (each script call's keys must then share a hash slot). */
  boolean cluster() {
    return cluster;
  }

  String prefix() {
    return prefix;
  }

  String where() {
    return where;
  }

  RedisClusterAsyncCommands<String, String> commands() {
    return commands;
  }

  /** A new pub/sub connection (the caller closes it). */
  StatefulRedisPubSubConnection<String, String> connectPubSub() {
    if (cluster) {
      return ((RedisClusterClient) client).connectPubSub();
    }
    return ((RedisClient) client).connectPubSub(StringCodec.UTF8);
  }

  /** A short description of a failure, naming no secret (Lettuce's messages hold none). */
  static String cause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null
        && (t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  /** The store's location without user or password. */
  @Override
  public String toString() {
    return "RedisStore[" + where + ", prefix " + prefix + "]";
  }

  private static String redact(List<RedisURI> uris) {
    StringBuilder sb = new StringBuilder();
    for (RedisURI u : uris) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(u.isSsl() ? "rediss://" : "redis://")
          .append(u.getHost())
          .append(':')
          .append(u.getPort());
      if (u.getDatabase() != 0) {
        sb.append('/').append(u.getDatabase());
      }
    }
    return sb.toString();
  }

  /** Configures a {@link RedisStore}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private List<RedisURI> uris;
    private boolean cluster;
    private Duration timeout;
    private String prefix;

    private Builder() {}

    /**
     * Where Redis is: {@code redis://…}, {@code rediss://…} (TLS), or a comma-separated list of
     * cluster seeds. User and password in the URI are the ACL's, passed through to Lettuce.
     *
     * @throws IllegalArgumentException naming the part that is wrong (never the password)
     */
    public Builder uri(String uri) {
      if (uris != null) {
        throw new IllegalStateException("uri is already set");
      }
      Objects.requireNonNull(uri, "uri");
      List<RedisURI> parsed = new ArrayList<>();
      String[] parts = uri.split(",", -1);
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i].trim();
        String scheme = p.contains("://") ? p.substring(0, p.indexOf("://")) : "";
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
          throw new IllegalArgumentException(
              "Redis URI "
                  + (parts.length > 1 ? "seed " + (i + 1) + " " : "")
                  + "must start with redis:// or rediss://, was '"
                  + (scheme.isEmpty() ? "no scheme" : scheme + "://")
                  + "'");
        }
        try {
          checkPort(p);
          RedisURI u = RedisURI.create(p);
          if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("no host");
          }
          parsed.add(u);
        } catch (RuntimeException e) {
          // Lettuce's message may quote the URI, password included: never repeat it
          throw new IllegalArgumentException(
              "Redis URI "
                  + (parts.length > 1 ? "seed " + (i + 1) + " " : "")
                  + "is not a valid redis:// or rediss:// URI (host, port, database)");
        }
      }
      this.uris = List.copyOf(parsed);
      return this;
    }

    /** A host is required and a port, when given, a number in 1..65535 (Lettuce would default). */
    private static void checkPort(String uri) {
      String rest = uri.substring(uri.indexOf("://") + 3);
      int end = rest.length();
      for (char c : new char[] {'/', '?', '#'}) {
        int i = rest.indexOf(c);
        if (i >= 0 && i < end) {
          end = i;
        }
      }
      String authority = rest.substring(0, end);
      String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
      int colon = hostPort.lastIndexOf(':');
      if ((colon < 0 ? hostPort : hostPort.substring(0, colon)).isEmpty()) {
        throw new IllegalArgumentException("no host");
      }
      if (colon >= 0 && !hostPort.endsWith("]")) {
        String port = hostPort.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}")
            || Integer.parseInt(port) == 0
            || Integer.parseInt(port) > 65535) {
          throw new IllegalArgumentException("bad port");
        }
      }
    }

    /** Treats a single URI as a cluster seed (a list of several always is). */
    public Builder cluster() {
      this.cluster = true;
      return this;
    }

    /**
     * How long a command may take before the store counts as unavailable (500 ms by default): a
     * budget take then answers {@code Unavailable}, the registry stops being current.
     */
    public Builder timeout(Duration timeout) {
      if (this.timeout != null) {
        throw new IllegalStateException("timeout is already set");
      }
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** The first part of every key ({@code xa} by default); letters, digits, {@code -_.}. */
    public Builder keyPrefix(String prefix) {
      if (this.prefix != null) {
        throw new IllegalStateException("keyPrefix is already set");
      }
      Objects.requireNonNull(prefix, "keyPrefix");
      if (!prefix.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            "keyPrefix must be 1-64 letters, digits, '.', '_' or '-', was '" + prefix + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Connects.
     *
     * @throws RedisUnavailableException if Redis cannot be reached within the timeout
     */
    public RedisStore build() {
      if (uris == null) {
        throw new IllegalStateException("uri is required");
      }
      return new RedisStore(this);
    }

    @Override
    public String toString() {
      return "RedisStore.Builder[" + (uris == null ? "no uri" : redact(uris)) + "]";
    }
  }
}
