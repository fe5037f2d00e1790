package io.execauthz.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * JsonLinesAuditSink#head()} kept somewhere the log's writer cannot rewrite — or the sink's signed
 * checkpoints ({@link #verify(Path, Path, AuditTrustedKeys)}) reveal them. A file that ends in a
 * torn line — the start of the next record, or zeros, as a crash mid-write leaves — is reported as
 * {@link AuditVerification.Status#INCOMPLETE}, every other problem as {@link
 * AuditVerification.Status#TAMPERED}. Verification stops at the first problem and streams the file
 * (and the checkpoints file), holding one line of each at a time.
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
    return run(Objects.requireNonNull(file, "file"), null, null, null);
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
    return run(file, normalizedHead(expectedHead), null, null);
  }

  /**
   * Verifies {@code file}'s chain against the signed checkpoints in {@code checkpoints} (as {@link
   * JsonLinesAuditSink.Builder#checkpoints} writes them): every checkpoint must be signed by one of
   * {@code keys}, and the log's record at each checkpoint's {@code seq} must hash to its head. That
   * detects, without a head kept elsewhere, records cut from the end (the last checkpoint covers
   * more records than the log holds) and a log rewritten and re-chained from scratch (its hashes no
   * longer match what was signed). Only the records up to the last checkpoint are bound by it.
   *
   * @throws IOException if either file cannot be read
   */
  public static AuditVerification verify(Path file, Path checkpoints, AuditTrustedKeys keys)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(keys, "keys");
    return run(file, null, checkpoints, keys);
  }

  /**
   * Verifies {@code file} against both an expected head and signed checkpoints (see {@link
   * #verify(Path, String)} and {@link #verify(Path, Path, AuditTrustedKeys)}).
   *
   * @throws IOException if either file cannot be read
   */
  public static AuditVerification verify(
      Path file, String expectedHead, Path checkpoints, AuditTrustedKeys keys) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(keys, "keys");
    return run(file, normalizedHead(expectedHead), checkpoints, keys);
  }

  private static String normalizedHead(String expectedHead) {
    Objects.requireNonNull(expectedHead, "expectedHead");
    String head = expectedHead.toLowerCase(Locale.ROOT);
    if (!AuditLogFormat.isSha256Hex(head)) {
      throw new IllegalArgumentException(
          "expected head must be 64 hex digits (a SHA-256), was "
              + expectedHead.length()
              + " characters"
              + (expectedHead.length() == 64 ? " with a non-hex digit" : ""));
    }
    return head;
  }

  private static AuditVerification run(
      Path file, String expectedHead, Path checkpointsFile, AuditTrustedKeys keys)
      throws IOException {
    MessageDigest digest = AuditLogFormat.sha256();
    String head = AuditLogFormat.GENESIS;
    long n = 0; // records that checked out
    try (LineReader lines =
            new LineReader(Files.newInputStream(file), AuditLogFormat.MAX_LINE_BYTES);
        CheckpointReader cps =
            checkpointsFile == null ? null : new CheckpointReader(checkpointsFile, keys)) {
      if (cps != null) {
        cps.advance();
        if (cps.next == null && cps.problem == null) {
          cps.problem = "checkpoint 1: the checkpoints file holds no checkpoint";
        }
        if (cps.next != null && cps.next.seq() == 0) {
          if (!cps.next.head().equals(AuditLogFormat.GENESIS)) {
            return tampered(
                n, head, cps, "checkpoint 1: covers 0 records but its head is not 64 zeros");
          }
          cps.verified++;
          cps.advance();
        }
        if (cps.problem != null && !cps.torn) {
          return tampered(n, head, cps, cps.problem);
        }
      }
      while (lines.next()) {
        long i = n + 1;
        if (lines.tooLong) {
          return tampered(
              n,
              head,
              cps,
              "record " + i + ": line is longer than " + AuditLogFormat.MAX_LINE_BYTES + " bytes");
        }
        if (!lines.terminated) {
          String torn = tornLine(lines, i, head);
          if (torn != null) {
            return tampered(n, head, cps, torn);
          }
          break; // a crash's torn write: judged after the head and checkpoints below
        }
        AuditLineParser.Link link;
        try {
          link = AuditLineParser.parse(lines.buf, lines.len);
        } catch (IllegalArgumentException e) {
          return tampered(n, head, cps, "record " + i + ": malformed line: " + e.getMessage());
        }
        if (link.seq() != i) {
          return tampered(n, head, cps, seqProblem(i, link.seq()));
        }
        if (!link.prev().equals(head)) {
          return tampered(
              n,
              head,
              cps,
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
        if (cps != null && cps.next != null && cps.next.seq() == i) {
          if (!cps.next.head().equals(head)) {
            return tampered(
                n,
                head,
                cps,
                "record "
                    + i
                    + ": does not match signed checkpoint "
                    + cps.line
                    + " (of "
                    + cps.next.time()
                    + "): the log was rewritten");
          }
          cps.verified++;
          cps.signed = i;
          cps.advance();
          if (cps.problem != null && !cps.torn) {
            return tampered(i, head, cps, cps.problem);
          }
        }
        n = i;
      }
      boolean tornLog = lines.any && !lines.terminated;
      if (expectedHead != null && !expectedHead.equals(head)) {
        return tampered(
            n,
            head,
            cps,
            n == 0
                ? "record 1: missing: the log is empty but the expected head is not 64 zeros"
                    + " (records were cut)"
                : "record "
                    + (n + 1)
                    + ": missing: the log ends after record "
                    + n
                    + ", whose hash is not the expected head (records were cut from the end, or"
                    + " record "
                    + n
                    + " was changed)");
      }
      if (cps != null && cps.next != null) {
        return tampered(
            n,
            head,
            cps,
            "record "
                + (n + 1)
                + ": missing: signed checkpoint "
                + cps.line
                + " (of "
                + cps.next.time()
                + ") covers "
                + cps.next.seq()
                + " records, but the log ends after "
                + n
                + " (records were cut from the end)");
      }
      long checkpoints = cps == null ? 0 : cps.verified;
      long signed = cps == null ? 0 : cps.signed;
      if (tornLog) {
        return new AuditVerification(
            AuditVerification.Status.INCOMPLETE,
            n,
            n + 1,
            "record "
                + (n + 1)
                + ": incomplete last line (no trailing newline): a write cut short, as by a crash;"
                + " the "
                + n
                + " records before it verify",
            head,
            checkpoints,
            signed);
      }
      if (cps != null && cps.problem != null) { // only a torn last checkpoint line gets here
        return new AuditVerification(
            AuditVerification.Status.INCOMPLETE, n, n + 1, cps.problem, head, checkpoints, signed);
      }
      return new AuditVerification(
          AuditVerification.Status.OK, n, 0, "", head, checkpoints, signed);
    }
  }

  /**
   * Null if the unterminated last line can be a crash's torn write of record {@code i} — a prefix
   * of a line starting {@code {"seq":i,"prev":"<head>",}, or that start followed by more, or only
   * zero bytes (what some file systems leave after a power loss) — else why it cannot.
   */
  private static String tornLine(LineReader lines, long i, String head) {
    byte[] start =
        ("{\"seq\":" + i + ",\"prev\":\"" + head + "\",\"time\":\"")
            .getBytes(StandardCharsets.US_ASCII);
    boolean zeros = true;
    for (int k = 0; k < lines.len && zeros; k++) {
      zeros = lines.buf[k] == 0;
    }
    if (zeros) {
      return null;
    }
    int common = Math.min(start.length, lines.len);
    if (Arrays.equals(lines.buf, 0, common, start, 0, common)) {
      return null;
    }
    return "record "
        + i
        + ": incomplete last line (no trailing newline) that is not the start of record "
        + i
        + " (a torn write would be): the log was edited";
  }

  private static AuditVerification tampered(
      long good, String head, CheckpointReader cps, String problem) {
    return new AuditVerification(
        AuditVerification.Status.TAMPERED,
        good,
        good + 1,
        problem,
        head,
        cps == null ? 0 : cps.verified,
        cps == null ? 0 : cps.signed);
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
}
