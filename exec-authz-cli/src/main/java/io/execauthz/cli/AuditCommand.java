package io.execauthz.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.AuditLogVerifier;
import io.execauthz.AuditVerification;
import java.io.PrintWriter;
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
    description = "Verifies the hash-chained JSON-lines audit log.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code exec-authz audit verify [--head HASH] [--format text|json] FILE}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Checks the audit log's hash chain and names the first bad record.",
        "",
        "Finds any edited, inserted, removed or reordered record, and with --head a cut tail"
            + " too. Prints one readable line, or with --format json one JSON object on standard"
            + " output.",
        "",
        "Exit 0 when the log is intact, 1 when it is not (or cannot be read)."
      })
  static final class Verify implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--head",
        paramLabel = "HASH",
        description = "The head hash recorded when the log was last written (detects a cut tail).")
    String head;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "A readable line (text, the default) or one JSON object (json).")
    OutputFormat format;

    @Parameters(paramLabel = "FILE", description = "The audit log.")
    Path file;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (!Files.isRegularFile(file)) {
        spec.commandLine().getErr().println("exec-authz: audit log " + file + " does not exist");
        return 1;
      }
      AuditVerification v =
          head == null ? AuditLogVerifier.verify(file) : AuditLogVerifier.verify(file, head);
      if (format == OutputFormat.JSON) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", file.toString());
        o.put("valid", v.valid());
        o.put("records", v.records());
        if (!v.valid()) {
          o.put("result", "TAMPERED");
          o.put("firstBadRecord", v.firstBadRecord());
          o.put("problem", v.problem());
        } else {
          o.put("result", "OK");
        }
        o.put("head", v.head());
        out.println(o);
        out.flush();
        return v.valid() ? 0 : 1;
      }
      Ansi ansi = Main.ansi(spec);
      if (v.valid()) {
        out.printf("%s: %s, %d records, head %s%n", file, ansi.green("OK"), v.records(), v.head());
        out.flush();
        return 0;
      }
      spec.commandLine()
          .getErr()
          .printf("%s: TAMPERED at record %d: %s%n", file, v.firstBadRecord(), v.problem());
      return 1;
    }
  }
}
