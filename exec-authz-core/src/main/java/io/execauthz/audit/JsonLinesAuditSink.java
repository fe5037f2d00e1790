package io.execauthz.audit;

import io.execauthz.spi.AuditSink;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AuditSink} that appends every record to a hash-chained JSON-lines file, so that a
 * security team can later prove with {@link AuditLogVerifier} (or {@code exec-authz audit verify})
 * that no record was edited, inserted, removed or reordered — and, given the {@link #head()} kept
 * somewhere else, that none was cut from the end.
 *
 * <pre>{@code
 * try (JsonLinesAuditSink audit =
 *     JsonLinesAuditSink.newBuilder(Path.of("audit.jsonl")).fsync(true).build()) {
 *   // hand it to the authorizer; every decision becomes one line
 *   String head = audit.head(); // publish or store it elsewhere to detect a cut tail
 * }
 * }</pre>
 *
 * <p>Each line is one JSON object with the fields {@code seq} (1, 2, 3, …), {@code prev} (the
 * lowercase hex SHA-256 of the previous line's UTF-8 bytes without its newline; 64 zeros for the
 * first record), {@code time} (ISO-8601), {@code decisionId}, {@code path}, {@code principal},
 * {@code delegators}, {@code action}, {@code resource}, {@code decision} ({@code PERMIT} or {@code
 * DENY}), {@code reason}, {@code detail}, {@code policies}, {@code grant} and {@code traceparent},
 * always in that order, then {@code argsSha256} when the record has it and {@code cut} when fields
 * had to be cut. Strings are escaped so that hostile text (quotes, newlines, control characters,
 * U+2028) can neither break a line nor forge a field.
 *
 * <p>The file is only ever appended to, one write per record; with {@link Builder#fsync fsync} each
 * write is forced to storage before {@link #record} returns. Opening an existing log continues its
 * chain from its last line; a log whose last line is incomplete or not a record is refused — never
 * truncated or repaired — because that is what a crash mid-write or tampering looks like and a
 * person has to decide. A record whose line would exceed 1 MiB is still written, with its longest
 * fields cut and marked (see {@link #record}), so every decision is audited; a file already open by
 * another sink is refused. If a write fails, the sink refuses every later record: the file may end
 * with a partial line that only a person should deal with.
 *
 * <p>With {@link Builder#checkpoints} the sink also signs its head (Ed25519) into a checkpoints
 * file next to the log — at open, every N records, optionally every T, on {@link #checkpoint()} and
 * at close — so that {@link AuditLogVerifier#verify(Path, Path, AuditTrustedKeys)} detects a cut
 * tail or a rewritten log without a head kept elsewhere. Signing runs on a daemon thread of the
 * sink's own, so no decision waits for it.
 *
 * <p>Thread-safe: records from any number of threads are serialised under one lock, in call order.
 * One sink per file (enforced with a file lock); other processes must not write to the file or its
 * checkpoints file.
 */
public final class JsonLinesAuditSink implements AuditSink, Closeable {
  private static final byte NEWLINE = '\n';

  private static final System.Logger LOG = System.getLogger(JsonLinesAuditSink.class.getName());

  private final Path file;
  private final boolean fsync;
  private final FileChannel channel;
  private final FileLock fileLock;
  private final ReentrantLock lock = new ReentrantLock();

  // checkpoints (all null/0 when not signing)
  private final AuditSigningKey key;
  private final Path checkpointFile;
  private final FileChannel checkpointChannel;
  private final int checkpointEveryRecords;
  private final Clock clock;
  private final ScheduledExecutorService timer; // signs off the decision path
  private final ReentrantLock checkpointLock =
      new ReentrantLock(); // taken before lock, never after

  // guarded by lock
  private final MessageDigest digest = AuditLogFormat.sha256();
  private long seq;
  private String head;
  private long requestedSeq; // the seq of the last checkpoint asked of the timer

  // guarded by checkpointLock
  private long checkpointedSeq = -1; // the seq of the last checkpoint in the sidecar
  private boolean checkpointsOpen;
  private boolean closed;
  private Throwable failure;

  private JsonLinesAuditSink(Builder b) throws IOException {
    Path file = b.file;
    this.file = file;
    this.fsync = b.fsync != null && b.fsync;
    this.key = b.key;
    this.checkpointEveryRecords = b.everyRecords == null ? DEFAULT_EVERY_RECORDS : b.everyRecords;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    try {
      // Lock one byte far beyond any end of file: it keeps a second sink out without blocking
      // readers (such as a verifier) on platforms where locks are mandatory.
      FileLock l;
      try {
        l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        throw new IOException(file + ": already open by another audit sink");
      }
      this.fileLock = l;
      recoverChain();
    } catch (IOException | RuntimeException | Error e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.channel = ch;
    if (key == null) {
      this.checkpointFile = null;
      this.checkpointChannel = null;
      this.timer = null;
      return;
    }
    this.checkpointFile =
        b.checkpointFile != null
            ? b.checkpointFile
            : file.resolveSibling(file.getFileName() + ".checkpoints");
    FileChannel cp = null;
    try {
      cp =
          FileChannel.open(
              checkpointFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND);
      this.checkpointChannel = cp;
      recoverCheckpoints();
      checkpointsOpen = true;
      requestedSeq = seq;
      writeCheckpoint(seq, head); // sign what was found, so a later cut below it shows
    } catch (IOException | RuntimeException | Error e) {
      try {
        if (cp != null) {
          cp.close();
        }
        fileLock.release();
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "exec-authz-audit-checkpoints " + file.getFileName());
              th.setDaemon(true);
              return th;
            });
    if (b.every != null) {
      long ms = Math.max(1, b.every.toMillis());
      t.scheduleWithFixedDelay(this::timedCheckpoint, ms, ms, TimeUnit.MILLISECONDS);
    }
    this.timer = t;
  }

  /** The default number of records between two checkpoints. */
  static final int DEFAULT_EVERY_RECORDS = 1_000;

  /**
   * Reads the checkpoints file's last line, refusing a torn one or one that signs more records than
   * the log holds, or another head at this length: the log was cut or rewritten since.
   */
  private void recoverCheckpoints() throws IOException {
    try (FileChannel in = FileChannel.open(checkpointFile, StandardOpenOption.READ)) {
      long size = in.size();
      if (size == 0) {
        return;
      }
      if (readByte(in, size - 1) != NEWLINE) {
        throw new IOException(
            checkpointFile
                + ": the last checkpoint is incomplete (no trailing newline); refusing to append to"
                + " a damaged checkpoints file");
      }
      long end = size - 1;
      long start = end;
      while (start > 0 && end - start <= AuditCheckpoints.MAX_LINE_BYTES) {
        if (readByte(in, start - 1) == NEWLINE) {
          break;
        }
        start--;
      }
      byte[] line = new byte[(int) Math.min(end - start, AuditCheckpoints.MAX_LINE_BYTES + 1)];
      readFully(in, ByteBuffer.wrap(line), start);
      AuditCheckpoints.Checkpoint last;
      try {
        last = AuditCheckpoints.parseUnverified(new String(line, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new IOException(
            checkpointFile + ": the last line is not a checkpoint (" + e.getMessage() + ")", e);
      }
      if (last.seq() > seq || (last.seq() == seq && !last.head().equals(head))) {
        throw new IOException(
            file
                + ": does not match its last signed checkpoint in "
                + checkpointFile
                + " (which covers "
                + last.seq()
                + " records; the log has "
                + seq
                + "): the log was cut or rewritten; refusing to append");
      }
      checkpointedSeq = last.seq();
    }
  }

  /**
   * Signs that the log had {@code atSeq} records ending in {@code atHead}, unless a checkpoint
   * already covers as many. Called with {@link #checkpointLock} held (or in the constructor).
   */
  private void writeCheckpoint(long atSeq, String atHead) throws IOException {
    if (atSeq <= checkpointedSeq || !checkpointsOpen) {
      return;
    }
    // The records a checkpoint signs reach storage before it does, so that a power loss cannot
    // leave a checkpoint that signs records the log lost (which would read as a cut tail).
    channel.force(false);
    byte[] bytes =
        (AuditCheckpoints.line(key, atSeq, atHead, clock.instant()) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      checkpointChannel.write(buf);
    }
    if (fsync) {
      checkpointChannel.force(false);
    }
    checkpointedSeq = atSeq;
  }

  /** A checkpoint on the timer's thread; a failure stops the sink (later records are refused). */
  private void checkpointTask(long atSeq, String atHead) {
    checkpointLock.lock();
    try {
      writeCheckpoint(atSeq, atHead);
    } catch (IOException | RuntimeException e) {
      fail(e);
    } finally {
      checkpointLock.unlock();
    }
  }

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
        "audit checkpoint to " + checkpointFile + " failed; the sink refuses later records",
        e);
  }

  private void timedCheckpoint() {
    long atSeq;
    String atHead;
    lock.lock();
    try {
      if (closed || failure != null) {
        return;
      }
      atSeq = seq;
      atHead = head;
    } finally {
      lock.unlock();
    }
    checkpointTask(atSeq, atHead);
  }

  /**
   * Signs the current head into the checkpoints file now, unless the last checkpoint already covers
   * it — for an application that wants the tail signed at moments of its choosing (before a backup,
   * at the end of a run).
   *
   * @throws IllegalStateException if the sink does not sign checkpoints, is closed, or failed
   * @throws IOException if the checkpoint cannot be written; the sink then refuses later records
   */
  public void checkpoint() throws IOException {
    if (key == null) {
      throw new IllegalStateException(
          "audit sink for " + file + " does not sign checkpoints (no checkpoint key was set)");
    }
    checkpointLock.lock();
    try {
      long atSeq;
      String atHead;
      lock.lock();
      try {
        checkOpen();
        atSeq = seq;
        atHead = head;
      } finally {
        lock.unlock();
      }
      try {
        writeCheckpoint(atSeq, atHead);
      } catch (IOException | RuntimeException e) {
        fail(e);
        throw e;
      }
    } finally {
      checkpointLock.unlock();
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

  /** Starts building a sink that appends to {@code file} (created if absent). */
  public static Builder newBuilder(Path file) {
    return new Builder(Objects.requireNonNull(file, "file"));
  }

  /** Reads the last line of an existing log to continue its chain; refuses a damaged tail. */
  private void recoverChain() throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      if (size == 0) {
        seq = 0;
        head = AuditLogFormat.GENESIS;
        return;
      }
      if (readByte(in, size - 1) != NEWLINE) {
        throw new IOException(
            file
                + ": line "
                + (countNewlines(in, size) + 1)
                + " is incomplete (no trailing newline); refusing to append to a damaged log");
      }
      long end = size - 1; // the last line is [start, end)
      long start = lastLineStart(in, end);
      if (start < 0) {
        throw new IOException(
            file
                + ": line "
                + countNewlines(in, size)
                + " is longer than "
                + AuditLogFormat.MAX_LINE_BYTES
                + " bytes; refusing to append to a damaged log");
      }
      byte[] line = new byte[(int) (end - start)];
      readFully(in, ByteBuffer.wrap(line), start);
      AuditLogFormat.Link link;
      try {
        link = AuditLogFormat.parse(line, line.length);
      } catch (IllegalArgumentException e) {
        throw new IOException(
            file
                + ": line "
                + countNewlines(in, size)
                + " is not an audit record ("
                + e.getMessage()
                + "); refusing to append to a damaged log",
            e);
      }
      seq = link.seq();
      head = AuditLogFormat.hash(digest, line, line.length);
    }
  }

  /** Where the line ending just before {@code end} starts, or -1 if it is too long. */
  private static long lastLineStart(FileChannel in, long end) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    long pos = end;
    while (pos > 0) {
      int n = (int) Math.min(buf.capacity(), pos);
      buf.clear().limit(n);
      readFully(in, buf, pos - n);
      for (int i = n - 1; i >= 0; i--) {
        if (buf.get(i) == NEWLINE) {
          long start = pos - n + i + 1;
          return end - start > AuditLogFormat.MAX_LINE_BYTES ? -1 : start;
        }
      }
      pos -= n;
      if (end - pos > AuditLogFormat.MAX_LINE_BYTES) {
        return -1;
      }
    }
    return 0;
  }

  private static byte readByte(FileChannel in, long at) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    readFully(in, one, at);
    return one.get(0);
  }

  private static void readFully(FileChannel in, ByteBuffer buf, long at) throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      int n = in.read(buf, pos);
      if (n < 0) {
        throw new IOException("the file shrank while it was being read");
      }
      pos += n;
    }
  }

  private static long countNewlines(FileChannel in, long size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long count = 0;
    for (long pos = 0; pos < size; ) {
      buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
      readFully(in, buf, pos);
      for (int i = 0; i < buf.limit(); i++) {
        if (buf.get(i) == NEWLINE) {
          count++;
        }
      }
      pos += buf.limit();
    }
    return count;
  }

  /**
   * Appends {@code record} as the next line of the chain (and forces it to storage with {@code
   * fsync}) before returning.
   *
   * <p>A record whose line would exceed 1 MiB is still written: each field longer than 64 KiB is
   * cut to its first characters followed by {@code …[cut: N chars, sha256 H]} (H the SHA-256 of the
   * whole value) and named in the line's {@code cut} array.
   *
   * @throws IllegalStateException after {@link #close()}, or after an earlier write failed
   * @throws IOException if the write fails; the sink then refuses every later record
   */
  @Override
  public void record(AuditRecord record) throws IOException {
    Objects.requireNonNull(record, "record");
    long dueSeq = -1;
    String dueHead = null;
    lock.lock();
    try {
      checkOpen();
      byte[] bytes = AuditLogFormat.lineBytes(seq + 1, head, record);
      if (bytes.length - 1 > AuditLogFormat.MAX_LINE_BYTES) {
        // Rare: cut the oversized fields (marked, with their hashes) rather than lose the record.
        String text = AuditLogFormat.cutLine(seq + 1, head, record);
        bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
      }
      int len = bytes.length - 1; // the hash covers the line without its newline
      String hash = AuditLogFormat.hash(digest, bytes, len);
      try {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
        if (fsync) {
          channel.force(false);
        }
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
        throw e;
      }
      seq++;
      head = hash;
      if (key != null && seq - requestedSeq >= checkpointEveryRecords) {
        requestedSeq = seq;
        dueSeq = seq;
        dueHead = hash;
      }
    } finally {
      lock.unlock();
    }
    if (dueSeq >= 0) {
      // Signed on the sink's own thread, so no decision waits for Ed25519 or the fsync before it;
      // a failure there stops later records. After close began, close signs the head instead.
      long atSeq = dueSeq;
      String atHead = dueHead;
      try {
        timer.execute(() -> checkpointTask(atSeq, atHead));
      } catch (RejectedExecutionException closing) {
        // close() is signing the head
      }
    }
  }

  /**
   * The head of the chain: the lowercase hex SHA-256 of the last line written (or found when the
   * log was opened), or 64 zeros for an empty log. Kept outside the log, it lets {@link
   * AuditLogVerifier#verify(Path, String)} detect records cut from the end.
   */
  public String head() {
    lock.lock();
    try {
      return head;
    } finally {
      lock.unlock();
    }
  }

  /** The file this sink appends to. */
  public Path file() {
    return file;
  }

  /**
   * Releases the file and refuses later records. Idempotent. (Durability is {@link Builder#fsync}'s
   * business: with it every record is already on storage; without it the operating system writes
   * the rest back.)
   */
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
      if (key != null) {
        drainTimer();
        checkpointLock.lock();
        try {
          boolean failed;
          lock.lock();
          try {
            failed = failure != null;
          } finally {
            lock.unlock();
          }
          if (!failed) {
            writeCheckpoint(atSeq, atHead); // the tail, signed at close
          }
        } finally {
          checkpointsOpen = false;
          checkpointLock.unlock();
          checkpointChannel.close();
        }
      }
    } finally {
      lock.lock();
      try {
        fileLock.release();
      } finally {
        try {
          channel.close();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Lets the checkpoints already asked for be written, then stops the timer. */
  private void drainTimer() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(1, TimeUnit.MINUTES)) {
        timer.shutdownNow();
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The signed checkpoints file, if the sink signs checkpoints. */
  public Optional<Path> checkpointFile() {
    return Optional.ofNullable(checkpointFile);
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

    private Builder(Path file) {
      this.file = file;
    }

    /**
     * Whether to force every record to storage before {@link JsonLinesAuditSink#record} returns
     * (default {@code false}: the operating system writes it back later, so a power loss can lose
     * the last records, which a head kept elsewhere would reveal).
     */
    public Builder fsync(boolean fsync) {
      if (this.fsync != null) {
        throw new IllegalStateException("fsync was already set to " + this.fsync);
      }
      this.fsync = fsync;
      return this;
    }

    /**
     * Signs the log's head with {@code key} into a checkpoints file (see {@link
     * AuditLogVerifier#verify(Path, Path, AuditTrustedKeys)}): when the sink opens, every {@link
     * #checkpointEveryRecords} records, every {@link #checkpointEvery} if set, on {@link
     * JsonLinesAuditSink#checkpoint()}, and at {@link JsonLinesAuditSink#close()}. With them a
     * verifier holding the public key detects a cut tail or a rewritten log without a head kept
     * elsewhere. Default: no checkpoints.
     */
    public Builder checkpoints(AuditSigningKey key) {
      if (this.key != null) {
        throw new IllegalStateException("checkpoints was already set to " + this.key);
      }
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Where checkpoints go (default: the log's path with {@code .checkpoints} appended). */
    public Builder checkpointFile(Path checkpointFile) {
      if (this.checkpointFile != null) {
        throw new IllegalStateException("checkpointFile was already set to " + this.checkpointFile);
      }
      this.checkpointFile = Objects.requireNonNull(checkpointFile, "checkpointFile");
      return this;
    }

    /** Sign a checkpoint after every {@code records} records (default 1,000; at least 1). */
    public Builder checkpointEveryRecords(int records) {
      if (this.everyRecords != null) {
        throw new IllegalStateException(
            "checkpointEveryRecords was already set to " + this.everyRecords);
      }
      if (records < 1) {
        throw new IllegalArgumentException(
            "checkpointEveryRecords must be at least 1, was " + records);
      }
      this.everyRecords = records;
      return this;
    }

    /**
     * Also sign, on a background daemon thread of the sink's own, whenever {@code interval} has
     * passed with records not yet signed, so an idle log's last records are signed too (default: no
     * timer).
     */
    public Builder checkpointEvery(Duration interval) {
      if (this.every != null) {
        throw new IllegalStateException("checkpointEvery was already set to " + this.every);
      }
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("checkpointEvery must be positive, was " + interval);
      }
      this.every = interval;
      return this;
    }

    /** The clock that dates checkpoints (default: the system clock, UTC). */
    public Builder clock(Clock clock) {
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set to " + this.clock);
      }
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens (or creates) the file and recovers the chain from its last line.
     *
     * @throws IOException if the file cannot be opened, is open by another sink, or its last line
     *     is incomplete or not a record (the message names the file and line; the file is left
     *     untouched); with checkpoints, also if the checkpoints file's last line is incomplete or
     *     signs more records than the log holds (or another head): the log was cut or rewritten
     */
    public JsonLinesAuditSink build() throws IOException {
      if (key == null && (checkpointFile != null || everyRecords != null || every != null)) {
        throw new IllegalStateException(
            "checkpointFile, checkpointEveryRecords and checkpointEvery need checkpoints(key)");
      }
      return new JsonLinesAuditSink(this);
    }
  }
}
