package io.execauthz.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.AuditTrustedKeys;
import io.execauthz.audit.AuditVerification;
import io.execauthz.jwt.PublicKeySet;
import java.io.IOException;
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
    description = "Checks hash-chained JSON-lines audit logs.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code exec-authz audit verify [--head HASH] [--checkpoints FILE --jwks JWKS.json] [--format
   * text|json] FILE}.
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Checks the audit log's hash chain and names the first bad record.",
        "",
        "Finds any edited, inserted, removed or reordered record, and with --head or signed"
            + " checkpoints (--checkpoints FILE --jwks JWKS.json) a cut tail or a rewritten log"
            + " too. Says INCOMPLETE for a torn last line (a crash), TAMPERED for an edit. Prints"
            + " one readable line, or with --format json one JSON object.",
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
        names = "--checkpoints",
        paramLabel = "FILE",
        description =
            "The signed checkpoints file the sink wrote (the log's name with .checkpoints"
                + " appended); needs --jwks.")
    Path checkpoints;

    @Option(
        names = "--jwks",
        paramLabel = "JWKS.json",
        description = "The public JWK set whose Ed25519 keys may sign checkpoints.")
    Path jwks;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "A readable line (text, the default) or one JSON object (json).")
    OutputFormat format;

    @Parameters(paramLabel = "FILE", description = "The audit log.")
    Path file;

    private int fail(String message) {
      spec.commandLine().getErr().println("exec-authz: " + message);
      return 1;
    }

    @Override
    public Integer call() throws Exception {
      if ((checkpoints == null) != (jwks == null)) {
        return fail(
            checkpoints == null
                ? "--jwks needs --checkpoints FILE (the signed checkpoints to check)"
                : "--checkpoints needs --jwks JWKS.json (the keys that may sign them)");
      }
      if (!Files.isRegularFile(file)) {
        return fail("audit log " + file + " does not exist");
      }
      AuditTrustedKeys keys = null;
      if (jwks != null) {
        if (!Files.isRegularFile(checkpoints)) {
          return fail("--checkpoints: " + checkpoints + " does not exist");
        }
        try {
          // Read as grant keys are, so the two can never disagree on what a key file holds.
          keys = AuditTrustedKeys.fromJwks(PublicKeySet.read(jwks).toJson());
        } catch (IOException e) {
          return fail("--jwks: cannot read " + jwks + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
          return fail("--jwks: " + jwks + ": " + e.getMessage());
        }
      }
      AuditVerification v;
      try {
        v = verify(keys);
      } catch (IllegalArgumentException e) {
        return fail("--head: " + e.getMessage());
      }
      if (format == OutputFormat.JSON) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", file.toString());
        o.put("valid", v.valid());
        o.put("result", v.valid() ? "OK" : v.status().name());
        o.put("records", v.records());
        if (!v.valid()) {
          o.put("firstBadRecord", v.firstBadRecord());
          o.put("problem", v.problem());
        }
        o.put("head", v.head());
        if (keys != null) {
          o.put("checkpoints", v.checkpoints());
          o.put("signedRecords", v.signedRecords());
        }
        spec.commandLine().getOut().println(o);
        spec.commandLine().getOut().flush();
        return v.valid() ? 0 : 1;
      }
      if (v.valid()) {
        StringBuilder line =
            new StringBuilder()
                .append(file)
                .append(": OK, ")
                .append(v.records())
                .append(" records, head ")
                .append(v.head());
        if (keys != null) {
          line.append(", ")
              .append(v.checkpoints())
              .append(v.checkpoints() == 1 ? " signed checkpoint" : " signed checkpoints")
              .append(", the last at record ")
              .append(v.signedRecords());
          if (v.signedRecords() < v.records()) {
            line.append(" (")
                .append(v.records() - v.signedRecords())
                .append(" records after it are not signed yet)");
          }
        }
        spec.commandLine().getOut().println(line);
        return 0;
      }
      spec.commandLine()
          .getErr()
          .printf("%s: %s at record %d: %s%n", file, v.status(), v.firstBadRecord(), v.problem());
      return 1;
    }

    private AuditVerification verify(AuditTrustedKeys keys) throws IOException {
      if (keys == null) {
        return head == null ? AuditLogVerifier.verify(file) : AuditLogVerifier.verify(file, head);
      }
      return head == null
          ? AuditLogVerifier.verify(file, checkpoints, keys)
          : AuditLogVerifier.verify(file, head, checkpoints, keys);
    }
  }
}
