/**
 * The audit log: one hash-chained JSON line per decision, optionally signed checkpoints, and the
 * verifier that checks both.
 *
 * <p><b>What lives here.</b> {@link io.execauthz.audit.AuditRecord} (what a decision leaves
 * behind), {@link io.execauthz.audit.JsonLinesAuditSink} (the writer, with optional signed
 * checkpoints), {@link io.execauthz.audit.AuditLogVerifier} and its result {@link
 * io.execauthz.audit.AuditVerification}, {@link io.execauthz.audit.AuditSigningKey} and {@link
 * io.execauthz.audit.AuditTrustedKeys} for signed checkpoints. Package-private, each with one job:
 * {@code AuditLogFormat} (the one definition of the line's bytes and its hash chain), {@code
 * AuditLineCuts} (shortening an over-long line), {@code AuditLineParser} (reading one back), {@code
 * LogFiles} (opening the log locked, reading its last line), {@code CheckpointWriter} (signing
 * checkpoints off the decision path), {@code LineReader} and {@code CheckpointReader} (the
 * verifier's streaming), {@code AuditCheckpoints} and {@code Ed25519Jwk}.
 *
 * <p><b>The line format.</b> Each line is one JSON object with the fields {@code seq} (1, 2, 3, …),
 * {@code prev} (the lowercase hex SHA-256 of the previous line's UTF-8 bytes without its newline;
 * 64 zeros for the first record), {@code time} (ISO-8601), {@code decisionId}, {@code path}, {@code
 * principal}, {@code delegators}, {@code action}, {@code resource}, {@code decision} ({@code
 * PERMIT} or {@code DENY}), {@code reason}, {@code detail}, {@code policies}, {@code grant} and
 * {@code traceparent}, always in that order, then {@code argsSha256} when the record has it, {@code
 * shadow} when a shadow policy engine disagreed, and {@code cut} when fields had to be cut. Strings
 * are escaped so that hostile text (quotes, newlines, control characters, U+2028) can neither break
 * a line nor forge a field. The byte format is fixed: a log written by an earlier release must
 * verify (the committed fixture {@code audit-fixture-v1.jsonl} holds that).
 *
 * <p><b>Dependencies.</b> The JDK, jackson-core (streaming, through {@code AuditLogFormat} and
 * {@code io.execauthz.internal.Json} only), {@link io.execauthz.Reason} (the one type of {@code
 * io.execauthz} a record carries), {@link io.execauthz.spi.AuditSink} (which the writer implements)
 * and {@code io.execauthz.internal}. {@code io.execauthz} depends on it to record decisions;
 * applications, the CLI and the observability modules may depend on it.
 */
package io.execauthz.audit;
