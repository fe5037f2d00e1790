package io.execauthz.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.ExecutionGraph;
import io.execauthz.NodeSpec;
import io.execauthz.Reason;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.cedar.PolicyLoadException;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.springai.ExecAuthzToolCallbacks;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter in a real Spring application context, with real Cedar and real Spring AI tools. */
final class ExecAuthzAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ExecAuthzAutoConfiguration.class, ExecAuthzSpringAiAutoConfiguration.class));

  @TempDir Path dir;

  /** The application's own tool beans: one callback and one provider of @Tool methods. */
  @Configuration(proxyBeanMethods = false)
  static class ToolBeans {
    final List<String> ran = new ArrayList<>();

    @Bean
    List<String> ran() {
      return ran;
    }

    @Bean
    ToolCallback deleteRepo(List<String> ran) {
      ToolDefinition d =
          ToolDefinition.builder()
              .name("delete_repo")
              .description("Deletes the repository")
              .inputSchema("{\"type\":\"object\"}")
              .build();
      return new ToolCallback() {
        @Override
        public ToolDefinition getToolDefinition() {
          return d;
        }

        @Override
        public String call(String toolInput) {
          ran.add("delete_repo");
          return "deleted";
        }
      };
    }

    @Bean
    ToolCallbackProvider repoTools(List<String> ran) {
      return MethodToolCallbackProvider.builder().toolObjects(new RepoTools(ran)).build();
    }
  }

  static final class RepoTools {
    private final List<String> ran;

    RepoTools(List<String> ran) {
      this.ran = ran;
    }

    @Tool(description = "Searches the code")
    String search(String query) {
      ran.add("search " + query);
      return "hits for " + query;
    }
  }

  private static void spawnSession(ExecutionGraph graph) {
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:local/*")
            .build());
  }

  @Test
  void properties_bind() {
    runner
        .withPropertyValues(
            "exec-authz.toolset=repo",
            "exec-authz.graph.id=graph-1",
            "exec-authz.graph.max-depth=5",
            "exec-authz.graph.default-ttl=10m",
            "exec-authz.audit.file=" + dir.resolve("audit.jsonl"),
            "exec-authz.audit.fsync=true")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ExecAuthzProperties p = ctx.getBean(ExecAuthzProperties.class);
              assertThat(p.getToolset()).isEqualTo("repo");
              assertThat(p.getGraph().getMaxDepth()).isEqualTo(5);
              assertThat(p.getGraph().getDefaultTtl()).hasMinutes(10);
              assertThat(p.getAudit().isFsync()).isTrue();
              assertThat(ctx.getBean(ExecutionGraph.class).id()).isEqualTo("graph-1");
              assertThat(ctx.getBean(ExecAuthzToolCallbacks.class).toolset()).isEqualTo("repo");
              assertThat(ctx.getBean(AuditSink.class)).isInstanceOf(JsonLinesAuditSink.class);
              assertThat(ctx).doesNotHaveBean(PolicyStore.class);
            });
  }

  @Test
  void policies_load_andDecide() {
    runner
        .withPropertyValues("exec-authz.policies=classpath:policies/*.cedar")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(PolicyStore.class).policyIds())
                  .containsExactlyInAnyOrder("baseline", "no-delete");
              spawnSession(ctx.getBean(ExecutionGraph.class));
              Authorizer a = ctx.getBean(Authorizer.class);
              assertThat(a.authorize("session", "tool.call", "tool:local/search").isPermit())
                  .isTrue();
              Decision d = a.authorize("session", "tool.call", "tool:local/delete_repo");
              assertThat(d).isInstanceOf(Decision.Deny.class);
              assertThat(((Decision.Deny) d).reason()).isEqualTo(Reason.POLICY);
              assertThat(d.determiningPolicies()).containsExactly("no-delete");
            });
  }

  @Test
  void badPolicyFile_failsStartup_withFileAndLine() {
    runner
        .withPropertyValues("exec-authz.policies=classpath:bad/*.cedar")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              Throwable root = ctx.getStartupFailure();
              while (root.getCause() != null && !(root instanceof PolicyLoadException)) {
                root = root.getCause();
              }
              assertThat(root).isInstanceOf(PolicyLoadException.class);
              assertThat(root.getMessage()).contains("broken.cedar:3:");
            });
  }

  @Test
  void policyLocationMatchingNothing_failsStartup() {
    runner
        .withPropertyValues("exec-authz.policies=classpath:nowhere/*.cedar")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("no policy file matches 'classpath:nowhere/*.cedar'");
            });
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyToolCallbackBean_isGuarded() {
    runner
        .withUserConfiguration(ToolBeans.class)
        .withPropertyValues("exec-authz.policies=classpath:policies/*.cedar")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              List<String> ran = ctx.getBean("ran", List.class);
              spawnSession(ctx.getBean(ExecutionGraph.class));
              List<ToolCallback> all = new ArrayList<>();
              all.addAll(ctx.getBeansOfType(ToolCallback.class).values());
              ctx.getBeansOfType(ToolCallbackProvider.class).values().stream()
                  .filter(p -> !(p instanceof ExecAuthzToolCallbacks))
                  .forEach(p -> all.addAll(List.of(p.getToolCallbacks())));
              assertThat(all).hasSize(2);
              for (ToolCallback c : all) {
                // no node: refused, whichever bean it is
                assertThat(c.call("{\"query\":\"q\"}"))
                    .as(c.getToolDefinition().name())
                    .startsWith("DENY UNKNOWN_NODE: ");
              }
              assertThat(ran).isEmpty();
              ToolContext session = new ToolContext(ExecAuthzToolCallbacks.toolContext("session"));
              Map<String, String> out = new java.util.TreeMap<>();
              for (ToolCallback c : all) {
                out.put(c.getToolDefinition().name(), c.call("{\"query\":\"q\"}", session));
              }
              assertThat(out.get("search")).contains("hits for q");
              assertThat(out.get("delete_repo")).startsWith("DENY POLICY: ");
              assertThat(ran).containsExactly("search q");
              // what a model would be shown for the node: the graph and the policies agree
              ToolCallback[] shown =
                  ctx.getBean(ExecAuthzToolCallbacks.class).visibleTo("session").getToolCallbacks();
              assertThat(shown)
                  .extracting(t -> t.getToolDefinition().name())
                  .containsExactly("search");
            });
  }

  @Test
  void guardBeans_canBeTurnedOff() {
    runner
        .withUserConfiguration(ToolBeans.class)
        .withPropertyValues("exec-authz.spring-ai.guard-beans=false")
        .run(
            ctx ->
                assertThat(ctx.getBean("deleteRepo", ToolCallback.class).call("{}"))
                    .isEqualTo("deleted"));
  }

  @Test
  void everyBean_backsOffForTheApplicationsOwn() {
    ExecutionGraph mine = ExecutionGraph.newBuilder().id("mine").build();
    Authorizer own =
        Authorizer.newBuilder().graph(mine).policyEngine(PolicyEngine.permitAll()).build();
    runner
        .withBean(ExecutionGraph.class, () -> mine)
        .withBean(Authorizer.class, () -> own)
        .run(
            ctx -> {
              assertThat(ctx.getBean(ExecutionGraph.class)).isSameAs(mine);
              assertThat(ctx.getBean(Authorizer.class)).isSameAs(own);
            });
  }

  @Test
  void configurationMetadata_isGenerated_forIdeCompletion() throws Exception {
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(json)
          .contains("\"exec-authz.policies\"")
          .contains("\"exec-authz.toolset\"")
          .contains("\"exec-authz.audit.file\"")
          .contains("\"exec-authz.spring-ai.guard-beans\"")
          .contains("Cedar policy locations");
    }
  }
}
