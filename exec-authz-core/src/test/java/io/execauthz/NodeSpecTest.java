package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.capability.CapabilitySet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A spec checks its own input when it is made, without a graph: the builder and the canonical
 * constructor refuse the same things with the same typed error.
 */
final class NodeSpecTest {

  private static ExecutionGraphException refused(GraphError expected, Runnable make) {
    try {
      make.run();
    } catch (ExecutionGraphException e) {
      assertThat(e.error()).as("error of: %s", e.getMessage()).isEqualTo(expected);
      return e;
    }
    throw new AssertionError("expected " + expected + ", but the spec was made");
  }

  private static NodeSpec direct(String id, String kind, String principal, Map<String, String> a) {
    return new NodeSpec(
        id, kind, principal, CapabilitySet.empty(), null, List.of(), false, a, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "tab\there", "naïve", "semi;colon", "new\nline"})
  void build_badId_isInvalid_withoutAGraph(String id) {
    ExecutionGraphException e = refused(GraphError.INVALID, () -> NodeSpec.builder(id).build());
    assertThat(e.getMessage()).contains("node id").doesNotContain("\n");
    refused(GraphError.INVALID, () -> direct(id, "task", null, Map.of()));
  }

  @Test
  void build_idOf129Characters_isInvalid_128IsFine() {
    refused(GraphError.INVALID, () -> NodeSpec.builder("a".repeat(129)).build());
    assertThat(NodeSpec.builder("a".repeat(128)).build().id()).hasSize(128);
    assertThat(NodeSpec.builder("spiffe://acme/agent-1@v2.0_x:y").build().kind()).isEqualTo("task");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a b",
        "a.b",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void build_badKind_isInvalid(String kind) {
    ExecutionGraphException e =
        refused(GraphError.INVALID, () -> NodeSpec.builder("n").kind(kind).build());
    assertThat(e.getMessage()).contains("kind").contains("'n'");
    refused(GraphError.INVALID, () -> direct("n", kind, null, Map.of()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "user alice", "user:\"alice\"", "user:a\\b", "user:\u00e9"})
  void build_badPrincipal_isInvalid(String principal) {
    ExecutionGraphException e =
        refused(GraphError.INVALID, () -> NodeSpec.builder("r").principal(principal).build());
    assertThat(e.getMessage()).contains("principal").contains("'r'");
    refused(GraphError.INVALID, () -> direct("r", "task", principal, Map.of()));
  }

  @Test
  void build_principalOf256Printable_isFine_257IsInvalid() {
    assertThat(NodeSpec.builder("r").principal("p".repeat(256)).build().principal()).hasSize(256);
    refused(GraphError.INVALID, () -> NodeSpec.builder("r").principal("p".repeat(257)).build());
  }

  @Test
  void build_badAttributes_areInvalid_tooManyIsALimit() {
    refused(
        GraphError.INVALID, () -> NodeSpec.builder("r").attributes(Map.of("bad key", "v")).build());
    refused(
        GraphError.INVALID,
        () -> NodeSpec.builder("r").attributes(Map.of("k", "v".repeat(1025))).build());
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 65; i++) {
      many.put("k" + i, "v");
    }
    ExecutionGraphException e =
        refused(GraphError.LIMIT, () -> NodeSpec.builder("r").attributes(many).build());
    assertThat(e.getMessage()).contains("64 attributes");
    many.remove("k64");
    assertThat(NodeSpec.builder("r").attributes(many).build().attributes()).hasSize(64);
  }

  @Test
  void build_hostileId_isPrintedSafely() {
    ExecutionGraphException e =
        refused(GraphError.INVALID, () -> NodeSpec.builder("x\u0007" + "y".repeat(100)).build());
    assertThat(e.getMessage()).doesNotContain("\u0007").contains("…");
  }

  @Test
  void builder_optionSetTwice_isRefused() {
    assertThatThrownBy(() -> NodeSpec.builder("n").kind("a").kind("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> NodeSpec.builder("n").ttl(Duration.ofSeconds(1)).ttl(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ttl");
  }
}
