package io.execauthz;

import java.util.Objects;

/**
 * The outcome of {@link AuditLogVerifier#verify}: whether the audit log's hash chain is intact and,
 * if not, the first record at which it breaks and why — what a security team needs to start an
 * investigation, as a value rather than an exception because a broken log is an expected finding.
 *
 * <p>Immutable and thread-safe.
 *
 * @param valid whether every record checked out (and the head matched, when one was given)
 * @param records the number of records that checked out before the first problem (all of them when
 *     valid)
 * @param firstBadRecord the 1-based line number of the first bad record, or 0 when valid; for a cut
 *     tail, the number of the first missing record ({@code records + 1})
 * @param problem a sentence naming what is wrong, such as {@code "record 4: prev hash does not
 *     match record 3 (…)"}, or {@code ""} when valid
 * @param head the lowercase hex SHA-256 of the last good line (64 zeros if there is none)
 */
public record AuditVerification(
    boolean valid, long records, long firstBadRecord, String problem, String head) {
  public AuditVerification {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(head, "head");
    if (records < 0) {
      throw new IllegalArgumentException("records must not be negative, was " + records);
    }
    if (valid && (firstBadRecord != 0 || !problem.isEmpty())) {
      throw new IllegalArgumentException("a valid log has no first bad record and no problem");
    }
    if (!valid && (firstBadRecord < 1 || problem.isBlank())) {
      throw new IllegalArgumentException("an invalid log names its first bad record and problem");
    }
    if (!AuditLogFormat.isSha256Hex(head)) {
      throw new IllegalArgumentException("head must be 64 lowercase hex digits");
    }
  }
}
