package io.execauthz.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link ToolServer} in a child JVM, talked to line by line. */
final class Child implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final PrintWriter in;

  Child(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ToolServer.class.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  /** The next line the child prints, waiting at most {@code seconds}. */
  String read(int seconds) throws Exception {
    CompletableFuture<String> f = CompletableFuture.supplyAsync(this::readLine);
    String line = f.get(seconds, TimeUnit.SECONDS);
    if (line == null) {
      throw new IOException("the tool server exited with " + process.waitFor());
    }
    return line;
  }

  private String readLine() {
    try {
      return out.readLine();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  String ask(String command, int seconds) throws Exception {
    in.println(command);
    return read(seconds);
  }

  void send(String command) {
    in.println(command);
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        in.println("quit");
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          kill();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
