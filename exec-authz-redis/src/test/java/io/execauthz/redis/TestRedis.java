package io.execauthz.redis;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: the binary {@code com.github.codemonstur:embedded-redis}
 * ships (Redis 6.2), started as a child process on 127.0.0.1 with an ephemeral port and an
 * append-only file, so it can be stopped and started again on the same port with its data. With
 * {@code EXEC_AUTHZ_REDIS_URL} set, {@link #shared()} points at that server instead (tests that
 * stop Redis always start their own).
 */
final class TestRedis implements AutoCloseable {
  private static final String BINARY = "redis-server-6.2.6-v5-linux-amd64";
  private static Path binary;

  private final int port;
  private final Path dir;
  private final List<String> extra;
  private Process process;

  private TestRedis(int port, Path dir, List<String> extra) {
    this.port = port;
    this.dir = dir;
    this.extra = List.copyOf(extra);
  }

  /** The server tests share: {@code EXEC_AUTHZ_REDIS_URL}, else one started here. */
  static String sharedUri() {
    String env = System.getenv("EXEC_AUTHZ_REDIS_URL");
    if (env != null && !env.isBlank()) {
      return env;
    }
    return Shared.SERVER.uri();
  }

  private static final class Shared {
    static final TestRedis SERVER = start();

    static {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      SERVER.stop();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
  }

  /** A unique key prefix, so tests sharing a server never see each other's keys. */
  static String prefix() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  static TestRedis start() {
    try {
      return start(freePort(), List.of());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
  }

  /** A server on {@code port} with more configuration ({@code --name value} pairs). */
  static TestRedis start(int port, List<String> extra) throws IOException {
    TestRedis r = new TestRedis(port, Files.createTempDirectory("exec-authz-redis"), extra);
    r.startAgain();
    return r;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  synchronized void startAgain() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    List<String> command = new java.util.ArrayList<>();
    command.addAll(
        List.of(
            binary().toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "no"));
    command.addAll(extra);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (s.isConnected()) {
          return;
        }
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IOException(
              "redis-server exited: " + Files.readString(dir.resolve("redis.log")));
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(ie);
        }
      }
    }
    throw new IOException("redis-server did not listen on " + port + " within 10 s");
  }

  /** Stops the server at once (SIGKILL), as a crash or a network cut would. */
  synchronized void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static synchronized Path binary() throws IOException {
    if (binary == null) {
      Path p = Files.createTempFile("redis-server", "");
      try (InputStream in = TestRedis.class.getClassLoader().getResourceAsStream(BINARY)) {
        if (in == null) {
          throw new IOException(BINARY + " is not on the test classpath (embedded-redis)");
        }
        Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
      }
      if (!p.toFile().setExecutable(true)) {
        throw new IOException("cannot make " + p + " executable");
      }
      p.toFile().deleteOnExit();
      binary = p;
    }
    return binary;
  }

  /** A port free now whose cluster bus port (port + 10000) is free too. */
  static int freeClusterPort() throws IOException {
    for (int i = 0; i < 100; i++) {
      int p = freePort();
      if (p + 10_000 > 65_535) {
        continue;
      }
      try (ServerSocket bus =
          new ServerSocket(p + 10_000, 1, java.net.InetAddress.getLoopbackAddress())) {
        if (bus.getLocalPort() == p + 10_000) {
          return p;
        }
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port pair (port, port + 10000) found");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
