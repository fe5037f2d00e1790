package io.execauthz.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code exec-authz completion bash|zsh}: a shell completion script from picocli's generator, made
 * from the same command model as the help, so it never goes stale. The script serves both shells
 * (zsh through its {@code bashcompinit}).
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a shell completion script for exec-authz.",
      "",
      "Load it in the current shell with: source <(exec-authz completion bash)",
      "or keep it: exec-authz completion zsh > ~/.zfunc/_exec-authz (zsh loads it through"
          + " bashcompinit)."
    })
final class CompletionCommand implements Callable<Integer> {
  /** The shells the generated script supports. */
  enum Shell {
    BASH,
    ZSH
  }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "bash|zsh", description = "The shell: bash or zsh.")
  Shell shell;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("exec-authz", spec.root().commandLine());
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
