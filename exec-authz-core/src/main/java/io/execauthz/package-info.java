/**
 * The API of exec-authz: what an application touches.
 *
 * <p><b>What lives here.</b> The entry points — {@link io.execauthz.ExecutionGraph} (nodes, their
 * capabilities, claims, deadlines and ends) and {@link io.execauthz.Authorizer} (the decision
 * pipeline of CONTRACT §2) — and the value types they take and give: {@link io.execauthz.NodeSpec},
 * {@link io.execauthz.AuthorizationRequest}, {@link io.execauthz.Decision}, {@link
 * io.execauthz.Reason}, {@link io.execauthz.Capability}, {@link io.execauthz.CapabilitySet}, {@link
 * io.execauthz.ResourcePattern}, {@link io.execauthz.ActionPattern}, {@link
 * io.execauthz.ExecutionView}, and the audit log's writer and verifier. Public types say in their
 * javadoc whether they are immutable, thread-safe or not.
 *
 * <p>Next to them, package-private, are the parts the entry points are made of, each with one job:
 * behind the graph {@code GraphCore} (every structural change, under one lock), {@code
 * GraphLimits}, {@code NodeTable}, {@code ClaimsTable}, {@code HeldScheduler}, {@code
 * DeadlineQueue}, {@code Lineage} and {@code NodeViews}; behind the authorizer the pipeline steps;
 * behind resource patterns {@code ResourceParser}, {@code Canonicalizers}, {@code UrlCanonicalizer}
 * and {@code Authorities}.
 *
 * <p><b>Dependencies.</b> This package depends on the JDK, Caffeine (the decision cache), on {@link
 * io.execauthz.spi} (the interfaces it calls out through) and on {@code io.execauthz.internal};
 * nothing here depends on a module built on core (cedar, jwt, cli). Applications and every other
 * module may depend on it.
 */
package io.execauthz;
