package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A node is not a level of authority: it has one, built at spawn, and keeps its lineage's levels,
 * so the pipeline gets an array that already exists (no allocation per decision).
 */
final class NodeLevelTest {
  private final ExecutionGraph graph =
      ExecutionGraph.newBuilder()
          .clock(new MutableClock(Instant.parse("2026-01-01T00:00:00Z")))
          .random(new SplittableRandom(7))
          .build();

  private Node spawn(String parent, String id, String... capabilities) {
    NodeSpec.Builder b = NodeSpec.builder(id).capabilities(capabilities);
    return (Node)
        (parent == null
            ? graph.spawn(b.principal("user:alice").build())
            : graph.spawn(parent, b.build()));
  }

  @Test
  void levels_areTheLineagesLevels_inItsOrder() {
    spawn(null, "s", "tool.call tool:** maxCalls=10");
    spawn("s", "a", "tool.call tool:x maxCalls=3");
    Node b = spawn("a", "b", "tool.call tool:x maxCalls=2");

    Level[] levels = b.levels();

    assertThat(Arrays.stream(levels).map(Level::levelId)).containsExactly("b", "a", "s");
    assertThat(levels[2].levelBudgets()[0].maxCalls()).isEqualTo(10);
    assertThat(levels[1].levelBudgets()[0].maxCalls()).isEqualTo(3);
    assertThat(levels[0].levelBudgets()[0].maxCalls()).isEqualTo(2);
    assertThat(levels[0].budgetOnly()).isFalse();
  }

  @Test
  void levels_ofAKeptLineage_areTheSameArrayOnEveryCall() {
    spawn(null, "s", "tool.call tool:**");
    Node a = spawn("s", "a", "tool.call tool:x");

    assertThat(a.levels()).isSameAs(a.levels());
    assertThat(a.levels()[0]).isSameAs(a.level);
    assertThat(a.levels()[1].levelBudgets()).hasSize(1).containsOnlyNulls(); // no maxCalls
  }

  @Test
  void aNode_isNotALevel() {
    assertThat(Level.class).isFinal();
    assertThat(Level.class.isAssignableFrom(Node.class)).isFalse();
  }
}
