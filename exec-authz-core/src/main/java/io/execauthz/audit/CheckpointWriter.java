package io.execauthz.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The signing half of {@link JsonLinesAuditSink}: appends signed checkpoints of the log's head to
 * the checkpoints file, on the sink's own daemon thread when a decision must not wait for Ed25519
 * or an fsync. Opening it checks the checkpoints file against the log (a checkpoint that signs more
 * records than the log holds, or another head, means the log was cut or rewritten) and signs what
 * was found.
 *
 * <p>Thread-safe: every write is under {@link #lock}, which the sink takes before its own lock,
 * never after. Checkpoints only ever move forward: one that covers no more records than the last is
 * skipped.
 */
final class CheckpointWriter {
  private final Path file;
  private final FileChannel log; // forced before each checkpoint
  private final FileChannel channel;
  private final AuditSigningKey key;
  private final boolean fsync;
  private final Clock clock;
  private final ScheduledExecutorService timer; // signs off the decision path

  /** Guards the checkpoints file; taken before the sink's lock, never after. */
  final ReentrantLock lock = new ReentrantLock();

  // guarded by lock
  private long checkpointedSeq = -1; // the seq of the last checkpoint in the file
  private boolean open;

  private CheckpointWriter(
      Path file,
      FileChannel log,
      FileChannel channel,
      AuditSigningKey key,
      boolean fsync,
      Clock clock,
      String threadName) {
    this.file = file;
    this.log = log;
    this.channel = channel;
    this.key = key;
    this.fsync = fsync;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, threadName);
              th.setDaemon(true);
              return th;
            });
  }

  /**
   * Opens (or creates) {@code file} (null: the log's path with {@code .checkpoints} appended),
   * checks its last checkpoint against the log's {@code chain} and signs the chain as found, so
   * that a later cut below it shows.
   *
   * @throws IOException if the file cannot be opened or written, its last line is incomplete or not
   *     a checkpoint, or it signs more records than the log holds or another head
   */
  static CheckpointWriter open(
      Path logFile,
      FileChannel log,
      LogFiles.Chain chain,
      Path file,
      AuditSigningKey key,
      boolean fsync,
      Clock clock)
      throws IOException {
    if (file == null) {
      file = logFile.resolveSibling(logFile.getFileName() + ".checkpoints");
    }
    if (clock == null) {
      clock = Clock.systemUTC();
    }
    FileChannel cp =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    try {
      AuditCheckpoints.Checkpoint last = LogFiles.lastCheckpoint(file);
      if (last != null
          && (last.seq() > chain.seq()
              || (last.seq() == chain.seq() && !last.head().equals(chain.head())))) {
        throw new IOException(
            logFile
                + ": does not match its last signed checkpoint in "
                + file
                + " (which covers "
                + last.seq()
                + " records; the log has "
                + chain.seq()
                + "): the log was cut or rewritten; refusing to append");
      }
      CheckpointWriter w =
          new CheckpointWriter(
              file,
              log,
              cp,
              key,
              fsync,
              clock,
              "exec-authz-audit-checkpoints " + logFile.getFileName());
      w.checkpointedSeq = last == null ? -1 : last.seq();
      w.open = true;
      try {
        w.write(chain.seq(), chain.head());
      } catch (IOException | RuntimeException | Error e) {
        w.timer.shutdownNow();
        throw e;
      }
      return w;
    } catch (IOException | RuntimeException | Error e) {
      try {
        cp.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Every {@code interval}, on the writer's thread, signs the {@code chain} of the moment (none
   * while it is null: the sink is closed or failed).
   */
  void every(Duration interval, Supplier<LogFiles.Chain> chain, Consumer<Exception> onFailure) {
    long ms = Math.max(1, interval.toMillis());
    Runnable tick =
        () -> {
          LogFiles.Chain c = chain.get();
          if (c != null) {
            writeOrFail(c.seq(), c.head(), onFailure);
          }
        };
    timer.scheduleWithFixedDelay(tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Signs the {@code chain} of the moment now, read under {@link #lock} so that close cannot slip
   * in between; a failure goes to {@code onFailure} and is thrown.
   */
  void writeNow(Supplier<LogFiles.Chain> chain, Consumer<Exception> onFailure) throws IOException {
    lock.lock();
    try {
      LogFiles.Chain c = chain.get();
      try {
        write(c.seq(), c.head());
      } catch (IOException | RuntimeException e) {
        onFailure.accept(e);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Signs that the log had {@code atSeq} records ending in {@code atHead}, unless a checkpoint
   * already covers as many or the writer is closed. The caller holds {@link #lock}.
   */
  void write(long atSeq, String atHead) throws IOException {
    if (atSeq <= checkpointedSeq || !open) {
      return;
    }
    // The records a checkpoint signs reach storage before it does, so that a power loss cannot
    // leave a checkpoint that signs records the log lost (which would read as a cut tail).
    log.force(false);
    byte[] bytes =
        (AuditCheckpoints.line(key, atSeq, atHead, clock.instant()) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    if (fsync) {
      channel.force(false);
    }
    checkpointedSeq = atSeq;
  }

  /** {@link #write} under {@link #lock}; a failure goes to {@code onFailure}. */
  void writeOrFail(long atSeq, String atHead, Consumer<Exception> onFailure) {
    lock.lock();
    try {
      write(atSeq, atHead);
    } catch (IOException | RuntimeException e) {
      onFailure.accept(e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Signs on the writer's thread, so no decision waits; dropped once closing has begun (close signs
   * the head instead).
   */
  void writeLater(long atSeq, String atHead, Consumer<Exception> onFailure) {
    try {
      timer.execute(() -> writeOrFail(atSeq, atHead, onFailure));
    } catch (RejectedExecutionException closing) {
      // close() is signing the head
    }
  }

  /**
   * Lets the checkpoints already asked for be written, signs the tail unless {@code failed} says
   * the sink failed, and closes the file.
   */
  void close(long atSeq, String atHead, BooleanSupplier failed) throws IOException {
    drainTimer();
    lock.lock();
    try {
      if (!failed.getAsBoolean()) {
        write(atSeq, atHead); // the tail, signed at close
      }
    } finally {
      open = false;
      lock.unlock();
      channel.close();
    }
  }

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

  /** The checkpoints file. */
  Path file() {
    return file;
  }
}
