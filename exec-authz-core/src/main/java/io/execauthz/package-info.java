/**
 * The API of exec-authz: the entry points an application calls and the values they take and give.
 *
 * <p><b>What lives here.</b> The entry points — {@link io.execauthz.ExecutionGraph} (nodes, their
 * capabilities, claims, deadlines and ends) and {@link io.execauthz.Authorizer} (the decision
 * pipeline of CONTRACT §2) — and the value types they take and give: {@link io.execauthz.NodeSpec},
 * {@link io.execauthz.AuthorizationRequest}, {@link io.execauthz.Decision}, {@link
 * io.execauthz.Reason}, {@link io.execauthz.ExecutionView}, {@link io.execauthz.ExecutionNode},
 * {@link io.execauthz.TraceContext}. What a node may do is in {@link io.execauthz.capability}; the
 * audit log's writer and verifier are in {@link io.execauthz.audit}. Public types say in their
 * javadoc whether they are immutable, thread-safe or not.
 *
 * <p>Next to them, package-private, are the parts the entry points are made of, each with one job:
 * behind the graph {@code GraphCore} (every structural change, under one lock), {@code
 * GraphLimits}, {@code NodeTable}, {@code ClaimsTable}, {@code HeldScheduler}, {@code
 * DeadlineQueue}, {@code Lineage} and {@code NodeViews}; behind the authorizer the pipeline steps
 * ({@code Liveness}, {@code CapabilityGate}, {@code ClaimsCheck}, {@code BudgetPlan}, {@code
 * PolicyStep}) composed by {@code Pipeline}, with {@code Audited} and {@code DecisionCache} as
 * decorators.
 *
 * <p><b>Dependencies.</b> This package depends on the JDK, Caffeine (the decision cache), {@link
 * io.execauthz.capability}, {@link io.execauthz.audit} (the decorator that records decisions),
 * {@link io.execauthz.spi} (the interfaces it calls out through) and {@code io.execauthz.internal};
 * nothing here depends on a module built on core (cedar, jwt, cli). Applications and every other
 * module may depend on it.
 */
package io.execauthz;
