package io.execauthz.audit;

import java.util.Objects;

/**
 * The outcome of {@link AuditLogVerifier#verify}: whether the audit log is intact and, if not, the
 * first record at which it breaks, why, and whether that looks like a crash ({@link
 * Status#INCOMPLETE}) or like an edit ({@link Status#TAMPERED}) — what a security team needs to
 * start an investigation, as a value rather than an exception because a broken log is an expected
 * finding.
 *
 * <p>Immutable and thread-safe.
 *
 * @param status {@code OK}, {@code INCOMPLETE} or {@code TAMPERED}
 * @param records the number of records that checked out before the first problem (all of them when
 *     valid)
 * @param firstBadRecord the 1-based line number of the first bad record, or 0 when valid; for a cut
 *     tail or a torn last line, the number of the first missing record ({@code records + 1})
 * @param problem a sentence naming what is wrong, such as {@code "record 4: prev hash does not
 *     match record 3 (…)"}, or {@code ""} when valid
 * @param head the lowercase hex SHA-256 of the last good line (64 zeros if there is none)
 * @param checkpoints how many signed checkpoints were verified (0 when none were given)
 * @param signedRecords how many records the last verified checkpoint covers (its {@code seq}; 0
 *     when there is none)
 */
public record AuditVerification(
    Status status,
    long records,
    long firstBadRecord,
    String problem,
    String head,
    long checkpoints,
    long signedRecords) {

  /**
   * What verification found.
   *
   * <p>An enum: immutable and thread-safe.
   */
  public enum Status {
    /** Every record checked out (and the expected head and signed checkpoints matched). */
    OK,
    /**
     * The records before it check out, but the file ends with a torn line — a write cut short, as
     * by a crash or power loss (the line is the start of the next record, or zeros) — or the
     * checkpoints file does. Not valid: a person decides what happened; nothing was edited.
     */
    INCOMPLETE,
    /**
     * A record was edited, inserted, removed or reordered, a line is not a record, records were cut
     * from the end (with an expected head or checkpoints), or a checkpoint is forged or does not
     * match the log.
     */
    TAMPERED
  }

  public AuditVerification {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(head, "head");
    if (records < 0 || checkpoints < 0 || signedRecords < 0) {
      throw new IllegalArgumentException(
          "records, checkpoints and signedRecords must not be negative, were "
              + records
              + ", "
              + checkpoints
              + ", "
              + signedRecords);
    }
    if (status == Status.OK && (firstBadRecord != 0 || !problem.isEmpty())) {
      throw new IllegalArgumentException("a valid log has no first bad record and no problem");
    }
    if (status != Status.OK && (firstBadRecord < 1 || problem.isBlank())) {
      throw new IllegalArgumentException("an invalid log names its first bad record and problem");
    }
    if (!AuditLogFormat.isSha256Hex(head)) {
      throw new IllegalArgumentException("head must be 64 lowercase hex digits");
    }
  }

  /**
   * An intact log of {@code records} records ending in {@code head}, checked without checkpoints.
   */
  public static AuditVerification ok(long records, String head) {
    return new AuditVerification(Status.OK, records, 0, "", head, 0, 0);
  }

  /** Whether the log is intact: {@link #status()} is {@link Status#OK}. */
  public boolean valid() {
    return status == Status.OK;
  }
}
