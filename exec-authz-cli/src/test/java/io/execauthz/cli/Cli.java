package io.execauthz.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the command line as a separate process, as a user or CI would. */
final class Cli {
  record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private Cli() {}

  /** The command that runs {@code exec-authz} with these JVM options and arguments. */
  static List<String> command(List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * {@code mcp proxy} in front of {@code upstream} on any free loopback port, taking grants signed
   * by a key of {@code jwks} for issuer {@code orch} and audience {@code mcp:files}.
   */
  static List<String> proxyArgs(String upstream, Path jwks) {
    return List.of(
        "mcp",
        "proxy",
        "--upstream",
        upstream,
        "--listen",
        "127.0.0.1:0",
        "--jwks",
        jwks.toString(),
        "--issuer",
        "orch",
        "--audience",
        "mcp:files");
  }

  /**
   * The first line a long-running command (the proxy) prints on standard output, or null if it
   * printed none within 60 s; the rest of its output is left unread.
   */
  static String firstLine(Process p) throws InterruptedException {
    java.io.BufferedReader out =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    try {
      return java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return out.readLine();
                } catch (IOException e) {
                  return null;
                }
              })
          .get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  static Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = command(List.of(), List.of(args));
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    p.getOutputStream().close();
    // both streams drain on their own threads, so a full pipe never blocks the child and a child
    // that never exits fails the test at the deadline instead of hanging the build
    var out = drain(p.getInputStream());
    var err = drain(p.getErrorStream());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("exec-authz " + String.join(" ", args) + " did not finish");
    }
    try {
      return new Result(
          p.exitValue(), out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS));
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("cannot read the output of exec-authz " + String.join(" ", args), e);
    }
  }

  private static java.util.concurrent.CompletableFuture<String> drain(java.io.InputStream in) {
    var text = new java.util.concurrent.CompletableFuture<String>();
    Thread t =
        new Thread(
            () -> {
              try {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.completeExceptionally(e);
              }
            });
    t.setDaemon(true);
    t.start();
    return text;
  }
}
