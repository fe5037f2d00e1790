/**
 * The service-provider interfaces: what core calls out through, for modules and applications to
 * implement — {@link io.execauthz.spi.PolicyEngine} (exec-authz-cedar's Cedar engine), {@link
 * io.execauthz.spi.GrantSource} (exec-authz-jwt's verifier), {@link io.execauthz.spi.BudgetLedger},
 * {@link io.execauthz.spi.AuditSink} and {@link io.execauthz.spi.GraphListener} — with the values
 * that cross them ({@link io.execauthz.spi.PolicyRequest}, {@link
 * io.execauthz.spi.PolicyDecision}), and {@link io.execauthz.spi.SetOnce}, the one set-once rule
 * every module's builders follow.
 *
 * <p><b>Dependencies.</b> It depends on the JDK, on the value types of {@code io.execauthz} that
 * cross it (such as {@link io.execauthz.ExecutionView}) and, for the in-memory ledger, on {@code
 * io.execauthz.internal}. Implementations in other modules may depend on it and on {@code
 * io.execauthz}; it never depends on them.
 */
package io.execauthz.spi;
