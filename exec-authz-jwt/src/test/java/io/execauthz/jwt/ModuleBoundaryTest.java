package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM enforces the jwt module's boundary: a consumer module on the module path compiles against
 * {@code io.execauthz.jwt} (and, through it, core's API) and cannot reach {@code
 * io.execauthz.jwt.internal}, where the JOSE plumbing lives.
 */
final class ModuleBoundaryTest {
  @TempDir Path dir;

  /** The jar (or classes directory) of a class, named so that this module need not read it. */
  private static String location(String className)
      throws URISyntaxException, ClassNotFoundException {
    Class<?> c = Class.forName(className);
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  /** Compiles a one-class consumer module; returns the compiler's messages, or "" on success. */
  private String compileConsumer(String body) throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("consumer"));
    Files.writeString(
        src.resolve("module-info.java"), "module consumer { requires io.execauthz.jwt; }");
    Files.writeString(src.resolve("consumer/Use.java"), "package consumer;\n" + body);
    String modulePath =
        String.join(
            File.pathSeparator,
            location("io.execauthz.jwt.GrantIssuer"),
            location("io.execauthz.ExecutionGraph"),
            location("com.github.benmanes.caffeine.cache.Caffeine"),
            location("com.fasterxml.jackson.core.JsonFactory"),
            location("com.nimbusds.jose.JWSObject"),
            location("com.google.crypto.tink.subtle.Ed25519Sign"));
    // a separate javac process: the consumer is compiled exactly as a user's build would
    Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
    Process p =
        new ProcessBuilder(
                List.of(
                    javac.toString(),
                    "--module-path",
                    modulePath,
                    "-d",
                    dir.resolve("out").toString(),
                    src.resolve("module-info.java").toString(),
                    src.resolve("consumer/Use.java").toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ok;
    try {
      ok = p.waitFor() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return ok ? "" : out;
  }

  @Test
  void aConsumerModule_usesTheJwtApiAndCoresThroughIt() throws Exception {
    String errors =
        compileConsumer(
            "import io.execauthz.Decision;\n"
                + "import io.execauthz.jwt.*;\n"
                + "class Use {\n"
                + "  GrantVerifier use() {\n"
                + "    SigningKey key = SigningKey.generate(GrantAlgorithm.values()[0]);\n"
                + "    return GrantVerifier.newBuilder().keys(PublicKeySet.of(key))"
                + ".issuer(\"orchestrator\").audience(\"tools\")"
                + ".withoutRevocationChecks().build();\n"
                + "  }\n"
                + "  Decision last;\n"
                + "}\n");
    assertThat(errors).isEmpty();
  }

  @Test
  void aConsumerModule_cannotReachInternal() throws Exception {
    String errors =
        compileConsumer(
            "class Use {\n"
                + "  Object use() {\n"
                + "    return io.execauthz.jwt.internal.Jose.EDDSA;\n"
                + "  }\n"
                + "}\n");
    assertThat(errors).contains("io.execauthz.jwt.internal").contains("not visible");
  }
}
