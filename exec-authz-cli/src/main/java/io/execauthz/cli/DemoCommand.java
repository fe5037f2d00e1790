package io.execauthz.cli;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeSpec;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.GrantIssuanceException;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantToken;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.RevocationRegistry;
import io.execauthz.jwt.SigningKey;
import io.execauthz.mcp.McpGuard;
import io.execauthz.spi.AuditSink;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exec-authz demo}: a multi-agent run whose authority shrinks batch by batch. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a built-in multi-agent run and shows every decision.",
      "",
      "Authority shrinks batch by batch (37 tools to 1); a sub-agent is refused; parallel tasks"
          + " claim overlapping parts of the tree; a merge point gets no more than its parents; a"
          + " grant travels to an MCP tool server over HTTP (a call permitted, one out of scope,"
          + " one after the grant is revoked); a stale task expires; a revocation wave collapses"
          + " a whole batch. Ends with the execution tree."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--audit",
      paramLabel = "FILE",
      description = "Append every decision to this hash-chained JSON-lines audit log.")
  Path audit;

  @Option(
      names = "--mermaid",
      paramLabel = "FILE",
      description =
          "Also write the run's execution graph as a Mermaid flowchart (final states, merges,"
              + " permits and denies per node).")
  Path mermaid;

  /** The tools of the demo's MCP server 'github' (tool:github/T). */
  static final List<String> GITHUB_TOOLS = List.of("get_pr", "create_pr", "push", "merge_pr");

  static final List<String> TOOLS =
      List.of(
          "github/search_code",
          "github/get_file",
          "github/list_prs",
          "github/get_pr",
          "github/create_branch",
          "github/push",
          "github/create_pr",
          "github/merge_pr",
          "jira/search",
          "jira/get_issue",
          "jira/create_issue",
          "jira/transition",
          "jira/comment",
          "slack/read_channel",
          "slack/post_message",
          "slack/dm",
          "slack/upload",
          "docs/search",
          "docs/read",
          "docs/write",
          "docs/publish",
          "shell/run_tests",
          "shell/exec",
          "shell/lint",
          "browser/open",
          "browser/click",
          "browser/screenshot",
          "browser/fill_form",
          "db/query",
          "db/migrate",
          "db/backup",
          "db/restore",
          "deploy/plan",
          "deploy/apply",
          "deploy/rollback",
          "secrets/read",
          "secrets/rotate");

  /** What the demo's security team wrote (validated against the default schema). */
  static final String POLICIES =
      """
      @id("baseline")
      permit(principal, action, resource);

      @id("no-unapproved-slack-posts")
      forbid(principal, action == Action::"tool.call", resource == Tool::"slack/post_message")
        unless { context.approved };

      @id("no-deploys-below-depth-2")
      forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/apply")
        when { context.depth > 2 };
      """;

  private PolicyStore policies;
  private CedarPolicyEngine engine;
  private PrintWriter out;
  private RevocationRegistry revocations;
  private AuditSink auditSink;
  private Authorizer authorizer;
  private ExecutionGraph graph;
  private final List<String> order = new ArrayList<>();
  private final List<Decision> decisions = new ArrayList<>();

  /** The MCP server's decisions, as its authorizer's observer is told of them (Tomcat threads). */
  private final Queue<Decision> served = new ConcurrentLinkedQueue<>();

  private int permits;
  private int denies;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    policies = PolicyStore.of(POLICIES);
    engine = CedarPolicyEngine.of(policies);
    out.println("exec-authz demo: one multi-agent run; authority shrinks as the work converges.");
    out.println(
        "(inside the graph's ceiling, the security team's Cedar policies decide: "
            + String.join(", ", policies.policyIds())
            + ")");
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T09:00:00Z"));
    revocations = RevocationRegistry.inMemory(clock);
    graph =
        ExecutionGraph.newBuilder()
            .clock(clock)
            .random(new SplittableRandom(42))
            .listener(revocations.graphListener("orchestrator"))
            .build();
    JsonLinesAuditSink sink = audit == null ? null : JsonLinesAuditSink.newBuilder(audit).build();
    String head = null;
    try {
      auditSink = sink == null ? AuditSink.discarding() : sink;
      authorizer =
          Authorizer.newBuilder().graph(graph).policyEngine(engine).auditSink(auditSink).build();
      run(clock);
    } finally {
      policies.close();
      if (sink != null) {
        head = sink.head();
        sink.close();
      }
    }
    out.println();
    out.println("Execution tree (capabilities, state at the end of the run)");
    printTree();
    out.println();
    out.printf("%d decisions: %d permitted, %d denied%n", permits + denies, permits, denies);
    if (mermaid != null) {
      SimulateCommand.writeText(mermaid, mermaid());
      out.println("execution graph (Mermaid): " + mermaid);
    }
    if (audit != null) {
      out.println("audit log: " + audit + ", head " + head);
      out.println("check it with: exec-authz audit verify --head " + head + " " + audit);
    }
    out.flush();
    return 0;
  }

  private void run(ManualClock clock) {
    List<String> all = new ArrayList<>();
    for (String t : TOOLS) {
      all.add("tool.call tool:" + t);
    }
    all.add("fs.* fs:/repo/**");
    section("A session for user:alice: " + TOOLS.size() + " tools and the repository");
    spawn(
        null,
        NodeSpec.builder("session")
            .kind("session")
            .principal("user:alice")
            .capabilities(all)
            .ttl(Duration.ofHours(1))
            .build());

    section("Batch 1 (research) narrows to read-only tools");
    spawn(
        "session",
        NodeSpec.builder("research")
            .kind("batch")
            .principal("agent:researcher")
            .capabilities(
                "tool.call tool:github/search_code", "tool.call tool:github/get_file",
                "tool.call tool:github/list_prs", "tool.call tool:github/get_pr",
                "tool.call tool:jira/search", "tool.call tool:jira/get_issue",
                "tool.call tool:docs/search", "tool.call tool:docs/read",
                "tool.call tool:slack/read_channel", "tool.call tool:browser/open",
                "tool.call tool:browser/screenshot", "fs.read fs:/repo/**")
            .ttl(Duration.ofMinutes(20))
            .build());
    spawn(
        "research",
        NodeSpec.builder("reader")
            .principal("agent:reader")
            .capabilities("tool.call tool:github/search_code", "fs.read fs:/repo/**")
            .build());
    authorize("reader", "tool.call", "tool:github/search_code");
    authorize("reader", "fs.read", "fs:/repo/src/api/handler.java");
    note("the sub-agent reaches beyond its batch:");
    authorize("reader", "tool.call", "tool:shell/exec");
    authorize("reader", "fs.write", "fs:/repo/src/api/handler.java");
    spawn(
        "research", NodeSpec.builder("rogue").capabilities("tool.call tool:deploy/apply").build());
    complete("research");
    note("batch 1 is done; its authority collapsed with it:");
    authorize("reader", "tool.call", "tool:github/search_code");

    section("Batch 2 (implement): two parallel tasks claim overlapping parts of the tree");
    spawn(
        "session",
        NodeSpec.builder("implement")
            .kind("batch")
            .principal("agent:coder")
            .capabilities(
                "fs.read fs:/repo/**",
                "fs.write fs:/repo/src/**",
                "tool.call tool:shell/run_tests maxCalls=2",
                "tool.call tool:github/create_branch",
                "tool.call tool:github/push")
            .ttl(Duration.ofMinutes(30))
            .build());
    spawn(
        "implement",
        NodeSpec.builder("api")
            .capabilities(
                "fs.read fs:/repo/**",
                "fs.write fs:/repo/src/api/**",
                "tool.call tool:shell/run_tests maxCalls=2")
            .claims("fs:/repo/src/api/**")
            .build());
    spawn(
        "implement",
        NodeSpec.builder("api-docs")
            .capabilities("fs.write fs:/repo/src/api/docs/**")
            .claims("fs:/repo/src/api/docs/**")
            .holdOnConflict()
            .build());
    spawn(
        "implement",
        NodeSpec.builder("ui")
            .capabilities("fs.read fs:/repo/**", "fs.write fs:/repo/src/**")
            .claims("fs:/repo/src/ui/**")
            .build());
    authorize("api", "fs.write", "fs:/repo/src/api/handler.java");
    authorize("api-docs", "fs.write", "fs:/repo/src/api/docs/index.md");
    authorize("ui", "fs.write", "fs:/repo/src/api/handler.java");
    authorize("ui", "fs.read", "fs:/repo/src/api/handler.java");
    note("the test runner has a budget of 2 calls, shared by the batch:");
    authorize("api", "tool.call", "tool:shell/run_tests");
    authorize("api", "tool.call", "tool:shell/run_tests");
    authorize("api", "tool.call", "tool:shell/run_tests");
    complete("api");
    note("the api task completed and released its claim; the held docs task started by itself:");
    authorize("api-docs", "fs.write", "fs:/repo/src/api/docs/index.md");
    complete("api-docs");
    complete("ui");

    section("Batch 3 (review) runs beside batch 2; a merge point gets no more than both");
    spawn(
        "session",
        NodeSpec.builder("review")
            .kind("batch")
            .principal("agent:reviewer")
            .capabilities(
                "fs.read fs:/repo/**",
                "tool.call tool:github/create_pr",
                "tool.call tool:github/push",
                "tool.call tool:slack/post_message")
            .ttl(Duration.ofMinutes(30))
            .build());
    join(
        List.of("implement", "review"),
        NodeSpec.builder("merge").kind("merge").capabilities("fs.write fs:/repo/src/**").build());
    join(
        List.of("implement", "review"),
        NodeSpec.builder("merge")
            .kind("merge")
            .capabilities("fs.read fs:/repo/**", "tool.call tool:github/push")
            .build());
    authorize("merge", "tool.call", "tool:github/push");
    authorize("merge", "tool.call", "tool:slack/post_message");
    note("the review batch may post to Slack, but the security team's policy wants an approval:");
    authorize("review", "tool.call", "tool:slack/post_message");
    authorize(
        AuthorizationRequest.of("review", "tool.call", "tool:slack/post_message").withApproval());
    spawn(
        "merge",
        NodeSpec.builder("push")
            .kind("tool-call")
            .capabilities("tool.call tool:github/push approval")
            .ttl(Duration.ofMinutes(2))
            .build());
    authorize("push", "tool.call", "tool:github/push");
    authorize(
        AuthorizationRequest.of("push", "tool.call", "tool:github/push")
            .withArgs(Map.of("branch", "feature/api"))
            .withApproval());

    section("Batch 3's authority travels to an MCP tool server as a signed, attenuated grant");
    GrantIssuer issuer =
        GrantIssuer.newBuilder()
            .signingKey(SigningKey.generate(GrantAlgorithm.EDDSA))
            .issuer("orchestrator")
            .clock(clock)
            .random(new SplittableRandom(7)) // grant ids the same every run
            .build();
    GrantToken reviewGrant = issuer.mint(graph.node("review"), "mcp:github");
    GrantToken prOnly =
        issuer.attenuate(
            reviewGrant,
            CapabilitySet.parse("tool.call tool:github/create_pr"),
            Duration.ofMinutes(2));
    note(
        "grant for 'review' ("
            + reviewGrant.capabilities().size()
            + " capabilities) attenuated to "
            + prOnly.capabilities().texts()
            + ", expires "
            + prOnly.expiresAt());
    try {
      issuer.attenuate(
          prOnly, CapabilitySet.parse("tool.call tool:github/*"), Duration.ofMinutes(2));
    } catch (GrantIssuanceException e) {
      out.printf(
          "   attenuate  refused  %s: the child asks for 'tool.call tool:github/*', which its parent"
              + " grant does not hold%n",
          e.error());
    }
    Authorizer onToolServer =
        Authorizer.newBuilder()
            .clock(clock)
            .grantSource(
                GrantVerifier.newBuilder()
                    .keys(issuer.publicKeys())
                    .issuer("orchestrator")
                    .audience("mcp:github")
                    .clock(clock)
                    .revocations(revocations)
                    .build()
                    .asGrantSource())
            .budgetLedger(graph.budgetLedger()) // one node, one budget: in the graph and the server
            .policyEngine(engine)
            .auditSink(auditSink)
            .observer(o -> served.add(o.decision()))
            .build();
    try (DemoToolServer server =
        DemoToolServer.start(onToolServer, "github", GITHUB_TOOLS, clock)) {
      note(
          "an MCP server 'github' (Java SDK, Streamable HTTP on 127.0.0.1) guards its tools; the"
              + " SDK's client sends the grant in the "
              + McpGuard.HEADER
              + " header:");
      McpSyncClient client = server.client(prOnly.compact());
      note(
          "tools/list shows this grant "
              + client.listTools().tools().stream().map(McpSchema.Tool::name).toList()
              + " of the server's "
              + GITHUB_TOOLS.size()
              + " tools");
      call(client, "create_pr");
      McpSchema.CallToolResult refused = call(client, "push");
      note(
          "the refusal is an MCP tool result: isError "
              + refused.isError()
              + ", _meta[\""
              + McpGuard.META_DECISION
              + "\"].reason "
              + ((Map<?, ?>) refused.meta().get(McpGuard.META_DECISION)).get("reason"));
      revocations.revokeGrant(prOnly.id(), prOnly.expiresAt());
      note("an operator revokes that grant (its jti); the server refuses its next call:");
      call(client, "create_pr");
      GrantToken fresh =
          issuer.attenuate(
              reviewGrant,
              CapabilitySet.parse("tool.call tool:github/create_pr"),
              Duration.ofMinutes(2));
      McpSyncClient second = server.client(fresh.compact());
      complete("review");
      note("batch 3 completed: the server refuses a fresh grant for it at once");
      call(second, "create_pr");
    }

    section("A stale task: its deadline passes before it acts");
    spawn(
        "implement",
        NodeSpec.builder("slow-check")
            .capabilities("fs.read fs:/repo/**")
            .ttl(Duration.ofMinutes(5))
            .build());
    clock.advance(Duration.ofMinutes(6));
    authorize("slow-check", "fs.read", "fs:/repo/README.md");

    section("Batch 4 (deploy) fans out; an incident revokes the whole wave mid-run");
    spawn(
        "session",
        NodeSpec.builder("deploy")
            .kind("batch")
            .principal("agent:deployer")
            .capabilities("tool.call tool:deploy/plan", "tool.call tool:deploy/apply")
            .ttl(Duration.ofMinutes(15))
            .build());
    for (String region : List.of("eu", "us", "ap")) {
      spawn(
          "deploy",
          NodeSpec.builder("deploy-" + region).capabilities("tool.call tool:deploy/apply").build());
    }
    authorize("deploy-eu", "tool.call", "tool:deploy/apply");
    spawn(
        "deploy-eu", NodeSpec.builder("eu-db").capabilities("tool.call tool:deploy/apply").build());
    note("a sub-agent one level deeper holds the capability, but policy stops deploys that deep:");
    authorize("eu-db", "tool.call", "tool:deploy/apply");
    revoke("deploy", "incident INC-7: bad migration");
    authorize("deploy-us", "tool.call", "tool:deploy/apply");
    authorize("deploy-ap", "tool.call", "tool:deploy/apply");
  }

  private void section(String title) {
    out.println();
    out.println("== " + title);
  }

  private void note(String text) {
    out.println("   -- " + text);
  }

  private void spawn(String parent, NodeSpec spec) {
    try {
      ExecutionNode n = parent == null ? graph.spawn(spec) : graph.spawn(parent, spec);
      order.add(n.id());
      out.printf(
          "   spawn %-10s %-8s %2d capabilities  %s%n",
          n.id(), n.kind(), n.capabilities().size(), n.state());
    } catch (ExecutionGraphException e) {
      out.printf("   spawn %-10s refused  %s%n", spec.id(), e.getMessage());
    }
  }

  private void join(List<String> parents, NodeSpec spec) {
    try {
      ExecutionNode n = graph.join(parents, spec);
      order.add(n.id());
      out.printf(
          "   join  %-10s of %s, %d capabilities  %s%n",
          n.id(), parents, n.capabilities().size(), n.state());
    } catch (ExecutionGraphException e) {
      out.printf("   join  %-10s refused  %s%n", spec.id(), e.getMessage());
    }
  }

  private void complete(String id) {
    graph.complete(id);
    out.printf("   complete %s%n", id);
  }

  private void revoke(String id, String reason) {
    graph.revoke(id, reason);
    out.printf("   revoke %s (%s)%n", id, reason);
  }

  private void authorize(String node, String action, String resource) {
    authorize(AuthorizationRequest.of(node, action, resource));
  }

  private void authorize(AuthorizationRequest request) {
    record(
        request.nodeId(),
        authorizer.authorize(request),
        request.action() + " " + request.resource() + (request.approved() ? " (approved)" : ""));
  }

  private void record(String who, Decision d, String what) {
    decisions.add(d);
    if (d instanceof Decision.Deny deny) {
      printDeny(who, deny.reason().name(), deny.detail(), what);
    } else {
      printPermit(who, what);
    }
  }

  private void printDeny(String who, String reason, String detail, String what) {
    denies++;
    out.printf("   %-10s DENY   %-17s %s%n", who, reason, what);
    out.printf("   %-10s        %s%n", "", detail);
  }

  private void printPermit(String who, String what) {
    permits++;
    out.printf("   %-10s PERMIT                   %s%n", who, what);
  }

  /**
   * Calls {@code tool} over the wire and prints the answer the client got: a §7 refusal's reason
   * and detail as the result carries them. The server's own decision (told by its observer, matched
   * by decision id) is counted and drawn like every other.
   */
  private McpSchema.CallToolResult call(McpSyncClient client, String tool) {
    McpSchema.CallToolResult r =
        client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(Map.of()).build());
    Decision d = served.poll();
    String what = "tool.call tool:github/" + tool + " (grant)";
    if (d == null || !served.isEmpty()) {
      throw new IllegalStateException("the MCP server did not decide exactly once: " + what);
    }
    decisions.add(d);
    Object meta = r.meta() == null ? null : r.meta().get(McpGuard.META_DECISION);
    if (Boolean.TRUE.equals(r.isError()) && meta instanceof Map<?, ?> m) {
      String text = ((McpSchema.TextContent) r.content().get(0)).text();
      String reason = String.valueOf(m.get("reason"));
      String prefix = "DENY " + reason + ": ";
      if (d.isPermit() || !d.decisionId().equals(m.get("decisionId")) || !text.startsWith(prefix)) {
        throw new IllegalStateException("the MCP result does not carry the server's decision");
      }
      printDeny("mcp:github", reason, text.substring(prefix.length()), what);
    } else {
      if (!d.isPermit()) {
        throw new IllegalStateException("the MCP server ran a tool it refused: " + what);
      }
      printPermit("mcp:github", what);
    }
    return r;
  }

  /** The run's execution graph as a Mermaid flowchart. */
  private String mermaid() {
    MermaidGraph graph = new MermaidGraph();
    MermaidGraph.Section s = graph.section("exec-authz demo");
    order.forEach(id -> s.node(this.graph.node(id)));
    decisions.forEach(s::decision);
    return graph.render();
  }

  private void printTree() {
    for (String id : order) {
      ExecutionNode n = graph.node(id);
      if (n.parents().isEmpty()) {
        printNode(n, "", "");
      }
    }
  }

  private void printNode(ExecutionNode n, String prefix, String branch) {
    String parents =
        n.parents().size() > 1 ? "  (merge of " + String.join(" + ", n.parents()) + ")" : "";
    out.printf(
        "%-24s %-9s %2d caps  %-9s  %s%s%n",
        prefix + branch + n.id(),
        n.kind(),
        n.capabilities().size(),
        n.state(),
        n.principal(),
        parents);
    List<ExecutionNode> children = new ArrayList<>();
    for (String id : order) {
      ExecutionNode c = graph.node(id);
      if (!c.parents().isEmpty() && c.parents().get(0).equals(n.id())) {
        children.add(c);
      }
    }
    String childPrefix = prefix + (branch.isEmpty() ? "" : branch.startsWith("└") ? "   " : "│  ");
    for (int i = 0; i < children.size(); i++) {
      boolean last = i == children.size() - 1;
      printNode(children.get(i), childPrefix, last ? "└─ " : "├─ ");
    }
  }
}
