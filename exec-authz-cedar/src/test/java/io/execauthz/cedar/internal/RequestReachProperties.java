package io.execauthz.cedar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.policy.PolicySet;
import io.execauthz.ExecutionNode;
import io.execauthz.cedar.CedarDecision;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyLoadException;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.PolicyRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 16: a request sends Cedar only what the policies that may apply to it can read ({@link
 * Reach}), and leaves the schema out where it cannot change the answer ({@link
 * SchemaInfo#mayOmit}). For random policy sets — random scopes on principal, action and resource,
 * random conditions reading the context, the lineage and the arguments — under four schema modes
 * (none, the default schema, one whose action declares {@code args}, one with an action group),
 * every answer of the engine equals a bare cedar-java call given everything: the whole context, the
 * whole lineage and the schema. Compared: the decision, the determining policies and which policies
 * errored (or that the request was rejected).
 *
 * <p>300 policy sets × 6 requests (1,800 compared answers); the seed is in every failure.
 */
final class RequestReachProperties {
  private static final long BASE_SEED = 0x5EAC4L;
  private static final int SETS = 300;
  private static final int REQUESTS = 6;
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final RequestMapper.Limits LIMITS =
      new RequestMapper.Limits(16, 1_000, 65_536, 1_024);
  private static final Pattern ERRORED = Pattern.compile("policy '([^']+)'.* errored");

  private static final AtomicInteger COMPARED = new AtomicInteger();
  private static final AtomicInteger SCHEMA_OMITTED = new AtomicInteger();

  private static final String ARGS_SCHEMA =
      PolicyStore.defaultSchema()
          + "\naction \"custom.do\" appliesTo {\n"
          + "  principal: [User, Agent, Workload],\n"
          + "  resource: [Resource],\n"
          + "  context: { execution: Execution, kind: String, depth: Long, approved: Bool,\n"
          + "             delegators: Set<String>, now: Long, args: { n: Long } },\n"
          + "};\n";

  private static final String GROUP_SCHEMA =
      PolicyStore.defaultSchema()
          .replace(
              "action \"tool.call\" appliesTo",
              "action \"all\";\naction \"tool.call\" in [\"all\"] appliesTo");

  private enum Mode {
    NONE,
    DEFAULT,
    ARGS,
    GROUP
  }

  @TestFactory
  Stream<DynamicTest> sendingLess_answersAsSendingEverything() {
    return IntStream.range(0, SETS)
        .mapToObj(
            i -> {
              long seed = BASE_SEED + i;
              return DynamicTest.dynamicTest("seed " + seed, () -> check(seed));
            });
  }

  @AfterAll
  static void enoughCases() {
    // the schema was left out of a good share of calls, and at least 1,000 answers were compared
    assertThat(COMPARED.get()).as("compared answers").isGreaterThanOrEqualTo(1_000);
    assertThat(SCHEMA_OMITTED.get()).as("calls without the schema").isGreaterThan(100);
  }

  private static void check(long seed) throws Exception {
    // scrambled: java.util.Random's first draws for consecutive seeds are nearly the same
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L);
    Mode mode = Mode.values()[rnd.nextInt(Mode.values().length)];
    String principal =
        List.of("user:alice", "agent:coder", "agent:other", "spiffe://w/x").get(rnd.nextInt(4));
    List<ExecutionNode> nodes = RandomGraphs.nodes(rnd, principal, 2 + rnd.nextInt(6), NOW);
    String policies = policies(rnd, mode, nodes.size());
    PolicyStore.Builder b = PolicyStore.newBuilder().policies("random", policies);
    String schemaText =
        switch (mode) {
          case NONE -> null;
          case DEFAULT -> PolicyStore.defaultSchema();
          case ARGS -> ARGS_SCHEMA;
          case GROUP -> GROUP_SCHEMA;
        };
    if (schemaText == null) {
      b.noSchema();
    } else {
      b.schema("schema", schemaText);
    }
    String where = "seed " + seed + ", schema " + mode + ", policies:\n" + policies;
    PolicyStore store;
    try {
      store = b.build();
    } catch (PolicyLoadException e) {
      throw new AssertionError(where + "\ndid not load: " + e.getMessage(), e);
    }
    SchemaInfo schema = schemaText == null ? null : SchemaInfo.parse("schema", schemaText);
    PolicySet reference = PolicySet.parsePolicies(policies);
    BasicAuthorizationEngine cedar = new BasicAuthorizationEngine();
    try (store) {
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      for (int k = 0; k < REQUESTS; k++) {
        PolicyRequest r = request(rnd, mode, nodes.get(rnd.nextInt(nodes.size())));
        String at =
            where
                + "\nrequest "
                + r.view().principal()
                + " "
                + r.action()
                + " "
                + r.resource()
                + " "
                + r.args()
                + " at "
                + r.view().nodeId()
                + " "
                + r.view().lineage();
        CedarDecision ours = engine.explain(r);
        RequestMapper.Mapped less =
            RequestMapper.map(
                r, schema, LIMITS, a -> io.execauthz.spi.ArgumentReads.all(), reachOf(store));
        if (schema != null && !less.sendsSchema()) {
          SCHEMA_OMITTED.incrementAndGet();
        }
        // everything, built by hand: with a schema, args only where the action declares them
        FullRequest full =
            FullRequest.of(
                r,
                schema == null ? null : schema.schema(),
                schema == null || r.action().equals("custom.do"));
        AuthorizationResponse raw = cedar.isAuthorized(full.request, reference, full.entities);
        if (raw.type != AuthorizationResponse.SuccessOrFailure.Success || raw.success.isEmpty()) {
          assertThat(ours.permitted()).as(at).isFalse();
          assertThat(ours.errors()).as(at).anyMatch(e -> e.startsWith("request rejected"));
          COMPARED.incrementAndGet();
          continue;
        }
        AuthorizationSuccessResponse ok = raw.success.get();
        Set<String> refErrored = new TreeSet<>();
        ok.getErrors().forEach(e -> refErrored.add(id(e.getPolicyId())));
        Set<String> refReasons = new TreeSet<>();
        ok.getReason().forEach(p -> refReasons.add(id(p)));
        boolean allowed =
            refErrored.isEmpty() && ok.getDecision() == AuthorizationSuccessResponse.Decision.Allow;
        Set<String> ourErrored = new TreeSet<>();
        for (String e : ours.errors()) {
          Matcher m = ERRORED.matcher(e);
          assertThat(m.find()).as(at + "\nan error that names no policy: " + e).isTrue();
          ourErrored.add(m.group(1));
        }
        assertThat(ours.permitted()).as(at).isEqualTo(allowed);
        assertThat(ourErrored).as(at + "\nerrored policies").isEqualTo(refErrored);
        assertThat(new TreeSet<>(ours.determiningPolicies()))
            .as(at + "\ndetermining policies")
            .isEqualTo(refReasons);
        COMPARED.incrementAndGet();
      }
    }
  }

  /** cedar-java names parsed policies policy0, policy1, … in order; ours are p0, p1, …. */
  private static String id(String cedarId) {
    return cedarId.startsWith("policy") ? "p" + cedarId.substring(6) : cedarId;
  }

  private static Reach reachOf(PolicyStore store) throws Exception {
    var m = PolicyStore.class.getDeclaredMethod("snapshot");
    m.setAccessible(true);
    return ((Snapshot) m.invoke(store)).reach();
  }

  private static final List<String> ACTIONS =
      List.of("tool.call", "fs.read", "fs.write", "net.connect", "secret.read");

  private static PolicyRequest request(Random rnd, Mode mode, ExecutionNode node) {
    String action =
        mode == Mode.ARGS && rnd.nextInt(3) == 0
            ? "custom.do"
            : mode == Mode.GROUP && rnd.nextBoolean()
                ? "tool.call"
                : ACTIONS.get(rnd.nextInt(ACTIONS.size()));
    String resource =
        rnd.nextInt(8) == 0
            ? List.of("tool:x", "fs:/etc/passwd", "other:thing").get(rnd.nextInt(3)) // mismatched
            : switch (action) {
              case "tool.call" -> List.of("tool:x", "tool:deploy/prod").get(rnd.nextInt(2));
              case "fs.read", "fs.write" ->
                  List.of("fs:/etc/passwd", "fs:/repo/a").get(rnd.nextInt(2));
              case "net.connect" -> "net:h:80";
              case "secret.read" -> "secret:s";
              default -> "other:thing";
            };
    Map<String, Object> args = new LinkedHashMap<>();
    if (rnd.nextBoolean()) {
      args.put("n", (long) rnd.nextInt(5));
    }
    if (rnd.nextBoolean()) {
      args.put("repo", List.of("a", "b").get(rnd.nextInt(2)));
    }
    return new PolicyRequest(node.view(), action, resource, args, rnd.nextBoolean(), NOW);
  }

  private static String policies(Random rnd, Mode mode, int size) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      boolean permit = i == 0 ? rnd.nextInt(4) != 0 : rnd.nextInt(3) == 0;
      sb.append("@id(\"p")
          .append(i)
          .append("\")\n")
          .append(permit ? "permit" : "forbid")
          .append("(")
          .append(principalScope(rnd));
      String action = actionScope(rnd, mode);
      sb.append(", ")
          .append(action)
          .append(", ")
          .append(resourceScope(rnd, mode, action))
          .append(")");
      if (rnd.nextInt(4) != 0) {
        sb.append(" when { ").append(condition(rnd, mode, size)).append(" }");
      }
      if (rnd.nextInt(4) == 0) {
        sb.append(" unless { ").append(condition(rnd, mode, size)).append(" }");
      }
      sb.append(";\n");
    }
    return sb.toString();
  }

  private static String principalScope(Random rnd) {
    return switch (rnd.nextInt(8)) {
      case 0 -> "principal == User::\"alice\"";
      case 1 -> "principal == Agent::\"coder\"";
      case 2 -> "principal is Agent";
      case 3 -> "principal in Agent::\"coder\"";
      case 4 -> "principal is User in User::\"alice\"";
      default -> "principal";
    };
  }

  private static String actionScope(Random rnd, Mode mode) {
    if (mode == Mode.GROUP && rnd.nextInt(3) == 0) {
      return "action in Action::\"all\""; // the group tool.call is in
    }
    return switch (rnd.nextInt(7)) {
      case 0 -> "action == Action::\"tool.call\"";
      case 1 -> "action == Action::\"fs.write\"";
      case 2 -> "action in [Action::\"tool.call\", Action::\"fs.read\"]";
      case 3 -> "action in Action::\"secret.read\"";
      default -> "action";
    };
  }

  /**
   * A resource scope; under a schema, one of a type the action scope allows (else the load fails).
   */
  private static String resourceScope(Random rnd, Mode mode, String action) {
    String type;
    if (mode == Mode.NONE || action.equals("action")) {
      type = null;
    } else if (action.contains("fs.write")) {
      type = "Path";
    } else if (action.contains("secret.read")) {
      type = "Secret";
    } else {
      type = "Tool";
    }
    while (true) {
      String r =
          switch (rnd.nextInt(9)) {
            case 0 -> "resource == Tool::\"deploy/prod\"";
            case 1 -> "resource == Tool::\"x\"";
            case 2 -> "resource is Tool";
            case 3 -> "resource is Path";
            case 4 -> "resource == Path::\"/etc/passwd\"";
            case 5 -> "resource is Secret";
            default -> "resource";
          };
      if (type == null || r.equals("resource") || r.contains(type)) {
        return r;
      }
    }
  }

  private static String condition(Random rnd, Mode mode, int size) {
    String x = "Execution::\"n" + rnd.nextInt(size) + "\"";
    int choices = mode == Mode.NONE ? 17 : 12;
    return switch (rnd.nextInt(choices)) {
      case 0 -> "context.kind == \"task\"";
      case 1 -> "context.depth > 1";
      case 2 -> "context.approved";
      case 3 -> "context.delegators.contains(\"user:alice\")";
      case 4 -> "context.now > 100";
      case 5 -> "context.execution in " + x;
      case 6 -> "context.execution.kind == \"batch\"";
      case 7 -> "context.execution.depth >= 2";
      case 8 -> x + ".depth >= 1";
      case 9 -> x + " in " + "Execution::\"n0\"";
      case 10 -> "context.execution == " + x;
      case 11 -> "context.depth < 3 && context.approved";
      // without a schema only: arguments, and reads that error
      case 12 -> "context.args.n > 2";
      case 13 -> "context has args && context.args has repo && context.args.repo == \"a\"";
      case 14 -> "context.args.repo == \"b\"";
      case 15 -> "resource.owner == \"x\"";
      default -> "context.kind == context.args.repo";
    };
  }
}
