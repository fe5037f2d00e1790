package io.execauthz.audit;

import io.execauthz.spi.AuditSink;
import io.execauthz.spi.SetOnce;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AuditSink} that appends every record to a hash-chained JSON-lines file, so that a
 * security team can later prove with {@link AuditLogVerifier} (or {@code exec-authz audit verify})
 * that no record was edited, inserted, removed or reordered — and, given the {@link #head()} kept
 * somewhere else or signed {@link Builder#checkpoints checkpoints}, that none was cut from the end.
 * The {@linkplain io.execauthz.audit package documentation} spells the format out.
 *
 * <p>Append-only, one write per record ({@link Builder#fsync fsync}: forced to storage before
 * {@link #record} returns). Opening a log continues its chain; a log whose last line is incomplete
 * or not a record is refused, never repaired — a crash mid-write or tampering, for a person to
 * judge. A line over 1 MiB is still written, its longest fields cut and marked ({@link #record});
 * after a failed write every later record is refused. Checkpoints are signed on a daemon thread of
 * the sink's own, so no decision waits for Ed25519.
 *
 * <p>Thread-safe: records from any number of threads are serialised under one lock, in call order.
 * One sink per file (enforced with a file lock); other processes must not write to the file or its
 * checkpoints file.
 */
public final class JsonLinesAuditSink implements AuditSink, Closeable {
  private static final System.Logger LOG = System.getLogger(JsonLinesAuditSink.class.getName());

  /** The default number of records between two checkpoints. */
  static final int DEFAULT_EVERY_RECORDS = 1_000;

  private final Path file;
  private final boolean fsync;
  private final LogFiles.Locked log; // the file, locked against other sinks
  private final ReentrantLock lock = new ReentrantLock();
  private final CheckpointWriter checkpoints; // null when not signing; its lock before ours
  private final int checkpointEveryRecords;
  private final Set<String> redact; // lower case; null: arguments are not kept

  // guarded by lock
  private final MessageDigest digest = AuditLogFormat.sha256();
  private long seq;
  private String head;
  private long requestedSeq; // the seq of the last checkpoint asked of the writer
  private boolean closed;
  private Throwable failure;

  private JsonLinesAuditSink(Builder b) throws IOException {
    this.file = b.file;
    this.fsync = b.fsync != null && b.fsync;
    this.checkpointEveryRecords = b.everyRecords == null ? DEFAULT_EVERY_RECORDS : b.everyRecords;
    this.redact =
        !Boolean.TRUE.equals(b.keepArguments) ? null : b.redact == null ? Set.of() : b.redact;
    LogFiles.Locked opened = LogFiles.openLocked(file);
    try {
      LogFiles.Chain chain = LogFiles.chain(file, digest);
      seq = chain.seq();
      head = chain.head();
      requestedSeq = seq;
      this.checkpoints =
          b.key == null
              ? null
              : CheckpointWriter.open(
                  file, opened.channel(), chain, b.checkpointFile, b.key, fsync, b.clock);
    } catch (IOException | RuntimeException | Error e) {
      try {
        opened.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.log = opened;
    if (checkpoints != null && b.every != null) {
      checkpoints.every(b.every, this::liveChain, this::fail);
    }
  }

  /** Starts building a sink that appends to {@code file} (created if absent). */
  public static Builder newBuilder(Path file) {
    return new Builder(Objects.requireNonNull(file, "file"));
  }

  /**
   * Appends {@code record} as the next line of the chain (forced to storage with {@code fsync})
   * before returning. A line over 1 MiB is still written: each field over 64 KiB is cut to its
   * start and {@code …[cut: N chars, sha256 H]} (H: the whole value's SHA-256), named in {@code
   * cut}.
   *
   * @throws IllegalStateException after {@link #close()}, or after an earlier write failed
   * @throws IOException if the write fails; the sink then refuses every later record
   */
  @Override
  public void record(AuditRecord record) throws IOException {
    Objects.requireNonNull(record, "record");
    long dueSeq = -1;
    String dueHead = null;
    AuditArguments.Kept kept = AuditArguments.kept(record, redact);
    lock.lock();
    try {
      checkOpen();
      byte[] bytes = AuditLineCuts.lineBytesWithin(seq + 1, head, kept.record(), kept.redacted());
      int len = bytes.length - 1; // the hash covers the line without its newline
      String hash = AuditLogFormat.hash(digest, bytes, len);
      try {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          log.channel().write(buf);
        }
        if (fsync) {
          log.channel().force(false);
        }
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
        throw e;
      }
      seq++;
      head = hash;
      if (checkpoints != null && seq - requestedSeq >= checkpointEveryRecords) {
        requestedSeq = seq;
        dueSeq = seq;
        dueHead = hash;
      }
    } finally {
      lock.unlock();
    }
    if (dueSeq >= 0) {
      // Signed on the writer's own thread, so no decision waits for Ed25519 or the fsync before
      // it; a failure there stops later records.
      checkpoints.writeLater(dueSeq, dueHead, this::fail);
    }
  }

  /**
   * Signs the current head into the checkpoints file now (unless the last checkpoint covers it), at
   * moments of the application's choosing: before a backup, at the end of a run.
   *
   * @throws IllegalStateException if the sink does not sign checkpoints, is closed, or failed
   * @throws IOException if the checkpoint cannot be written; the sink then refuses later records
   */
  public void checkpoint() throws IOException {
    if (checkpoints == null) {
      throw new IllegalStateException(
          "audit sink for " + file + " does not sign checkpoints (no checkpoint key was set)");
    }
    checkpoints.writeNow(this::openChain, this::fail);
  }

  /** The chain now; refuses if the sink is closed or failed. */
  private LogFiles.Chain openChain() {
    lock.lock();
    try {
      checkOpen();
      return new LogFiles.Chain(seq, head);
    } finally {
      lock.unlock();
    }
  }

  /** The chain now, or null once the sink is closed or failed (for the timer). */
  private LogFiles.Chain liveChain() {
    lock.lock();
    try {
      return closed || failure != null ? null : new LogFiles.Chain(seq, head);
    } finally {
      lock.unlock();
    }
  }

  /** A checkpoint failed: the sink refuses later records. */
  private void fail(Exception e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
    } finally {
      lock.unlock();
    }
    LOG.log(
        System.Logger.Level.ERROR,
        "audit checkpoint to " + checkpoints.file() + " failed; the sink refuses later records",
        e);
  }

  private boolean failed() {
    lock.lock();
    try {
      return failure != null;
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("audit sink for " + file + " is closed");
    }
    if (failure != null) {
      throw new IllegalStateException(
          "audit sink for " + file + " failed on an earlier write; the log needs inspection",
          failure);
    }
  }

  /**
   * The head: the hex SHA-256 of the last line (64 zeros for an empty log). Kept outside the log,
   * it lets {@link AuditLogVerifier#verify(Path, String)} detect records cut from the end.
   */
  public String head() {
    lock.lock();
    try {
      return head;
    } finally {
      lock.unlock();
    }
  }

  /** Whether records carry the call's arguments ({@link Builder#keepArguments}). */
  @Override
  public boolean keepsArguments() {
    return redact != null;
  }

  /** The file this sink appends to. */
  public Path file() {
    return file;
  }

  /** The signed checkpoints file, if the sink signs checkpoints. */
  public Optional<Path> checkpointFile() {
    return checkpoints == null ? Optional.empty() : Optional.of(checkpoints.file());
  }

  /** Releases the file and refuses later records; idempotent (durability is {@code fsync}'s). */
  @Override
  public void close() throws IOException {
    long atSeq;
    String atHead;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true; // no record is written from here on
      atSeq = seq;
      atHead = head;
    } finally {
      lock.unlock();
    }
    try {
      if (checkpoints != null) {
        checkpoints.close(atSeq, atHead, this::failed);
      }
    } finally {
      lock.lock();
      try {
        log.close();
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "JsonLinesAuditSink[" + file + "]";
  }

  /**
   * Configures a {@link JsonLinesAuditSink}. Each option may be set once; setting it again throws
   * {@link IllegalStateException} naming the option.
   *
   * <p>Not thread-safe: configure on one thread.
   */
  public static final class Builder {
    private final Path file;
    private Boolean fsync;
    private AuditSigningKey key;
    private Path checkpointFile;
    private Integer everyRecords;
    private Duration every;
    private Clock clock;
    private Boolean keepArguments;
    private Set<String> redact;

    private Builder(Path file) {
      this.file = file;
    }

    /**
     * Whether to force every record to storage before {@link JsonLinesAuditSink#record} returns
     * (default {@code false}: the operating system writes it back later, so a power loss can lose
     * the last records, which a head kept elsewhere would reveal).
     */
    public Builder fsync(boolean fsync) {
      SetOnce.once(this.fsync, "fsync");
      this.fsync = fsync;
      return this;
    }

    /**
     * Signs the log's head with {@code key} into a checkpoints file (see {@link
     * AuditLogVerifier#verify(Path, Path, AuditTrustedKeys)}) at open, every {@link
     * #checkpointEveryRecords} records, every {@link #checkpointEvery} if set, on {@link
     * JsonLinesAuditSink#checkpoint()} and at close. Default: no checkpoints.
     */
    public Builder checkpoints(AuditSigningKey key) {
      SetOnce.once(this.key, "checkpoints");
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Where checkpoints go (default: the log's path with {@code .checkpoints} appended). */
    public Builder checkpointFile(Path checkpointFile) {
      SetOnce.once(this.checkpointFile, "checkpointFile");
      this.checkpointFile = Objects.requireNonNull(checkpointFile, "checkpointFile");
      return this;
    }

    /** Sign a checkpoint after every {@code records} records (default 1,000; at least 1). */
    public Builder checkpointEveryRecords(int records) {
      SetOnce.once(this.everyRecords, "checkpointEveryRecords");
      if (records < 1) {
        throw new IllegalArgumentException(
            "checkpointEveryRecords must be at least 1, was " + records);
      }
      this.everyRecords = records;
      return this;
    }

    /** Also sign whenever {@code interval} passed with records unsigned (default: no timer). */
    public Builder checkpointEvery(Duration interval) {
      SetOnce.once(this.every, "checkpointEvery");
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("checkpointEvery must be positive, was " + interval);
      }
      this.every = interval;
      return this;
    }

    /**
     * Keeps each call's arguments in its record ({@code args}, canonical JSON) so that {@code
     * exec-authz policy replay} can re-decide records under policies that read them. Default: off,
     * a record keeps only {@code argsSha256}: arguments may hold customer data or secrets.
     */
    public Builder keepArguments(boolean keep) {
      SetOnce.once(this.keepArguments, "keepArguments");
      this.keepArguments = keep;
      return this;
    }

    /**
     * With {@link #keepArguments}, replaces the value of these keys (at any depth, in any letter
     * case) by {@code "[redacted]"} — not by a hash, which would let a reader test guesses of a
     * short secret — and names the top-level arguments so touched in {@code redacted}.
     */
    public Builder redact(String... keys) {
      SetOnce.once(this.redact, "redact");
      this.redact = AuditArguments.lowerKeys(keys);
      return this;
    }

    /** The clock that dates checkpoints (default: the system clock, UTC). */
    public Builder clock(Clock clock) {
      SetOnce.once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens (or creates) the file and recovers the chain from its last line.
     *
     * @throws IOException if the file cannot be opened, is open by another sink, or its last line
     *     (or its checkpoints file's) is incomplete or not a record, or the checkpoints sign more
     *     records than the log holds or another head (the message names the file and line)
     */
    public JsonLinesAuditSink build() throws IOException {
      if (key == null && (checkpointFile != null || everyRecords != null || every != null)) {
        throw new IllegalStateException(
            "checkpointFile, checkpointEveryRecords and checkpointEvery need checkpoints(key)");
      }
      if (redact != null && (keepArguments == null || !keepArguments)) {
        throw new IllegalStateException("redact needs keepArguments(true)");
      }
      return new JsonLinesAuditSink(this);
    }
  }
}
