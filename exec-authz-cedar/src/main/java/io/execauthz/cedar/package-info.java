/**
 * Cedar for exec-authz: {@link io.execauthz.cedar.CedarPolicyEngine}, a {@code PolicyEngine} that
 * maps each request as CONTRACT §3 says, over a {@link io.execauthz.cedar.PolicyStore} of
 * validated, atomically reloaded policies; {@link io.execauthz.cedar.PolicyTester} runs policies
 * against expected decisions. The default schema ships as the resource {@code
 * exec-authz.cedarschema} ({@link io.execauthz.cedar.PolicyStore#defaultSchema()}).
 *
 * <p>No cedar-java type appears in this package's API; {@code io.execauthz.cedar.internal} is not
 * part of it.
 */
package io.execauthz.cedar;
