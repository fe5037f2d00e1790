package io.execauthz.spi;

import io.execauthz.audit.AuditRecord;

/** The sink behind {@link AuditSink#discarding()}. */
enum Discarding implements AuditSink {
  INSTANCE;

  @Override
  public void record(AuditRecord record) {}

  @Override
  public String toString() {
    return "discarding audit sink";
  }
}
