package io.execauthz.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The signed checkpoints of a log, read one at a time in step with the log by {@link
 * AuditLogVerifier}: each line's signature checked against the trusted keys, the {@code seq}s
 * strictly rising. A problem is recorded in {@link #problem} (and {@link #torn} for a torn last
 * line) rather than thrown, so the verifier can judge it together with the log.
 *
 * <p>Not thread-safe: one verification's own reader.
 */
final class CheckpointReader implements AutoCloseable {
  private final LineReader lines;
  private final AuditTrustedKeys keys;
  long line; // the 1-based line of the checkpoint last read
  long verified;
  long signed; // the seq of the last checkpoint matched against the log
  long lastSeq = -1;
  AuditCheckpoints.Checkpoint next; // the next checkpoint not yet matched, or null at the end
  String problem; // why reading stopped, or null
  boolean torn;

  CheckpointReader(Path file, AuditTrustedKeys keys) throws IOException {
    this.lines = new LineReader(Files.newInputStream(file), AuditCheckpoints.MAX_LINE_BYTES);
    this.keys = keys;
  }

  /** Reads the next checkpoint into {@link #next}; sets {@link #problem} if it is bad. */
  void advance() throws IOException {
    next = null;
    if (problem != null || !lines.next()) {
      return;
    }
    line++;
    if (lines.tooLong) {
      problem =
          "checkpoint "
              + line
              + ": line is longer than "
              + AuditCheckpoints.MAX_LINE_BYTES
              + " bytes";
      return;
    }
    if (!lines.terminated) {
      torn = true;
      problem =
          "checkpoint "
              + line
              + ": incomplete last line of the checkpoints file (a write cut short, as by a"
              + " crash)";
      return;
    }
    String text = new String(lines.buf, 0, lines.len, StandardCharsets.US_ASCII);
    AuditCheckpoints.Checkpoint c;
    try {
      c = AuditCheckpoints.verify(text, keys);
    } catch (IllegalArgumentException e) {
      problem = "checkpoint " + line + ": " + e.getMessage();
      return;
    }
    if (c.seq() <= lastSeq) {
      problem =
          "checkpoint "
              + line
              + ": covers "
              + c.seq()
              + " records, not more than the checkpoint before it ("
              + lastSeq
              + "): checkpoints were reordered or repeated";
      return;
    }
    lastSeq = c.seq();
    next = c;
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
