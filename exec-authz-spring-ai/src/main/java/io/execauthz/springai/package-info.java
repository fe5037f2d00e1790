/**
 * Spring AI for exec-authz: {@link io.execauthz.springai.ExecAuthzToolCallbacks} guards {@code
 * ToolCallback}s (every execution authorized for the node in the call's {@code ToolContext}) and
 * lists only what a node may call; {@link io.execauthz.springai.NodeScope} is a child node for a
 * sub-agent call that collapses when the call returns.
 */
package io.execauthz.springai;
