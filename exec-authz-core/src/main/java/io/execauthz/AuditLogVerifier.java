package io.execauthz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks the hash chain of an audit log written by {@link JsonLinesAuditSink}, so that anyone
 * holding the file can tell whether it is the log the authorizer wrote (ARCHITECTURE invariant 8).
 *
 * <pre>{@code
 * AuditVerification v = AuditLogVerifier.verify(Path.of("audit.jsonl"), headKeptElsewhere);
 * if (!v.valid()) {
 *   System.err.println(v.problem()); // e.g. "record 4: prev hash does not match record 3 (…)"
 * }
 * }</pre>
 *
 * <p>Record {@code n} must be a complete, well-formed line with {@code seq} {@code n} and {@code
 * prev} equal to the SHA-256 of line {@code n - 1} (64 zeros for the first). That detects an edited
 * record (at the next record, whose {@code prev} no longer matches), an inserted, removed, repeated
 * or reordered record, a malformed or incomplete line. An edit of the last record, or records cut
 * from the end, leave a shorter chain that is still consistent: only the expected head — the {@link
 * JsonLinesAuditSink#head()} kept somewhere the log's writer cannot rewrite — reveals them.
 * Verification stops at the first problem and streams the file, holding one line at a time.
 *
 * <p>Stateless and thread-safe.
 */
public final class AuditLogVerifier {
  private AuditLogVerifier() {}

  /**
   * Verifies {@code file}'s chain without an expected head (a cut tail or an edit of the last
   * record cannot be detected).
   *
   * @throws IOException if the file cannot be read
   */
  public static AuditVerification verify(Path file) throws IOException {
    return run(Objects.requireNonNull(file, "file"), null);
  }

  /**
   * Verifies {@code file}'s chain and that its last line hashes to {@code expectedHead} (64 zeros
   * for an empty log).
   *
   * @param expectedHead 64 hex digits, as returned by {@link JsonLinesAuditSink#head()}
   * @throws IllegalArgumentException if {@code expectedHead} is not 64 hex digits
   * @throws IOException if the file cannot be read
   */
  public static AuditVerification verify(Path file, String expectedHead) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(expectedHead, "expectedHead");
    String head = expectedHead.toLowerCase(Locale.ROOT);
    if (!AuditLogFormat.isSha256Hex(head)) {
      throw new IllegalArgumentException(
          "expected head must be 64 hex digits (a SHA-256), was "
              + expectedHead.length()
              + " characters"
              + (expectedHead.length() == 64 ? " with a non-hex digit" : ""));
    }
    return run(file, head);
  }

  private static AuditVerification run(Path file, String expectedHead) throws IOException {
    MessageDigest digest = AuditLogFormat.sha256();
    String head = AuditLogFormat.GENESIS;
    long n = 0; // records that checked out
    try (LineReader lines = new LineReader(Files.newInputStream(file))) {
      while (lines.next()) {
        long i = n + 1;
        if (lines.tooLong) {
          return bad(
              n,
              head,
              "record " + i + ": line is longer than " + AuditLogFormat.MAX_LINE_BYTES + " bytes");
        }
        if (!lines.terminated) {
          return bad(n, head, "record " + i + ": incomplete last line (no trailing newline)");
        }
        AuditLogFormat.Link link;
        try {
          link = AuditLogFormat.parse(lines.buf, lines.len);
        } catch (IllegalArgumentException e) {
          return bad(n, head, "record " + i + ": malformed line: " + e.getMessage());
        }
        if (link.seq() != i) {
          return bad(n, head, seqProblem(i, link.seq()));
        }
        if (!link.prev().equals(head)) {
          return bad(
              n,
              head,
              i == 1
                  ? "record 1: prev hash is not 64 zeros, so the log does not start at its first"
                      + " record"
                  : "record "
                      + i
                      + ": prev hash does not match record "
                      + n
                      + " (record "
                      + n
                      + " was changed, or records were inserted, removed or reordered between them)");
        }
        head = AuditLogFormat.hash(digest, lines.buf, lines.len);
        n = i;
      }
    }
    if (expectedHead != null && !expectedHead.equals(head)) {
      return bad(
          n,
          head,
          n == 0
              ? "record 1: missing: the log is empty but the expected head is not 64 zeros (records"
                  + " were cut)"
              : "record "
                  + (n + 1)
                  + ": missing: the log ends after record "
                  + n
                  + ", whose hash is not the expected head (records were cut from the end, or record "
                  + n
                  + " was changed)");
    }
    return new AuditVerification(true, n, 0, "", head);
  }

  private static String seqProblem(long i, long seq) {
    String why;
    if (seq < i) {
      why = "a record was repeated or records were reordered";
    } else if (i == 1) {
      why = "the log does not start at its first record";
    } else {
      why = "a record is missing or records were reordered";
    }
    return "record " + i + ": seq is " + seq + ", expected " + i + " (" + why + ")";
  }

  private static AuditVerification bad(long good, String head, String problem) {
    return new AuditVerification(false, good, good + 1, problem, head);
  }

  /** Splits a stream on '\n', one line at a time, never holding more than the line limit. */
  private static final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final byte[] chunk = new byte[8192];
    private int chunkPos;
    private int chunkLen;
    private boolean eof;

    byte[] buf = new byte[1024];
    int len;
    boolean terminated;
    boolean tooLong;

    LineReader(InputStream in) {
      this.in = in;
    }

    /** Reads the next line into {@link #buf}; false at the end of the stream. */
    boolean next() throws IOException {
      len = 0;
      terminated = false;
      tooLong = false;
      boolean any = false;
      while (true) {
        if (chunkPos == chunkLen) {
          if (eof) {
            return any;
          }
          chunkLen = in.read(chunk);
          chunkPos = 0;
          if (chunkLen < 0) {
            chunkLen = 0;
            eof = true;
            continue;
          }
        }
        any = true;
        int start = chunkPos;
        int end = start;
        while (end < chunkLen && chunk[end] != '\n') {
          end++;
        }
        append(start, end);
        if (tooLong) {
          return true;
        }
        if (end < chunkLen) {
          chunkPos = end + 1;
          terminated = true;
          return true;
        }
        chunkPos = chunkLen;
      }
    }

    private void append(int from, int to) {
      int count = to - from;
      if (len + count > AuditLogFormat.MAX_LINE_BYTES) {
        tooLong = true;
        return;
      }
      if (len + count > buf.length) {
        buf =
            Arrays.copyOf(
                buf,
                Math.max(len + count, Math.min(buf.length * 2, AuditLogFormat.MAX_LINE_BYTES)));
      }
      System.arraycopy(chunk, from, buf, len, count);
      len += count;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
