package io.execauthz.cli;

import io.execauthz.AuditLogVerifier;
import io.execauthz.AuditVerification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code exec-authz audit …}: tools for the hash-chained audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Tools for the hash-chained JSON-lines audit log.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code exec-authz audit verify [--head HASH] FILE}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Checks the log's hash chain: any edited, inserted, removed or reordered record,",
        "and with --head a cut tail too. Names the first bad record.",
        "Exit 0 when the log is intact, 1 when it is not (or cannot be read)."
      })
  static final class Verify implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--head",
        paramLabel = "HASH",
        description = "The head hash recorded when the log was last written (detects a cut tail).")
    String head;

    @Parameters(paramLabel = "FILE", description = "The audit log.")
    Path file;

    @Override
    public Integer call() throws Exception {
      if (!Files.isRegularFile(file)) {
        spec.commandLine().getErr().println("exec-authz: audit log " + file + " does not exist");
        return 1;
      }
      AuditVerification v =
          head == null ? AuditLogVerifier.verify(file) : AuditLogVerifier.verify(file, head);
      if (v.valid()) {
        spec.commandLine()
            .getOut()
            .printf("%s: OK, %d records, head %s%n", file, v.records(), v.head());
        return 0;
      }
      spec.commandLine()
          .getErr()
          .printf("%s: TAMPERED at record %d: %s%n", file, v.firstBadRecord(), v.problem());
      return 1;
    }
  }
}
