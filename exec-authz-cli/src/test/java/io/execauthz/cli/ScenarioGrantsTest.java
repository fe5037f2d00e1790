package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario runner's tool servers share the graph's budget ledger and its graph-fed revocation
 * registry: a node's {@code maxCalls} binds in the graph and through every grant, on every tool
 * server, and a revocation reaches every tool server at once.
 */
final class ScenarioGrantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private List<JsonNode> simulate(String yaml) throws Exception {
    Path f = dir.resolve("scenario.yaml");
    Files.writeString(f, yaml);
    Cli.Result r = Cli.run("simulate", "--format", "json", f.toString());
    assertThat(r.exit()).as("%s%n%s", r.err(), r.out()).isZero();
    List<String> lines = r.lines();
    List<JsonNode> out = new java.util.ArrayList<>();
    for (String line : lines.subList(0, lines.size() - 1)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void aNodesBudget_bindsTheGraphAndEveryGrantOnEveryToolServer() throws Exception {
    List<JsonNode> steps =
        simulate(
            """
            steps:
              - spawn: {id: s, principal: "user:a", kind: session,
                        capabilities: ["tool.call tool:x/* maxCalls=3"]}
              - spawn: {id: t, parent: s, capabilities: ["tool.call tool:x/* maxCalls=2"]}
              - authorize: {node: t, action: tool.call, resource: "tool:x/a", expect: PERMIT}
              - grant: {node: t, audience: "mcp:one", as: g1}
              - grant: {node: t, audience: "mcp:two", as: g2}
              - attenuate: {grant: g1, capabilities: ["tool.call tool:x/a maxCalls=2"], as: g3}
              - authorize: {grant: g1, audience: "mcp:one", action: tool.call,
                            resource: "tool:x/a", expect: PERMIT}
              - authorize: {grant: g2, audience: "mcp:two", action: tool.call,
                            resource: "tool:x/a", expect: DENY BUDGET_EXHAUSTED}
              - authorize: {grant: g3, audience: "mcp:one", action: tool.call,
                            resource: "tool:x/a", expect: DENY BUDGET_EXHAUSTED}
              - authorize: {node: t, action: tool.call, resource: "tool:x/a",
                            expect: DENY BUDGET_EXHAUSTED}
              # the session's budget of 3 has one call left, for a sibling's grant
              - spawn: {id: u, parent: s, capabilities: ["tool.call tool:x/* maxCalls=3"]}
              - grant: {node: u, audience: "mcp:two", as: g4}
              - authorize: {grant: g4, audience: "mcp:two", action: tool.call,
                            resource: "tool:x/b", expect: PERMIT}
              - authorize: {grant: g4, audience: "mcp:two", action: tool.call,
                            resource: "tool:x/b", expect: DENY BUDGET_EXHAUSTED}
              - authorize: {node: u, action: tool.call, resource: "tool:x/b",
                            expect: DENY BUDGET_EXHAUSTED}
            """);
    assertThat(steps).allSatisfy(s -> assertThat(s.get("ok").asBoolean()).as("%s", s).isTrue());
    long permits = steps.stream().filter(s -> "PERMIT".equals(s.path("decision").asText())).count();
    assertThat(permits).isEqualTo(3); // the session's maxCalls=3, however the calls arrived
  }

  @Test
  void aRevocation_reachesEveryToolServer() throws Exception {
    List<JsonNode> steps =
        simulate(
            """
            steps:
              - spawn: {id: s, principal: "user:a", capabilities: ["fs.read fs:/repo/**"]}
              - grant: {node: s, audience: "mcp:one", as: g1}
              - grant: {node: s, audience: "mcp:two", as: g2}
              - authorize: {grant: g1, audience: "mcp:one", action: fs.read,
                            resource: "fs:/repo/a", expect: PERMIT}
              - revoke: {node: s, reason: incident}
              - authorize: {grant: g1, audience: "mcp:one", action: fs.read,
                            resource: "fs:/repo/a", expect: DENY REVOKED}
              - authorize: {grant: g2, audience: "mcp:two", action: fs.read,
                            resource: "fs:/repo/a", expect: DENY REVOKED}
              - attenuate: {grant: g1, capabilities: ["fs.read fs:/repo/a"], as: g3,
                            expect: INACTIVE}
            """);
    assertThat(steps).allSatisfy(s -> assertThat(s.get("ok").asBoolean()).as("%s", s).isTrue());
  }
}
