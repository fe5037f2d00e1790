/**
 * Spring AI for exec-authz: {@link io.execauthz.springai.ExecAuthzToolCallbacks} guards {@code
 * ToolCallback}s (every execution authorized for the node in the call's {@code ToolContext}) and
 * lists only what a node may call; {@link io.execauthz.springai.NodeScope} is a child node for a
 * sub-agent call that collapses when the call returns.
 *
 * <p><b>Module.</b> The jar is the automatic module {@code io.execauthz.springai} (an {@code
 * Automatic-Module-Name}), not a {@code module-info}: Spring AI's jars name themselves only by
 * their file names ({@code spring.ai.model}), and a module descriptor that requires an unstable
 * name would break as soon as they are renamed or repackaged.
 */
package io.execauthz.springai;
