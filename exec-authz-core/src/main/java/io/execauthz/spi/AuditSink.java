package io.execauthz.spi;

import io.execauthz.audit.AuditRecord;

/**
 * Receives one {@link AuditRecord} per decision, in decision order. Implementations must be
 * thread-safe. If {@link #record} throws, the decision becomes a Deny with {@code Reason.ERROR}: a
 * permit that could not be audited is not given.
 */
public interface AuditSink {

  /** Writes one record durably enough for the sink's promise, or throws. */
  void record(AuditRecord record) throws Exception;

  /**
   * Whether this sink keeps the call's arguments: only then do its records carry {@link
   * AuditRecord#arguments()} (whose copying costs something on every decision with arguments).
   * Default {@code false}: a record binds the call by {@link AuditRecord#argsSha256()} alone.
   */
  default boolean keepsArguments() {
    return false;
  }

  /** A sink that drops every record (the same instance every time). */
  static AuditSink discarding() {
    return Discarding.INSTANCE;
  }
}
