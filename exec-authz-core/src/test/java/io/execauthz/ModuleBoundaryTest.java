package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM enforces the API boundary: a consumer module on the module path compiles against the
 * exported packages and cannot reach {@code io.execauthz.internal}.
 */
final class ModuleBoundaryTest {
  @TempDir Path dir;

  private static Path location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Compiles a one-class consumer module; returns the compiler's messages, or "" on success. */
  private String compileConsumer(String body) throws IOException, URISyntaxException {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("consumer"));
    Files.writeString(
        src.resolve("module-info.java"), "module consumer { requires io.execauthz.core; }");
    Files.writeString(src.resolve("consumer/Use.java"), "package consumer;\n" + body);
    String modulePath =
        String.join(
            java.io.File.pathSeparator,
            location(ExecutionGraph.class).toString(),
            location(Caffeine.class).toString(),
            location(JsonFactory.class).toString());
    // a separate javac process: the consumer is compiled exactly as a user's build would
    Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
    Process p =
        new ProcessBuilder(
                javac.toString(),
                "--module-path",
                modulePath,
                "-d",
                dir.resolve("out").toString(),
                src.resolve("module-info.java").toString(),
                src.resolve("consumer/Use.java").toString())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
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
  void aConsumerModule_usesTheApiAndTheSpi() throws Exception {
    String errors =
        compileConsumer(
            "import io.execauthz.*;\n"
                + "import io.execauthz.audit.*;\n"
                + "import io.execauthz.capability.*;\n"
                + "import io.execauthz.spi.*;\n"
                + "class Use {\n"
                + "  Decision use(java.nio.file.Path log) throws java.io.IOException {\n"
                + "    ExecutionGraph g = ExecutionGraph.newBuilder().build();\n"
                + "    BudgetLedger l = g.budgetLedger();\n"
                + "    CapabilitySet caps = CapabilitySet.of(Capability.parse(\"tool.call tool:x\"));\n"
                + "    AuditVerification v = AuditLogVerifier.verify(log);\n"
                + "    return Authorizer.newBuilder().graph(g)"
                + ".policyEngine(PolicyEngine.permitAll()).build()"
                + ".authorize(\"n\", \"tool.call\", \"tool:x\");\n"
                + "  }\n"
                + "}\n");
    assertThat(errors).isEmpty();
  }

  @Test
  void aConsumerModule_cannotReachThePackagePrivateParser() throws Exception {
    String errors =
        compileConsumer(
            "class Use {\n"
                + "  Object use() {\n"
                + "    return io.execauthz.capability.ResourceParser.class;\n"
                + "  }\n"
                + "}\n");
    assertThat(errors).contains("ResourceParser").contains("not public");
  }

  @Test
  void aConsumerModule_cannotReachInternal() throws Exception {
    String errors =
        compileConsumer(
            "class Use {\n"
                + "  Object use() {\n"
                + "    return new io.execauthz.internal.InMemoryBudgetLedger(\n"
                + "        java.time.InstantSource.system(), java.time.Duration.ZERO, 1);\n"
                + "  }\n"
                + "}\n");
    assertThat(errors).contains("io.execauthz.internal").contains("not visible");
  }
}
