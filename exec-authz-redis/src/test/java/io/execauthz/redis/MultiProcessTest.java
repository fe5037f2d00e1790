package io.execauthz.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "must show", with tool servers in their own JVMs and the orchestrator in this one, all
 * sharing one real Redis: a revoke reaches every tool server; four JVMs of eight threads spend one
 * budget exactly; a tool server killed with SIGKILL and started again catches up before permitting.
 */
final class MultiProcessTest {
  private static final Duration BOUND = Duration.ofSeconds(2);

  @Test
  void revokeInTheOrchestrator_refusesTheNextCall_inEveryToolServer() throws Exception {
    try (Orchestrator o =
            new Orchestrator(
                TestRedis.sharedUri(), TestRedis.prefix(), BOUND, "tool.call tool:**");
        Child a = o.toolServer(BOUND);
        Child b = o.toolServer(BOUND)) {
      assertThat(a.read(60)).isEqualTo("READY true");
      assertThat(b.read(60)).isEqualTo("READY true");
      String token = o.grant("t");
      assertThat(a.ask("authorize " + token + " tool.call tool:files/read", 30))
          .isEqualTo("PERMIT");
      assertThat(b.ask("authorize " + token + " tool.call tool:files/read", 30))
          .isEqualTo("PERMIT");

      o.graph.revoke("s", "operator kill switch"); // the task's parent: its whole subtree

      // each tool server refuses within the staleness bound, for the reason the graph gave
      String cmd = "until-deny " + token + " tool.call tool:files/read " + BOUND.toMillis();
      assertThat(a.ask(cmd, 30)).isEqualTo("DENY REVOKED");
      assertThat(b.ask(cmd, 30)).isEqualTo("DENY REVOKED");
      assertThat(a.ask("authorize " + token + " tool.call tool:files/read", 30))
          .isEqualTo("DENY REVOKED");
    }
  }

  @Test
  void fourToolServers_ofEightThreads_spendOneBudgetOf1000_exactly() throws Exception {
    try (Orchestrator o =
        new Orchestrator(
            TestRedis.sharedUri(),
            TestRedis.prefix(),
            BOUND,
            "tool.call tool:files/* maxCalls=1000")) {
      List<Child> servers = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          // a budget test: five JVMs on a busy machine must not turn a late heartbeat into a deny
          servers.add(o.toolServer(Duration.ofSeconds(30)));
        }
        for (Child c : servers) {
          assertThat(c.read(60)).isEqualTo("READY true");
        }
        // each server gets its own grant for the same node: the budget is the node's
        for (Child c : servers) {
          c.send("spend " + o.grant("t") + " 8 tool.call tool:files/read");
        }
        long permits = 0;
        for (Child c : servers) {
          String line = c.read(120);
          assertThat(line).matches("PERMITS \\d+ OTHER 0");
          permits += Long.parseLong(line.split(" ")[1]);
        }
        assertThat(permits).isEqualTo(1000);
      } finally {
        for (Child c : servers) {
          c.close();
        }
      }
    }
  }

  @Test
  void aToolServerKilledAndRestarted_catchesUpBeforePermitting() throws Exception {
    try (Orchestrator o =
        new Orchestrator(TestRedis.sharedUri(), TestRedis.prefix(), BOUND, "tool.call tool:**")) {
      String token = o.grant("t");
      Child first = o.toolServer(BOUND);
      assertThat(first.read(60)).isEqualTo("READY true");
      assertThat(first.ask("authorize " + token + " tool.call tool:x/y", 30)).isEqualTo("PERMIT");
      first.kill();

      o.graph.revoke("t", "revoked while the tool server was down");

      try (Child again = o.toolServer(BOUND)) {
        // current on its first answer, and already refusing: it read the revocations at start
        assertThat(again.read(60)).isEqualTo("READY true");
        assertThat(again.ask("authorize " + token + " tool.call tool:x/y", 30))
            .isEqualTo("DENY REVOKED");
      }
    }
  }
}
