package io.execauthz.cli;

import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.SigningKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exec-authz keys …}: signing keys for grants. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Generates signing keys for grants.",
    subcommands = {KeysCommand.Generate.class})
final class KeysCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code exec-authz keys generate [--alg EdDSA|ES256] --out KEY.json --public JWKS.json}. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Writes a new signing key and its public key set.",
        "",
        "The private key is a JWK readable by its owner only; the public JWK set is what a tool"
            + " server verifies grants with."
      })
  static final class Generate implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--alg",
        paramLabel = "ALG",
        defaultValue = "EdDSA",
        description = "EdDSA (Ed25519, the default) or ES256.")
    String alg;

    @Option(names = "--out", required = true, paramLabel = "KEY.json", description = "Private JWK.")
    Path out;

    @Option(
        names = "--public",
        required = true,
        paramLabel = "JWKS.json",
        description = "Public JWK set.")
    Path publicSet;

    @Override
    public Integer call() throws Exception {
      GrantAlgorithm algorithm;
      try {
        algorithm = GrantAlgorithm.fromJwsName(alg);
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("exec-authz: --alg: " + e.getMessage());
        return 2;
      }
      SigningKey key = SigningKey.generate(algorithm);
      key.write(out);
      key.publicKeySet().write(publicSet);
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %s key %s to %s and its public set to %s%n",
              algorithm, key.kid(), out, publicSet);
      return 0;
    }
  }
}
