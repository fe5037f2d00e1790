package io.execauthz.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code exec-authz} command line. */
@Command(
    name = "exec-authz",
    mixinStandardHelpOptions = true,
    version = "exec-authz 0.1.0-SNAPSHOT",
    description = "Execution-bound authorization for AI agents.",
    subcommands = {
      DemoCommand.class,
      SimulateCommand.class,
      ExplainCommand.class,
      PolicyCommand.class,
      KeysCommand.class,
      GrantCommand.class,
      AuditCommand.class,
      RevokeCommand.class,
      CompletionCommand.class,
      McpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The process's standard output, the only writer that may ever get colour. */
  private final PrintWriter stdout;

  private final Ansi stdoutAnsi;

  private Main(PrintWriter stdout, Ansi stdoutAnsi) {
    this.stdout = stdout;
    this.stdoutAnsi = stdoutAnsi;
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    resendUnansweredPosts();
    System.exit(run(args));
  }

  /** The JDK switch that lets its HTTP client send any request again, not only GET and HEAD. */
  static final String RESEND_PROPERTY = "jdk.httpclient.enableAllMethodRetry";

  /**
   * A server may close a kept-alive connection just as the client reuses it: the request then gets
   * not one byte of answer. Browsers and most HTTP clients send it again on a new connection; the
   * JDK's does so only for GET and HEAD unless this process says otherwise, and the MCP client of
   * {@code demo} and the upstream client of {@code mcp proxy} POST. A value set by the user stays.
   * Must run before the first HTTP request of the process: the JDK reads it once.
   */
  static void resendUnansweredPosts() {
    if (System.getProperty(RESEND_PROPERTY) == null) {
      System.setProperty(RESEND_PROPERTY, "true");
    }
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, for callers that redirect its output. */
  static CommandLine commandLine() {
    PrintWriter stdout = new PrintWriter(new OutputStreamWriter(System.out, stdoutCharset()), true);
    CommandLine cli = new CommandLine(new Main(stdout, Ansi.forStdout()));
    cli.setOut(stdout);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // descriptions wrap at the terminal's width (80 columns when it cannot be read)
    cli.setUsageHelpAutoWidth(true);
    cli.setUsageHelpLongOptionsMaxWidth(28);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("exec-authz: " + e.getMessage());
          return 2;
        });
    return cli;
  }

  /**
   * The colour rule for a command's output: colour only when it writes to the process's own
   * standard output and that is a terminal without {@code NO_COLOR}; never for a redirected writer.
   */
  static Ansi ansi(CommandSpec spec) {
    return spec.root().userObject() instanceof Main m && spec.commandLine().getOut() == m.stdout
        ? m.stdoutAnsi
        : Ansi.OFF;
  }

  private static Charset stdoutCharset() {
    for (String p : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
      String name = System.getProperty(p);
      if (name != null && Charset.isSupported(name)) {
        return Charset.forName(name);
      }
    }
    return Charset.defaultCharset();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
