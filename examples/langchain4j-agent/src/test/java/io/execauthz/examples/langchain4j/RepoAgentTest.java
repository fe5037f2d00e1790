package io.execauthz.examples.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the example end to end and checks what it printed. */
final class RepoAgentTest {
  @Test
  void example_runs_andEachModelSeesAndDoesOnlyWhatItsNodeAllows() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RepoAgent.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out)
        .contains("lead model is shown [research]")
        .contains("spawned research-1 under lead")
        .contains("researcher model is shown [search]")
        .contains("researcher reads: DENY OUT_OF_SCOPE: tool 'read_file'")
        .contains("researcher reads: 3 hits for 'auth'")
        .contains("lead reads: auth lives in Auth.java")
        .contains("lead reads: DENY OUT_OF_SCOPE: tool 'delete_repo'")
        .contains("lead answered: auth is in Auth.java; I may not delete the repository")
        .contains("research-1 is now COMPLETED")
        .contains("lead model is shown []")
        .contains("after revocation: stopped");
  }
}
