package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.Reason;
import io.execauthz.audit.AuditRecord;
import io.execauthz.audit.AuditSigningKey;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code exec-authz audit verify} with signed checkpoints (CONTRACT §6): keys made by {@code keys
 * generate} sign the log's head; the verifier, given the checkpoints and the public JWK set, tells
 * a cut tail, a rewritten log, a forged checkpoint and a torn last line apart. Exit 0 ok, 1 bad.
 */
final class AuditVerifyCommandTest {
  @TempDir Path dir;

  private Path log;
  private Path checkpoints;
  private Path key;
  private Path jwks;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static AuditRecord record(int i) {
    boolean permit = i % 2 == 0;
    return new AuditRecord(
        Instant.parse("2026-01-01T09:00:00Z").plusSeconds(i),
        "d-" + i,
        List.of("root", "task-" + i),
        "agent:" + i,
        List.of("user:alice", "agent:" + i),
        "tool.call",
        "tool:github/issue-" + i,
        permit,
        permit ? null : Reason.OUT_OF_SCOPE,
        permit ? "" : "not in scope",
        List.of(),
        null,
        null,
        "ab".repeat(32));
  }

  /** A key made by {@code keys generate}, read with the jwt module's key class. */
  private AuditSigningKey signingKey(Path file) throws IOException {
    return AuditSigningKey.fromJwk(SigningKey.read(file).toPrivateJwk());
  }

  private String write(AuditSigningKey signer, List<AuditRecord> records) throws IOException {
    try (JsonLinesAuditSink sink =
        JsonLinesAuditSink.newBuilder(log).checkpoints(signer).checkpointEveryRecords(2).build()) {
      for (AuditRecord r : records) {
        sink.record(r);
      }
      return sink.head();
    }
  }

  private static List<AuditRecord> records(int n) {
    return java.util.stream.IntStream.rangeClosed(1, n)
        .mapToObj(AuditVerifyCommandTest::record)
        .toList();
  }

  private Run verify() {
    return run(
        "audit",
        "verify",
        "--checkpoints",
        checkpoints.toString(),
        "--jwks",
        jwks.toString(),
        log.toString());
  }

  @BeforeEach
  void generateKeys() {
    log = dir.resolve("audit.jsonl");
    checkpoints = dir.resolve("audit.jsonl.checkpoints");
    key = dir.resolve("key.json");
    jwks = dir.resolve("jwks.json");
    Run gen =
        run(
            "keys",
            "generate",
            "--alg",
            "EdDSA",
            "--out",
            key.toString(),
            "--public",
            jwks.toString());
    assertThat(gen.exit()).as(gen.err()).isZero();
  }

  @Test
  void verify_signedIntactLog_exitsZeroSayingWhatIsSigned() throws IOException {
    String head = write(signingKey(key), records(5));

    Run r = verify();

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip())
        .isEqualTo(
            log + ": OK, 5 records, head " + head + ", 4 signed checkpoints, the last at record 5");
  }

  @Test
  void verify_cutTail_isTamperedWithoutAHead() throws IOException {
    write(signingKey(key), records(5));
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    Files.write(log, lines.subList(0, 3), StandardCharsets.UTF_8);
    assertThat(run("audit", "verify", log.toString()).exit()).isZero();

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip())
        .startsWith(log + ": TAMPERED at record 4: record 4: missing: signed checkpoint")
        .doesNotContain("\n");
  }

  @Test
  void verify_logRewrittenFromScratch_isTampered() throws IOException {
    write(signingKey(key), records(4));
    Files.delete(log);
    try (JsonLinesAuditSink forger = JsonLinesAuditSink.newBuilder(log).build()) {
      for (int i = 1; i <= 4; i++) {
        forger.record(i == 2 ? record(3) : record(i));
      }
    }

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("TAMPERED at record 2").contains("the log was rewritten");
  }

  @Test
  void verify_tornLastLine_isIncomplete() throws IOException {
    String head = write(signingKey(key), records(3));
    byte[] torn = ("{\"seq\":4,\"prev\":\"" + head + "\",\"ti").getBytes(StandardCharsets.UTF_8);
    byte[] all = Files.readAllBytes(log);
    byte[] out = Arrays.copyOf(all, all.length + torn.length);
    System.arraycopy(torn, 0, out, all.length, torn.length);
    Files.write(log, out);

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(log + ": INCOMPLETE at record 4: record 4: incomplete last line");
    Run plain = run("audit", "verify", log.toString());
    assertThat(plain.exit()).isEqualTo(1);
    assertThat(plain.err()).contains("INCOMPLETE at record 4");
  }

  @Test
  void verify_editedMiddleRecord_isTampered() throws IOException {
    write(signingKey(key), records(5));
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
    lines.set(2, lines.get(2).replace("issue-3", "issue-8"));
    Files.write(log, lines, StandardCharsets.UTF_8);

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("TAMPERED at record 4: record 4: prev hash does not match");
  }

  @Test
  void verify_checkpointsSignedByAnotherKey_isTampered() throws IOException {
    Path other = dir.resolve("other.json");
    assertThat(
            run(
                    "keys",
                    "generate",
                    "--out",
                    other.toString(),
                    "--public",
                    dir.resolve("other-jwks.json").toString())
                .exit())
        .isZero();
    write(signingKey(other), records(3));

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "TAMPERED at record 1: checkpoint 1: signed with an untrusted key: key '"
                + SigningKey.read(other).kid()
                + "' is not among the trusted keys");
  }

  @Test
  void verify_forgedSignatureUnderTheTrustedKid_isTampered() throws IOException {
    String kid = SigningKey.read(key).kid();
    write(AuditSigningKey.generate(kid), records(3)); // the forger knows the kid, not the key

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("checkpoint 1: the signature does not verify with key '" + kid);
  }

  @Test
  void verify_es256KeySet_trustsNoCheckpoint() throws IOException {
    SigningKey es = SigningKey.generate(GrantAlgorithm.fromJwsName("ES256"));
    es.publicKeySet().write(jwks);
    write(signingKey(key), records(2));

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("signed with an untrusted key");
  }

  @Test
  void verify_checkpointsWithoutJwks_isOneLineNamingTheFlag() throws IOException {
    write(signingKey(key), records(1));

    Run r = run("audit", "verify", "--checkpoints", checkpoints.toString(), log.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo(
            "exec-authz: --checkpoints needs --jwks JWKS.json (the keys that may sign them)");
  }

  @Test
  void verify_unreadableJwks_isOneLineNamingIt() throws IOException {
    write(signingKey(key), records(1));
    Files.writeString(jwks, "{\"keys\": 1}");

    Run r = verify();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("exec-authz: --jwks: " + jwks).doesNotContain("\n");
  }

  @Test
  void verify_malformedHead_isOneLineNamingTheFlag() throws IOException {
    write(signingKey(key), records(1));

    Run r = run("audit", "verify", "--head", "abc", log.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("exec-authz: --head: expected head must be 64 hex");
  }
}
