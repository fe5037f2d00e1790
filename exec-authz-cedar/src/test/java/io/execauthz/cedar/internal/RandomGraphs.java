package io.execauthz.cedar.internal;

import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random execution graphs for the property suites: a session, then spawns and merges. */
final class RandomGraphs {
  private RandomGraphs() {}

  /**
   * Nodes {@code n0} (a session of {@code principal}) to {@code n<size-1>}, each spawned under a
   * random earlier node or, one time in three, joined from two; in creation order.
   */
  static List<ExecutionNode> nodes(Random rnd, String principal, int size, Instant now) {
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(() -> now).build();
    List<ExecutionNode> nodes = new ArrayList<>();
    nodes.add(
        graph.spawn(
            NodeSpec.builder("n0")
                .kind("session")
                .principal(principal)
                .capabilities("tool.call tool:**")
                .ttl(Duration.ofHours(1))
                .build()));
    for (int i = 1; i < size; i++) {
      NodeSpec spec =
          NodeSpec.builder("n" + i)
              .kind(List.of("batch", "worker", "task").get(rnd.nextInt(3)))
              .capabilities("tool.call tool:**")
              .build();
      ExecutionNode a = nodes.get(rnd.nextInt(nodes.size()));
      ExecutionNode b = nodes.get(rnd.nextInt(nodes.size()));
      nodes.add(
          a != b && rnd.nextInt(3) == 0
              ? graph.join(List.of(a.id(), b.id()), spec)
              : graph.spawn(a.id(), spec));
    }
    return nodes;
  }
}
