/**
 * Spring Boot auto-configuration for exec-authz: {@link
 * io.execauthz.spring.boot.ExecAuthzAutoConfiguration} (graph, authorizer, Cedar policies, audit
 * sink) and {@link io.execauthz.spring.boot.ExecAuthzSpringAiAutoConfiguration} (every Spring AI
 * tool bean guarded), configured by {@link io.execauthz.spring.boot.ExecAuthzProperties}. No
 * component scanning; every bean backs off when the application defines its own.
 *
 * <p><b>Module.</b> The jar is the automatic module {@code io.execauthz.spring.boot} (an {@code
 * Automatic-Module-Name}), not a {@code module-info}: it needs Spring AI, whose jars have no stable
 * module name, and Spring Boot applications run on the class path, where auto-configuration is
 * found by scanning {@code META-INF/spring} — a descriptor would add nothing there and would have
 * to open every package to Spring's reflection.
 */
package io.execauthz.spring.boot;
