package io.execauthz.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * The log's files as {@link JsonLinesAuditSink} opens them: the log locked against a second sink,
 * and the last line of the log and of its checkpoints file read, so the sink continues the chain
 * where it ended — or refuses to append, never repairing: a torn or foreign last line is what a
 * crash mid-write or tampering looks like, and a person has to decide. Reads from the end, never
 * more than one line's limit.
 *
 * <p>Stateless and thread-safe.
 */
final class LogFiles {
  private static final byte NEWLINE = '\n';

  private LogFiles() {}

  /** A log open for appending, and the lock that keeps other sinks out. */
  record Locked(FileChannel channel, FileLock lock) {
    /** Releases the lock and closes the file. */
    void close() throws IOException {
      try {
        lock.release();
      } finally {
        channel.close();
      }
    }
  }

  /**
   * Opens (or creates) {@code file} for appending and locks it.
   *
   * @throws IOException if it cannot be opened or another sink holds it
   */
  static Locked openLocked(Path file) throws IOException {
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
      return new Locked(ch, l);
    } catch (IOException | RuntimeException | Error e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Where a log's chain ends: its record count and head (the hash of its last line). */
  record Chain(long seq, String head) {}

  /**
   * The chain of {@code file}: {@code (0, GENESIS)} when it is empty, else the last record's {@code
   * seq} and hash.
   *
   * @throws IOException if the last line is incomplete, too long or not a record (the message names
   *     the file and line)
   */
  static Chain chain(Path file, MessageDigest digest) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      if (size == 0) {
        return new Chain(0, AuditLogFormat.GENESIS);
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
      AuditLineParser.Link link;
      try {
        link = AuditLineParser.parse(line, line.length);
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
      return new Chain(link.seq(), AuditLogFormat.hash(digest, line, line.length));
    }
  }

  /**
   * The last checkpoint in {@code checkpointFile} (its signature unchecked: the sink wrote it), or
   * null if the file is empty.
   *
   * @throws IOException if the last line is incomplete or not a checkpoint
   */
  static AuditCheckpoints.Checkpoint lastCheckpoint(Path checkpointFile) throws IOException {
    try (FileChannel in = FileChannel.open(checkpointFile, StandardOpenOption.READ)) {
      long size = in.size();
      if (size == 0) {
        return null;
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
      try {
        return AuditCheckpoints.parseUnverified(new String(line, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new IOException(
            checkpointFile + ": the last line is not a checkpoint (" + e.getMessage() + ")", e);
      }
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
}
