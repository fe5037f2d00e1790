package io.execauthz.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.cedar.PolicyStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the example application, as {@code main} does, and checks what its agent did. */
final class AgentApplicationTest {
  @Test
  void application_starts_andItsAgentSeesAndDoesOnlyWhatItsNodeAndPoliciesAllow() {
    try (ConfigurableApplicationContext ctx = SpringApplication.run(AgentApplication.class)) {
      List<String> lines = ctx.getBean(AgentApplication.Transcript.class).lines();
      AgentApplication.RepoTools tools = ctx.getBean(AgentApplication.RepoTools.class);

      assertThat(ctx.getBean(PolicyStore.class).policyIds())
          .containsExactlyInAnyOrder("baseline", "no-delete");
      assertThat(lines)
          .containsSubsequence(
              "model is shown [search]",
              "  model calls delete_repo",
              "  model calls search",
              "  model reads: 3 hits for 'TODO'",
              "agent answered: found 3 TODOs; deleting the repository is not allowed",
              "task-1 is now COMPLETED");
      assertThat(lines).contains("  model reads: DENY POLICY: denied by no-delete");
      assertThat(tools.ran).containsExactly("search");
    }
  }
}
