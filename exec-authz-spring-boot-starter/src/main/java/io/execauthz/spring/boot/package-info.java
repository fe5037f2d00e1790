/**
 * Spring Boot auto-configuration for exec-authz: {@link
 * io.execauthz.spring.boot.ExecAuthzAutoConfiguration} (graph, authorizer, Cedar policies, audit
 * sink) and {@link io.execauthz.spring.boot.ExecAuthzSpringAiAutoConfiguration} (every Spring AI
 * tool bean guarded), configured by {@link io.execauthz.spring.boot.ExecAuthzProperties}. No
 * component scanning; every bean backs off when the application defines its own.
 */
package io.execauthz.spring.boot;
