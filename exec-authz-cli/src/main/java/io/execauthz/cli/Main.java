package io.execauthz.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code exec-authz} command line. */
@Command(
    name = "exec-authz",
    mixinStandardHelpOptions = true,
    version = "exec-authz 0.1.0-SNAPSHOT",
    description = "Execution-bound authorization for AI agents.",
    subcommands = {
      DemoCommand.class,
      SimulateCommand.class,
      PolicyCommand.class,
      KeysCommand.class,
      GrantCommand.class,
      AuditCommand.class,
      McpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, for callers that redirect its output. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("exec-authz: " + e.getMessage());
          return 2;
        });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
