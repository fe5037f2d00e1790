package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Core stays readable (issue 11): the two entry points under 300 lines and no source file of core
 * over 400 — no exceptions.
 */
final class CoreSizeTest {
  private static final Path SOURCES = Path.of("src/main/java");

  private static Map<String, Integer> lines() throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> text = Files.readAllLines(p);
        out.put(SOURCES.relativize(p).toString().replace('\\', '/'), text.size());
      }
    }
    return out;
  }

  @Test
  void executionGraph_isUnder300Lines() throws IOException {
    assertThat(lines().get("io/execauthz/ExecutionGraph.java")).isLessThan(300);
  }

  @Test
  void authorizer_isUnder300Lines() throws IOException {
    assertThat(lines().get("io/execauthz/Authorizer.java")).isLessThan(300);
  }

  @Test
  void noCoreSource_isOver400Lines() throws IOException {
    Map<String, Integer> all = lines();
    assertThat(all).hasSizeGreaterThan(50);
    Map<String, Integer> over = new TreeMap<>();
    all.forEach(
        (file, n) -> {
          if (n > 400) {
            over.put(file, n);
          }
        });
    assertThat(over).as("core sources over 400 lines").isEmpty();
  }
}
