/**
 * The audit log: one hash-chained JSON line per decision, optionally signed checkpoints, and the
 * verifier that checks both.
 *
 * <p><b>What lives here.</b> {@link io.execauthz.audit.AuditRecord} (what a decision leaves
 * behind), {@link io.execauthz.audit.JsonLinesAuditSink} (the writer: rotation and checkpoints),
 * {@link io.execauthz.audit.AuditLogVerifier} and its result {@link
 * io.execauthz.audit.AuditVerification}, {@link io.execauthz.audit.AuditSigningKey} and {@link
 * io.execauthz.audit.AuditTrustedKeys} for signed checkpoints. Package-private: {@code
 * AuditLogFormat} (the one definition of the line's bytes and its hash chain), {@code
 * AuditCheckpoints} and {@code Ed25519Jwk}. The byte format is fixed: a log written by an earlier
 * release must verify (the committed fixture {@code audit-fixture-v1.jsonl} holds that).
 *
 * <p><b>Dependencies.</b> The JDK, jackson-core (streaming, through {@code AuditLogFormat} and
 * {@code io.execauthz.internal.Json} only), {@link io.execauthz.Reason} (the one type of {@code
 * io.execauthz} a record carries), {@link io.execauthz.spi.AuditSink} (which the writer implements)
 * and {@code io.execauthz.internal}. {@code io.execauthz} depends on it to record decisions;
 * applications, the CLI and the observability modules may depend on it.
 */
package io.execauthz.audit;
