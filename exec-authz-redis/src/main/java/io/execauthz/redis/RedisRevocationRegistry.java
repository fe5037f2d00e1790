package io.execauthz.redis;

import io.execauthz.NodeState;
import io.execauthz.jwt.RevocationRegistry;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link RevocationRegistry} shared through Redis: what one process revokes, every process
 * sharing the store refuses — within a bound, and never silently later than that.
 *
 * <pre>{@code
 * RevocationRegistry revocations = RedisRevocationRegistry.newBuilder(store)
 *     .stalenessBound(Duration.ofSeconds(3))
 *     .build();                       // subscribed and caught up (or not current until it is)
 * GrantVerifier verifier = GrantVerifier.newBuilder()...revocations(revocations).build();
 * }</pre>
 *
 * <p><b>How.</b> Every entry (a revoked grant, a revoked or completed node keyed by issuer, graph
 * and node) is written by one Lua script that adds it to a sorted set scored by when it may be
 * forgotten (its {@code notAfter} plus a retention), bumps a sequence number and publishes the
 * entry with that number. Each process subscribes and keeps a local copy: verification reads only
 * that copy and never waits on the network. A heartbeat reads the sequence number every {@link
 * Builder#heartbeat period}: if the copy has everything up to it, the copy is <em>confirmed</em> as
 * of the moment the heartbeat was sent; if a message was missed (a gap in the numbers, a reconnect,
 * a number still ahead at the next heartbeat) or Redis lost its data (its epoch changed), the
 * process reads the whole live set again. On start it subscribes, then reads the set.
 *
 * <p><b>Fail closed.</b> {@link #isCurrent()} is true only while the copy was confirmed within the
 * {@link Builder#stalenessBound staleness bound} (3 s by default) and every entry this process was
 * told of is written; otherwise verifiers refuse every grant with {@code UNAVAILABLE}, until a
 * heartbeat confirms the copy again — by itself, nobody has to call {@link #catchUp()}. A write
 * that fails throws (the graph reports it to whoever revoked) and is retried by every heartbeat;
 * the entry is in the local copy at once, so this process refuses the grant meanwhile. After Redis
 * lost its data (restarted without persistence), each process writes again the entries it wrote
 * itself before it reports itself current.
 *
 * <p>Thread-safe; reads take no lock. Close it to stop its heartbeat and subscription.
 */
public final class RedisRevocationRegistry implements RevocationRegistry, AutoCloseable {
  private static final System.Logger LOG =
      System.getLogger(RedisRevocationRegistry.class.getName());

  private static final long MAX_MILLIS = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

  // KEYS: entries (zset), seq, epoch. ARGV: member, forgetAt ms, now ms, channel, new epoch
  private static final String WRITE =
      """
      redis.call('SET', KEYS[3], ARGV[5], 'NX')
      redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
      local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
      if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end
      local seq = redis.call('INCR', KEYS[2])
      local epoch = redis.call('GET', KEYS[3])
      redis.call('PUBLISH', ARGV[4],
        't=' .. ARGV[3] .. '\\n' .. epoch .. '\\n' .. seq .. '\\n' .. ARGV[2] .. '\\n' .. ARGV[1])
      return seq
      """;

  // KEYS: entries, seq, epoch. ARGV: now ms, new epoch. Returns epoch, seq, member, score, ...
  private static final String SNAPSHOT =
      """
      redis.call('SET', KEYS[3], ARGV[2], 'NX')
      local r = {redis.call('GET', KEYS[3]), redis.call('GET', KEYS[2]) or '0'}
      local e = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf', 'WITHSCORES')
      for i = 1, #e do r[#r + 1] = e[i] end
      return r
      """;

  /** A node entry's key; a null issuer stands for every issuer, a null graph for every graph. */
  private record NodeKey(String issuer, String graphId, String nodeId) {}

  /** An entry as written: its member text and when it may be forgotten. */
  private record Write(String member, long forgetAt) {}

  /** A message's epoch and sequence number, for the heartbeat to check. */
  private record Received(String epoch, long seq) {}

  private final RedisStore store;
  private final InstantSource clock;
  private final Duration bound;
  private final Duration heartbeat;
  private final Duration settle;
  private final Duration retention;
  private final int maxEntries;
  private final String entriesKey;
  private final String seqKey;
  private final String epochKey;
  private final String channel;
  private final Scripts write;
  private final Scripts snapshot;
  private final Consumer<Duration> lagListener; // null: not measured

  private final ConcurrentHashMap<String, Long> grants = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<NodeKey, Long> revoked = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<NodeKey, Long> completed = new ConcurrentHashMap<>();

  private final java.util.concurrent.ConcurrentLinkedQueue<Received> received =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final ReentrantLock lock = new ReentrantLock(); // sequence state, pending and own writes
  private final ArrayDeque<Write> pending = new ArrayDeque<>(); // guarded by lock
  private final Map<String, Long> own = new java.util.HashMap<>(); // guarded by lock
  private String epoch; // guarded by lock: the store's epoch the copy follows
  private long applied; // guarded by lock: every entry up to this sequence number is in the copy
  private long lagTarget = -1; // guarded by lock: a number seen ahead at the last heartbeat
  private boolean gap; // guarded by lock: a message arrived out of order

  private volatile long confirmedAt = Long.MIN_VALUE; // epoch ms the copy was last confirmed
  private volatile boolean pendingWrites;
  private volatile boolean full;
  private volatile boolean reportedCurrent;
  private boolean outage; // guarded by lock: a heartbeat failed since the copy was last confirmed
  private volatile long recoveringSince = Long.MIN_VALUE; // written under lock
  private final long startedAt;
  private volatile long failingSince = Long.MIN_VALUE; // epoch ms of the first failed heartbeat
  private volatile String lastFailure; // its cause, naming no secret

  private StatefulRedisPubSubConnection<String, String> pubsub; // guarded by lock; null until made
  private boolean subscribed; // guarded by lock
  private boolean closed; // guarded by lock
  private final ScheduledExecutorService scheduler;
  private final String newEpoch;

  private RedisRevocationRegistry(Builder b) {
    this.store = b.store;
    this.clock = b.clock == null ? InstantSource.system() : b.clock;
    this.bound = b.bound == null ? Duration.ofSeconds(3) : b.bound;
    this.heartbeat =
        b.heartbeat != null
            ? b.heartbeat
            : bound.dividedBy(5).compareTo(Duration.ofMillis(20)) < 0
                ? Duration.ofMillis(20)
                : bound.dividedBy(5);
    if (heartbeat.compareTo(bound) >= 0) {
      throw new IllegalStateException(
          "heartbeat " + heartbeat + " must be shorter than stalenessBound " + bound);
    }
    this.settle =
        b.settle != null
            ? b.settle
            : RedisStore.MAX_RECONNECT_DELAY.plus(heartbeat).multipliedBy(2);
    this.retention = b.retention == null ? Duration.ofMinutes(1) : b.retention;
    this.lagListener = b.lagListener;
    this.startedAt = clock.millis();
    this.maxEntries = b.maxEntries == null ? 1_000_000 : b.maxEntries;
    String tag = "{" + store.prefix() + "-rev}";
    this.entriesKey = store.prefix() + ":" + tag + ":entries";
    this.seqKey = store.prefix() + ":" + tag + ":seq";
    this.epochKey = store.prefix() + ":" + tag + ":epoch";
    this.channel = store.prefix() + ":rev";
    byte[] r = new byte[12];
    new SecureRandom().nextBytes(r);
    this.newEpoch = HexFormat.of().formatHex(r);
    this.write = new Scripts(store.commands(), WRITE);
    this.snapshot = new Scripts(store.commands(), SNAPSHOT);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, "exec-authz-redis-revocations");
              t.setDaemon(true);
              return t;
            });
    tick(); // catch up before the first verification, if Redis answers
    long period = heartbeat.toMillis();
    scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  /** Starts configuring a registry on {@code store}. */
  public static Builder newBuilder(RedisStore store) {
    return new Builder(store);
  }

  @Override
  public void revokeGrant(String grantId, Instant notAfter) {
    Objects.requireNonNull(grantId, "grantId");
    record(new Write("g\n" + esc(grantId), forgetAt(notAfter)));
  }

  @Override
  public void nodeEnded(
      String issuer, String graphId, String nodeId, NodeState state, Instant notAfter) {
    Objects.requireNonNull(graphId, "graphId");
    Objects.requireNonNull(nodeId, "nodeId");
    if (state != NodeState.REVOKED && state != NodeState.COMPLETED) {
      throw new IllegalArgumentException("a node ends REVOKED or COMPLETED, not " + state);
    }
    record(new Write(nodeMember(issuer, graphId, nodeId, state), forgetAt(notAfter)));
  }

  /**
   * Revokes a node of {@code issuer} in every graph — an operator's kill switch that knows the
   * node's id but not its graph ({@code exec-authz revoke --node ID} without {@code --graph}).
   * Refuses more than a graph-scoped revocation, never less.
   *
   * @param issuer the issuer whose grants it ends, or {@code null} for every issuer
   * @throws RedisUnavailableException if it cannot be written now (it is retried, as any write)
   */
  public void revokeNodeInEveryGraph(String issuer, String nodeId, Instant notAfter) {
    Objects.requireNonNull(nodeId, "nodeId");
    record(new Write(nodeMember(issuer, null, nodeId, NodeState.REVOKED), forgetAt(notAfter)));
  }

  private static String nodeMember(String issuer, String graphId, String nodeId, NodeState state) {
    return "n\n"
        + (issuer == null ? "-" : "+" + esc(issuer))
        + "\n"
        + (graphId == null ? "-" : "+" + esc(graphId))
        + "\n"
        + esc(nodeId)
        + "\n"
        + (state == NodeState.REVOKED ? "R" : "C");
  }

  @Override
  public boolean isGrantRevoked(String grantId) {
    return grants.containsKey(grantId);
  }

  @Override
  public Optional<NodeState> nodeState(String issuer, String graphId, String nodeId) {
    NodeKey any = new NodeKey(null, graphId, nodeId);
    NodeKey mine = issuer == null ? null : new NodeKey(issuer, graphId, nodeId);
    if (revoked.containsKey(any) || (mine != null && revoked.containsKey(mine))) {
      return Optional.of(NodeState.REVOKED);
    }
    if (!revoked.isEmpty()
        && (revoked.containsKey(new NodeKey(null, null, nodeId))
            || (issuer != null && revoked.containsKey(new NodeKey(issuer, null, nodeId))))) {
      return Optional.of(NodeState.REVOKED); // revoked in every graph by an operator
    }
    if (completed.containsKey(any) || (mine != null && completed.containsKey(mine))) {
      return Optional.of(NodeState.COMPLETED);
    }
    return Optional.empty();
  }

  @Override
  public boolean isCurrent() {
    return !pendingWrites
        && !full
        && clock.millis() - confirmedAt <= bound.toMillis()
        && confirmedAt != Long.MIN_VALUE;
  }

  /**
   * Why not current, every reason that holds: the local copy full; a revocation made here not yet
   * written; not caught up since it started; Redis unreachable since when (and why); Redis back but
   * the copy not yet confirmed (the recovery settle); the last confirmation older than the bound.
   */
  @Override
  public String notCurrentDetail() {
    long now = clock.millis();
    long confirmed = confirmedAt;
    long failing = failingSince;
    long recovering = recoveringSince;
    List<String> why = new java.util.ArrayList<>();
    if (full) {
      why.add("its local copy holds " + maxEntries + " entries, its limit");
    }
    if (pendingWrites) {
      why.add("a revocation made in this process is not yet written to " + store.where());
    }
    if (confirmed == Long.MIN_VALUE) {
      why.add(
          "not caught up with "
              + store.where()
              + " since it started at "
              + Instant.ofEpochMilli(startedAt));
    }
    if (failing != Long.MIN_VALUE) {
      String cause = lastFailure;
      why.add(
          "cannot reach "
              + store.where()
              + " since "
              + Instant.ofEpochMilli(failing)
              + (cause == null ? "" : " (" + cause + ")"));
    } else if (recovering != Long.MIN_VALUE) {
      why.add(
          store.where()
              + " answers again since "
              + Instant.ofEpochMilli(recovering)
              + "; the copy is read again after "
              + settle.toMillis()
              + " ms");
    }
    if (confirmed != Long.MIN_VALUE) {
      long age = now - confirmed;
      why.add(
          "last confirmed "
              + age
              + " ms ago, "
              + (age > bound.toMillis() ? "over" : "within")
              + " its bound of "
              + bound.toMillis()
              + " ms");
    }
    return String.join("; ", why);
  }

  /** Writes what is pending and confirms the copy now, on the caller's thread. */
  @Override
  public boolean catchUp() {
    tick();
    return isCurrent();
  }

  /** The keys the registry's scripts touch together (one hash tag, so one cluster slot). */
  List<String> keys() {
    return List.of(entriesKey, seqKey, epochKey);
  }

  /** The number of entries in the local copy, for tests and sizing. */
  public int size() {
    return grants.size() + revoked.size() + completed.size();
  }

  // ---------------------------------------------------------------------------------------------

  private void record(Write w) {
    apply(w.member(), w.forgetAt()); // refused here at once, whatever Redis says
    lock.lock();
    try {
      own.merge(w.member(), w.forgetAt(), Math::max);
      pending.add(w);
      pendingWrites = true;
      flush();
      if (!pending.isEmpty()) {
        throw new RedisUnavailableException(
            "the revocation could not be written to "
                + store.where()
                + "; it is retried, and this registry refuses every grant until it is written",
            null);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Writes pending entries in order, stopping at the first failure. Under lock. */
  private void flush() {
    Write w;
    while ((w = pending.peek()) != null) {
      try {
        write.<Long>run(
            store,
            ScriptOutputType.INTEGER,
            new String[] {entriesKey, seqKey, epochKey},
            new String[] {
              w.member(),
              Long.toString(w.forgetAt()),
              Long.toString(clock.millis()),
              channel,
              newEpoch
            },
            store.timeout(),
            "writing a revocation");
      } catch (RedisUnavailableException e) {
        LOG.log(System.Logger.Level.WARNING, "{0}", e.getMessage());
        break;
      }
      pending.poll();
    }
    pendingWrites = !pending.isEmpty();
  }

  private void onMessage(String message) {
    // "t=<ms written>\n" first since the lag is measured; a message without it (written by an
    // earlier version) is read as ever, and only its lag is unknown
    long writtenAt = -1;
    if (message.startsWith("t=")) {
      int nl = message.indexOf('\n');
      try {
        writtenAt = nl < 0 ? -1 : Long.parseLong(message.substring(2, nl));
      } catch (NumberFormatException e) {
        return;
      }
      message = message.substring(nl + 1);
    }
    String[] p = message.split("\n", 4);
    if (p.length < 4) {
      return;
    }
    long seq;
    long forgetAt;
    try {
      seq = Long.parseLong(p[1]);
      forgetAt = Long.parseLong(p[2]);
    } catch (NumberFormatException e) {
      return;
    }
    apply(p[3], forgetAt); // refused from now on; the sequence is checked by the heartbeat
    // never take the lock here: this runs on Lettuce's event loop, which the heartbeat may be
    // waiting on for a reply
    received.add(new Received(p[0], seq));
    if (writtenAt >= 0 && lagListener != null) {
      reportLag(Duration.ofMillis(Math.max(0, clock.millis() - writtenAt)));
    }
  }

  /** Tells the listener; one that throws is logged and changes nothing. */
  private void reportLag(Duration lag) {
    try {
      lagListener.accept(lag);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "revocations: the propagation lag listener failed", e);
    }
  }

  /** Moves the sequence number along the messages received. Under lock. */
  private void drainReceived() {
    Received r;
    while ((r = received.poll()) != null) {
      if (!r.epoch().equals(epoch)) {
        gap = true; // another epoch: read everything again
      } else if (r.seq() == applied + 1) {
        applied = r.seq();
      } else if (r.seq() > applied + 1) {
        gap = true;
      }
    }
  }

  /**
   * Connects the subscription and subscribes, if not yet done: at start, and at every heartbeat
   * until it works (a registry built while Redis is unreachable). Lettuce subscribes again by
   * itself after a reconnect. Until subscribed, the heartbeat still confirms the copy: it reads
   * everything again whenever the sequence number moved. Under lock.
   */
  private void subscribe() {
    if (closed) {
      return;
    }
    try {
      if (pubsub == null) {
        StatefulRedisPubSubConnection<String, String> c = store.connectPubSub();
        c.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String ch, String message) {
                if (channel.equals(ch)) {
                  onMessage(message);
                }
              }
            });
        pubsub = c;
      }
      Scripts.await(pubsub.async().subscribe(channel), store.timeout());
      subscribed = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(
          reportedCurrent ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
          "revocations: cannot subscribe at {0} yet ({1}); not current until caught up",
          store.where(),
          RedisStore.cause(e));
    }
  }

  /** The heartbeat: write what is pending, then confirm the copy or read it all again. */
  private void tick() {
    long sentAt = clock.millis();
    lock.lock();
    try {
      if (!subscribed) {
        subscribe();
      }
      if (!pending.isEmpty()) {
        flush();
      }
      drainReceived();
      List<KeyValue<String, String>> kv =
          Scripts.await(store.commands().mget(epochKey, seqKey), store.timeout());
      String remoteEpoch = kv.get(0).getValueOrElse(null);
      long remoteSeq = Long.parseLong(kv.get(1).getValueOrElse("0"));
      boolean behind = remoteSeq > applied;
      if (outage) {
        // Redis answers again after an outage: wait until writers that failed meanwhile have had
        // time to write again (they retry every heartbeat), then read everything
        if (recoveringSince == Long.MIN_VALUE) {
          recoveringSince = sentAt;
        }
        if (sentAt - recoveringSince >= settle.toMillis()) {
          reload(sentAt);
          outage = false;
          recoveringSince = Long.MIN_VALUE;
        }
      } else if (remoteEpoch == null || !remoteEpoch.equals(epoch) || gap) {
        reload(sentAt);
      } else if (behind && lagTarget >= 0 && applied < lagTarget) {
        reload(sentAt); // still missing what was already published a heartbeat ago
      } else if (behind) {
        lagTarget = remoteSeq; // probably in flight; give it one heartbeat
      } else {
        lagTarget = -1;
        if (pending.isEmpty()) {
          confirmedAt = sentAt;
        }
      }
      prune(clock.millis());
      failingSince = Long.MIN_VALUE;
    } catch (Exception e) {
      if (failingSince == Long.MIN_VALUE) {
        failingSince = sentAt;
      }
      lastFailure = RedisStore.cause(e);
      if (confirmedAt != Long.MIN_VALUE) {
        outage = true; // (not at start: a process that never caught up has nothing to settle)
      }
      recoveringSince = Long.MIN_VALUE;
      if (reportedCurrent) {
        LOG.log(
            System.Logger.Level.WARNING,
            "revocations: cannot confirm the copy at {0} ({1}); grants are refused once {2} has"
                + " passed",
            store.where(),
            RedisStore.cause(e),
            bound);
      }
      reportedCurrent = false;
      return;
    } finally {
      lock.unlock();
    }
    boolean now = isCurrent();
    if (now && !reportedCurrent) {
      LOG.log(System.Logger.Level.INFO, "revocations: caught up with {0}", store.where());
    }
    reportedCurrent = now;
  }

  /** Reads every live entry and the sequence number together. Under lock. */
  private void reload(long sentAt) throws RedisUnavailableException {
    List<String> r =
        snapshot.run(
            store,
            ScriptOutputType.MULTI,
            new String[] {entriesKey, seqKey, epochKey},
            new String[] {Long.toString(clock.millis()), newEpoch},
            store.timeout(),
            "reading the revocations");
    String remoteEpoch = r.get(0);
    boolean lost = epoch != null && !epoch.equals(remoteEpoch);
    for (int i = 2; i + 1 < r.size(); i += 2) {
      apply(r.get(i), (long) Double.parseDouble(r.get(i + 1)));
    }
    epoch = remoteEpoch;
    applied = Long.parseLong(r.get(1));
    gap = false;
    lagTarget = -1;
    if (lost) {
      // Redis lost what it held (restarted without persistence): write ours again first
      LOG.log(
          System.Logger.Level.WARNING,
          "revocations: {0} lost its entries (new epoch); writing again the {1} this process wrote",
          store.where(),
          own.size());
      long now = clock.millis();
      own.entrySet().removeIf(e -> e.getValue() < now);
      own.forEach((m, t) -> pending.add(new Write(m, t)));
      pendingWrites = !pending.isEmpty();
      flush();
    }
    if (pending.isEmpty()) {
      confirmedAt = sentAt;
    }
  }

  private void apply(String member, long forgetAt) {
    String[] p = member.split("\n", -1);
    if (p[0].equals("g") && p.length == 2) {
      put(grants, unesc(p[1]), forgetAt);
    } else if (p[0].equals("n") && p.length == 5) {
      String issuer = p[1].equals("-") ? null : unesc(p[1].substring(1));
      String graph = p[2].equals("-") ? null : unesc(p[2].substring(1));
      NodeKey k = new NodeKey(issuer, graph, unesc(p[3]));
      put(p[4].equals("R") ? revoked : completed, k, forgetAt);
    }
  }

  private <K> void put(ConcurrentHashMap<K, Long> map, K key, long forgetAt) {
    if (!map.containsKey(key) && size() >= maxEntries) {
      full = true; // fail closed: refuse every grant rather than forget a revocation
      LOG.log(
          System.Logger.Level.ERROR, "revocations: the local copy holds {0} entries", maxEntries);
      return;
    }
    map.merge(key, forgetAt, Math::max);
  }

  private void prune(long now) {
    grants.values().removeIf(t -> t < now);
    revoked.values().removeIf(t -> t < now);
    completed.values().removeIf(t -> t < now);
    own.values().removeIf(t -> t < now);
  }

  private long forgetAt(Instant notAfter) {
    Objects.requireNonNull(notAfter, "notAfter");
    if (notAfter.isAfter(Instant.ofEpochMilli(MAX_MILLIS).minus(retention))) {
      return MAX_MILLIS;
    }
    return notAfter.plus(retention).toEpochMilli();
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String unesc(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(n == 'n' ? '\n' : n);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    lock.lock();
    try {
      closed = true;
      if (pubsub != null) {
        pubsub.close();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the subscription: {0}", RedisStore.cause(e));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "RedisRevocationRegistry["
        + store.where()
        + ", "
        + size()
        + " entries, bound "
        + bound
        + (isCurrent() ? "" : ", NOT CURRENT")
        + "]";
  }

  /** Configures a {@link RedisRevocationRegistry}; each option can be set once. Not thread-safe. */
  public static final class Builder {
    private final RedisStore store;
    private InstantSource clock;
    private Duration bound;
    private Duration heartbeat;
    private Duration retention;
    private Integer maxEntries;
    private Duration settle;
    private Consumer<Duration> lagListener;

    private Builder(RedisStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** The clock staleness is measured on; the system clock by default. */
    public Builder clock(InstantSource clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How old the last confirmation of the local copy may be before every grant is refused with
     * {@code UNAVAILABLE} (3 s by default). Shorter refuses sooner when Redis is unreachable, at
     * the cost of more heartbeats and of refusing during brief network trouble.
     */
    public Builder stalenessBound(Duration bound) {
      once(this.bound, "stalenessBound");
      this.bound = positive(bound, "stalenessBound");
      return this;
    }

    /** How often the copy is confirmed (a fifth of the bound by default, at least 20 ms). */
    public Builder heartbeat(Duration heartbeat) {
      once(this.heartbeat, "heartbeat");
      this.heartbeat = positive(heartbeat, "heartbeat");
      return this;
    }

    /**
     * How long an entry is kept after its {@code notAfter} (one minute by default); must exceed
     * every verifier's clock skew.
     */
    public Builder retention(Duration retention) {
      once(this.retention, "retention");
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    /** The most entries the local copy holds (one million by default); beyond, not current. */
    public Builder maxEntries(int maxEntries) {
      once(this.maxEntries, "maxEntries");
      if (maxEntries <= 0) {
        throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
      }
      this.maxEntries = maxEntries;
      return this;
    }

    /**
     * After an outage, how long Redis must answer again before the copy is read and confirmed (by
     * default twice the store's longest reconnection delay, 1 s, plus a heartbeat): time for a
     * process whose revocation failed during the outage to write it, so that no verifier permits a
     * grant it ends. Every process sharing the store should use the same heartbeat.
     */
    public Builder recoverySettle(Duration settle) {
      once(this.settle, "recoverySettle");
      Objects.requireNonNull(settle, "recoverySettle");
      if (settle.isNegative()) {
        throw new IllegalArgumentException("recoverySettle must not be negative, was " + settle);
      }
      this.settle = settle;
      return this;
    }

    /**
     * Told, for every revocation message this registry receives (its own included), how long after
     * it was written it arrived: this process's clock now minus the writing process's clock at the
     * write, so clock skew between hosts adds to it (a negative difference is reported as zero).
     * The revocation propagation lag — the window in which another process may still permit what
     * was revoked (bounded anyway by the staleness bound). {@code exec-authz-otel}'s {@code
     * OtelRevocationLag} turns it into the histogram {@code exec_authz.revocation.propagation_lag}.
     * Called on the Redis client's event loop: it must be quick and must not block; one that throws
     * is logged and ignored. Messages from writers of an earlier version carry no write time and
     * are not measured. Default: not measured.
     */
    public Builder onPropagationLag(Consumer<Duration> listener) {
      once(this.lagListener, "onPropagationLag");
      this.lagListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Subscribes and reads the live entries. Never fails because Redis is unreachable: the registry
     * is then not current (every grant refused) until a heartbeat catches up.
     *
     * @throws IllegalStateException if the heartbeat is not shorter than the staleness bound
     */
    public RedisRevocationRegistry build() {
      return new RedisRevocationRegistry(this);
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " is already set");
      }
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }
  }
}
