/**
 * Cedar for exec-authz: {@link io.execauthz.cedar.CedarPolicyEngine}, a {@code PolicyEngine} that
 * maps each request as CONTRACT §3 says, over a {@link io.execauthz.cedar.PolicyStore} of
 * validated, atomically reloaded policies; {@link io.execauthz.cedar.PolicyTester} runs policies
 * against expected decisions. The default schema ships as the resource {@code
 * exec-authz.cedarschema} ({@link io.execauthz.cedar.PolicyStore#defaultSchema()}).
 *
 * <p>No cedar-java type appears in this package's API; {@code io.execauthz.cedar.internal} is not
 * part of it.
 *
 * <p><b>Module.</b> The jar is the automatic module {@code io.execauthz.cedar} (an {@code
 * Automatic-Module-Name}), not a {@code module-info}: cedar-java names itself only by its file name
 * ({@code cedar.java}), and a module descriptor that requires an unstable name would break as soon
 * as the jar is renamed or repackaged. As an automatic module it exports every package, so {@code
 * io.execauthz.cedar.internal} stays out of the API by convention only (ArchUnit keeps other
 * modules from using it).
 */
package io.execauthz.cedar;
