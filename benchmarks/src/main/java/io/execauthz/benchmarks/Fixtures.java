package io.execauthz.benchmarks;

import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimBool;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import io.execauthz.AuthorizationRequest;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.cedar.PolicyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the benchmarks share: ten realistic policies, one agent run four levels deep, the request
 * every authorize benchmark makes, and wide subtrees for the graph benchmarks. Built the same way
 * for our pipeline and for the raw peers, so both are measured on identical inputs.
 */
final class Fixtures {
  /** Ten policies of the kinds docs/cedar.md shows; they validate strictly against the schema. */
  static final String POLICIES =
      """
      @id("baseline")
      permit(principal, action, resource);

      @id("no-shell-without-approval")
      forbid(principal, action == Action::"tool.call", resource)
        when { resource == Tool::"shell/exec" || resource == Tool::"shell/run" }
        unless { context.approved };

      @id("depth-limit")
      forbid(principal, action, resource) when { context.depth > 8 };

      @id("batch-2-read-only")
      forbid(principal, action == Action::"fs.write", resource)
        when { context.execution in Execution::"batch-2" };

      @id("deploys-for-alice-only")
      forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/prod")
        unless { context.delegators.contains("user:alice") };

      @id("no-deploys-from-deep-tasks")
      forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/prod")
        when { context.kind == "task" && context.depth > 2 };

      @id("secrets-need-approval")
      forbid(principal, action == Action::"secret.read", resource) unless { context.approved };

      @id("no-cloud-metadata")
      forbid(principal, action == Action::"net.connect", resource == Host::"169.254.169.254:80");

      @id("no-etc-writes")
      forbid(principal, action == Action::"fs.write", resource == Path::"/etc/passwd");

      @id("change-freeze")
      forbid(principal, action == Action::"tool.call", resource == Tool::"deploy/prod")
        when { context.now >= 4102444800 };
      """;

  /** The node every authorize benchmark asks about, at depth 3. */
  static final String NODE = "task-7";

  static final String ACTION = "tool.call";
  static final String RESOURCE = "tool:github/create_issue";

  /** The call's arguments; sent to Cedar only without a schema (the default one declares none). */
  static final Map<String, Object> ARGS =
      Map.of("repo", "acme/api", "title", "Flaky test in CI", "labels", List.of("bug", "ci"));

  /** A session's capabilities: wide, sixteen of them. */
  static final List<String> SESSION_CAPABILITIES =
      List.of(
          "tool.call tool:github/*",
          "tool.call tool:jira/*",
          "tool.call tool:slack/*",
          "tool.call tool:search/*",
          "tool.call tool:deploy/staging",
          "tool.call tool:shell/exec approval",
          "fs.read fs:/repo/**",
          "fs.write fs:/repo/src/**",
          "fs.write fs:/repo/docs/**",
          "fs.read fs:/tmp/**",
          "fs.write fs:/tmp/**",
          "net.connect net:api.github.com:443",
          "net.connect net:acme.atlassian.net:443",
          "net.connect net:hooks.slack.com:443",
          "secret.read secret:GITHUB_TOKEN approval",
          "secret.read secret:JIRA_TOKEN approval");

  /**
   * What a worker asks of its parent: four capabilities, each narrower than one of the session's.
   */
  static final List<String> TASK_CAPABILITIES =
      List.of(
          "tool.call tool:github/*",
          "fs.read fs:/repo/**",
          "fs.write fs:/repo/src/** maxCalls=100",
          "net.connect net:api.github.com:443");

  private Fixtures() {}

  /** One lineage node as a user's own agent framework would keep it. */
  record UserNode(String id, String kind, int depth, List<String> parents) {}

  /** The lineage of {@link #NODE}, node first, as {@link #agentRun} builds it. */
  static final List<UserNode> LINEAGE =
      List.of(
          new UserNode("task-7", "task", 3, List.of("worker-3")),
          new UserNode("worker-3", "worker", 2, List.of("batch-1")),
          new UserNode("batch-1", "batch", 1, List.of("session")),
          new UserNode("session", "session", 0, List.of()));

  /** The principals from the root down to {@link #NODE}. */
  static final List<String> DELEGATORS = List.of("user:alice", "agent:planner", "agent:coder");

  /** A graph holding session → batch-1 → worker-3 → task-7, alive for a day. */
  static ExecutionGraph agentRun(ExecutionGraph.Builder builder) {
    ExecutionGraph g = builder.build();
    g.spawn(
        NodeSpec.builder("session")
            .kind("session")
            .principal("user:alice")
            .capabilities(SESSION_CAPABILITIES)
            .ttl(Duration.ofDays(1))
            .build());
    g.spawn(
        "session",
        NodeSpec.builder("batch-1")
            .kind("batch")
            .principal("agent:planner")
            .capabilities(SESSION_CAPABILITIES)
            .build());
    g.spawn(
        "batch-1",
        NodeSpec.builder("worker-3")
            .kind("worker")
            .principal("agent:coder")
            .capabilities(TASK_CAPABILITIES)
            .build());
    g.spawn(
        "worker-3", NodeSpec.builder(NODE).kind("task").capabilities(TASK_CAPABILITIES).build());
    return g;
  }

  /**
   * The context a user's own cedar-java call builds per call for a task node at depth 3 under
   * {@link #DELEGATORS}, as our mapping sends it (without {@code args}, which the caller adds).
   */
  static Map<String, Value> rawTaskContext(String nodeId) {
    Map<String, Value> context = new HashMap<>();
    context.put(
        "execution", new EntityUID(EntityTypeName.parse("Execution").orElseThrow(), nodeId));
    context.put("kind", new PrimString("task"));
    context.put("depth", new PrimLong(3));
    context.put("approved", new PrimBool(false));
    List<Value> delegators = new ArrayList<>();
    for (String d : DELEGATORS) {
      delegators.add(new PrimString(d));
    }
    context.put("delegators", new CedarList(delegators));
    context.put("now", new PrimLong(Instant.now().getEpochSecond()));
    return context;
  }

  /** The request every authorize benchmark makes. */
  static AuthorizationRequest request() {
    return AuthorizationRequest.of(NODE, ACTION, RESOURCE).withArgs(ARGS);
  }

  /** The policies, validated against the default schema ({@code "default"}) or none. */
  static PolicyStore store(String schema) {
    PolicyStore.Builder b = PolicyStore.newBuilder().policies("bench.cedar", POLICIES);
    switch (schema) {
      case "default":
        break;
      case "none":
        b.noSchema();
        break;
      default:
        throw new IllegalArgumentException("schema must be default or none, was " + schema);
    }
    PolicyStore store = b.build();
    check(store.nativelyCached(), "the policy set is not held in cedar-java's native cache");
    return store;
  }

  /**
   * Spawns exactly {@code descendants} nodes under {@code rootId}: first a chain {@code chain}
   * deep, then batches of one node and up to 999 children each (the default fan-out limit is
   * 1,000). Returns the id of the deepest node of the chain.
   */
  static String fill(
      ExecutionGraph g, String rootId, String prefix, int descendants, int chain, CapabilitySet c) {
    if (chain < 1 || chain > descendants) {
      throw new IllegalArgumentException("chain must be within 1.." + descendants);
    }
    String parent = rootId;
    for (int i = 0; i < chain; i++) {
      String id = prefix + "-chain-" + i;
      g.spawn(parent, NodeSpec.builder(id).kind("task").capabilities(c).build());
      parent = id;
    }
    String deepest = parent;
    int made = chain;
    for (int batch = 0; made < descendants; batch++) {
      String b = prefix + "-b" + batch;
      g.spawn(rootId, NodeSpec.builder(b).kind("batch").capabilities(c).build());
      made++;
      for (int t = 0; t < 999 && made < descendants; t++) {
        g.spawn(b, NodeSpec.builder(b + "-t" + t).kind("task").capabilities(c).build());
        made++;
      }
    }
    return deepest;
  }

  /** Throws unless {@code d} is a deny with {@code reason}. */
  static void checkDenied(Decision d, Reason reason) {
    check(
        d instanceof Decision.Deny deny && deny.reason() == reason,
        "expected a deny with " + reason + ", got " + d);
  }

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
