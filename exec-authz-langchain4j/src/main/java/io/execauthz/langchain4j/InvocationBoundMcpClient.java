package io.execauthz.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.McpGetPromptResult;
import dev.langchain4j.mcp.client.McpPrompt;
import dev.langchain4j.mcp.client.McpReadResourceResult;
import dev.langchain4j.mcp.client.McpResource;
import dev.langchain4j.mcp.client.McpResourceTemplate;
import dev.langchain4j.mcp.client.McpRoot;
import dev.langchain4j.service.tool.ToolExecutionResult;
import java.util.List;
import java.util.Map;

/**
 * A view of a shared MCP client bound to one AI service invocation: the calls LangChain4j makes
 * without an invocation context (its tool provider lists tools with {@code listTools()}) go with
 * this one, so the request carries that invocation's node — and so its grant. Calls that bring
 * their own context keep it. Closing it does not close the shared client.
 *
 * <p>Immutable; as thread-safe as the client it wraps.
 */
final class InvocationBoundMcpClient implements McpClient {
  private final McpClient delegate;
  private final InvocationContext invocation;

  InvocationBoundMcpClient(McpClient delegate, InvocationContext invocation) {
    this.delegate = delegate;
    this.invocation = invocation;
  }

  @Override
  public String key() {
    return delegate.key();
  }

  @Override
  public String instructions() {
    return delegate.instructions();
  }

  @Override
  public List<ToolSpecification> listTools() {
    return delegate.listTools(invocation);
  }

  @Override
  public List<ToolSpecification> listTools(InvocationContext context) {
    return delegate.listTools(context);
  }

  @Override
  public ToolExecutionResult executeTool(ToolExecutionRequest request) {
    return delegate.executeTool(request, invocation);
  }

  @Override
  public ToolExecutionResult executeTool(ToolExecutionRequest request, InvocationContext context) {
    return delegate.executeTool(request, context);
  }

  @Override
  public List<McpResource> listResources() {
    return delegate.listResources(invocation);
  }

  @Override
  public List<McpResource> listResources(InvocationContext context) {
    return delegate.listResources(context);
  }

  @Override
  public List<McpResourceTemplate> listResourceTemplates() {
    return delegate.listResourceTemplates(invocation);
  }

  @Override
  public List<McpResourceTemplate> listResourceTemplates(InvocationContext context) {
    return delegate.listResourceTemplates(context);
  }

  @Override
  public McpReadResourceResult readResource(String uri) {
    return delegate.readResource(uri, invocation);
  }

  @Override
  public McpReadResourceResult readResource(String uri, InvocationContext context) {
    return delegate.readResource(uri, context);
  }

  @Override
  public void subscribeToResource(String uri) {
    delegate.subscribeToResource(uri);
  }

  @Override
  public void unsubscribeFromResource(String uri) {
    delegate.unsubscribeFromResource(uri);
  }

  @Override
  public List<McpPrompt> listPrompts() {
    return delegate.listPrompts();
  }

  @Override
  public McpGetPromptResult getPrompt(String name, Map<String, Object> arguments) {
    return delegate.getPrompt(name, arguments);
  }

  @Override
  public void checkHealth() {
    delegate.checkHealth();
  }

  @Override
  public void setRoots(List<McpRoot> roots) {
    delegate.setRoots(roots);
  }

  /** The shared client stays open: it serves every other invocation. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "InvocationBound[" + delegate.key() + "]";
  }
}
