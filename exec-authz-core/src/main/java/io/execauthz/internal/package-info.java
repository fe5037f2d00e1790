/**
 * Core's implementation that its API packages share but no user should see: the in-memory budget
 * ledger, the audit line's JSON writer and reader ({@code Json}, {@code JsonReader}) and the
 * character rules ({@code Text}: the one {@code printable}, the word characters) that {@code
 * io.execauthz.capability} needs without depending on {@code io.execauthz}.
 *
 * <p><b>Dependencies.</b> Only core's own packages ({@code io.execauthz}, {@code
 * io.execauthz.capability}, {@code io.execauthz.audit}, {@code io.execauthz.spi}) may depend on it;
 * the module descriptor does not export it, so no other module can. It depends on the JDK,
 * jackson-core and the SPI it implements.
 */
package io.execauthz.internal;
