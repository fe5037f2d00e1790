package io.execauthz.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs every {@code ```java} block of every guide in {@code docs/}, so no guide can
 * show code that does not build or does not work.
 *
 * <p>A block that declares a class is compiled as it is, and its {@code main} run if it has one.
 * Any other block is a sequence of statements: it is wrapped in a {@code main} with the imports
 * below and run. A snippet checks what it shows with {@code if (...) throw new AssertionError()}.
 */
final class DocSnippetsTest {
  private static final String IMPORTS =
      String.join(
          "\n",
          "import io.execauthz.*;",
          "import io.execauthz.audit.*;",
          "import io.execauthz.capability.*;",
          "import io.execauthz.spi.*;",
          "import io.execauthz.cedar.*;",
          "import io.execauthz.jwt.*;",
          "import java.nio.file.*;",
          "import java.time.*;",
          "import java.util.*;",
          "");
  private static final Pattern BLOCK =
      Pattern.compile("(?m)^```java\\s*\\n(.*?)^```", Pattern.DOTALL);
  private static final Pattern CLASS =
      Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+)?(?:class|record)\\s+(\\w+)");

  @TempDir Path work;

  record Snippet(Path file, int line, String code) {}

  static List<Snippet> snippets() throws IOException {
    List<Snippet> out = new ArrayList<>();
    List<Path> guides = new ArrayList<>();
    guides.add(Path.of("..", "README.md"));
    try (Stream<Path> files = Files.list(Path.of("."))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(guides::add);
    }
    {
      for (Path f : guides) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
          int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
          out.add(new Snippet(f.getFileName(), line, m.group(1)));
        }
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetCompilesAndRuns() throws IOException {
    List<Snippet> all = snippets();
    assertThat(all).as("java snippets found in docs/*.md").isNotEmpty();
    return all.stream()
        .map(s -> DynamicTest.dynamicTest(s.file() + ":" + s.line(), () -> compileAndRun(s)));
  }

  private void compileAndRun(Snippet s) throws Exception {
    String name = "Snippet_" + s.file().toString().replaceAll("\\W", "_") + "_" + s.line();
    String source;
    String main;
    Matcher c = CLASS.matcher(s.code());
    if (c.find()) {
      main = c.group(1);
      source = s.code().contains("import ") ? s.code() : IMPORTS + s.code();
      name = main;
    } else {
      main = name;
      source =
          IMPORTS
              + "public class "
              + name
              + " {\n  public static void main(String[] args) throws Exception {\n"
              + s.code()
              + "\n  }\n}\n";
    }
    Path dir = Files.createDirectories(work.resolve(name));
    Path src = dir.resolve(name + ".java");
    Files.writeString(src, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean ok =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of(
                    "-proc:none",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    dir.toString()),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjects(src))
            .call();
    assertThat(ok)
        .as(
            "%s:%d does not compile:%n%s%n--- source ---%n%s",
            s.file(), s.line(), diagnostics, source)
        .isTrue();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> cls = loader.loadClass(main);
      Method m;
      try {
        m = cls.getMethod("main", String[].class);
      } catch (NoSuchMethodException e) {
        return; // a declaration-only snippet: compiling it is the test
      }
      try {
        m.invoke(null, (Object) new String[0]);
      } catch (InvocationTargetException e) {
        throw new AssertionError(s.file() + ":" + s.line() + " failed when run", e.getCause());
      }
    }
  }
}
