/**
 * Core's implementation that its two other packages share but no user should see: the in-memory
 * budget ledger and the audit line's JSON reader and writer.
 *
 * <p><b>Dependencies.</b> Only {@code io.execauthz} and {@code io.execauthz.spi} may depend on it;
 * the module descriptor does not export it, so no other module can. It depends on the JDK and on
 * the SPI it implements.
 */
package io.execauthz.internal;
