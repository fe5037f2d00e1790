package io.execauthz.cli;

import io.execauthz.cedar.PolicyLoadException;
import io.execauthz.cedar.PolicyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code exec-authz policy …}: tools for Cedar policies. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Validates Cedar policies and replays audit logs under them.",
    subcommands = {PolicyCommand.Validate.class, PolicyReplayCommand.class})
final class PolicyCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code exec-authz policy validate [--schema F] FILE…}. */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Parses Cedar policies and validates them against a schema.",
        "",
        "The schema is exec-authz's default unless --schema names a .cedarschema file;"
            + " --schema none skips validation. Errors are printed as file:line:col: message.",
        "",
        "Exit 0 when every file is valid, 1 when one is not."
      })
  static final class Validate implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--schema", paramLabel = "F", description = "A .cedarschema file, or 'none'.")
    String schema;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Cedar policy files.")
    List<Path> files;

    @Override
    public Integer call() {
      PolicyStore.Builder b = PolicyStore.newBuilder();
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          spec.commandLine().getErr().println("exec-authz: policy file " + f + " does not exist");
          return 1;
        }
        b.file(f);
      }
      if ("none".equals(schema)) {
        b.noSchema();
      } else if (schema != null) {
        Path s = Path.of(schema);
        if (!Files.isRegularFile(s)) {
          spec.commandLine().getErr().println("exec-authz: schema file " + s + " does not exist");
          return 1;
        }
        b.schemaFile(s);
      }
      try (PolicyStore store = b.build()) {
        spec.commandLine()
            .getOut()
            .printf(
                "%d policies valid%s: %s%n",
                store.policyIds().size(),
                "none".equals(schema) ? " (not validated against a schema)" : "",
                String.join(", ", store.policyIds()));
        return 0;
      } catch (PolicyLoadException e) {
        for (String error : e.errors()) {
          spec.commandLine().getErr().println(error);
        }
        return 1;
      }
    }
  }
}
