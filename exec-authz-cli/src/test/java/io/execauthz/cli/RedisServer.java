package io.execauthz.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for the command line's tests: the binary {@code
 * com.github.codemonstur:embedded-redis} ships (Redis 6.2), started as a child process on 127.0.0.1
 * at a free port, without persistence. Ready once it accepts a connection.
 */
final class RedisServer implements AutoCloseable {
  private static final String BINARY = "redis-server-6.2.6-v5-linux-amd64";

  private final Process process;
  private final Path binary;
  private final int port;

  private RedisServer(Process process, Path binary, int port) {
    this.process = process;
    this.binary = binary;
    this.port = port;
  }

  static RedisServer start() throws IOException, InterruptedException {
    Path bin = Files.createTempFile("redis-server", "");
    try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(BINARY)) {
      if (in == null) {
        throw new IllegalStateException(BINARY + " (embedded-redis) is not on the test classpath");
      }
      Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
    }
    if (!bin.toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + bin + " executable");
    }
    int port = freePort();
    Process p =
        new ProcessBuilder(
                List.of(bin.toString(), "--port", "" + port, "--bind", "127.0.0.1", "--save", ""))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    RedisServer server = new RedisServer(p, bin, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (s.isConnected()) {
          return server;
        }
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    server.close();
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(binary);
    } catch (IOException e) {
      // a temporary file left behind
    }
  }
}
