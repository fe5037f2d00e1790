/**
 * LangChain4j for exec-authz: {@link io.execauthz.langchain4j.ExecAuthzTools}, a {@code
 * ToolProvider} for {@code AiServices} that shows the model only what the call's execution node may
 * call and authorizes every tool execution first, and {@link io.execauthz.langchain4j.NodeScope}, a
 * child node for a sub-agent call that collapses when the call returns. The node travels in
 * LangChain4j's own {@code InvocationParameters}, never in a thread-local. {@link
 * io.execauthz.langchain4j.McpGrantHeaders} carries the calling node's grant on every request of
 * LangChain4j's MCP client (optional dependency {@code langchain4j-mcp}).
 *
 * <p><b>Module.</b> The jar is the automatic module {@code io.execauthz.langchain4j} (an {@code
 * Automatic-Module-Name}), not a {@code module-info}: LangChain4j's jars name themselves only by
 * their file names ({@code langchain4j}, {@code langchain4j.core}), and a module descriptor that
 * requires an unstable name would break as soon as they are renamed or repackaged.
 */
package io.execauthz.langchain4j;
