package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.execauthz.jwt.GrantAlgorithm;
import io.execauthz.jwt.SigningKey;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server may close a kept-alive connection just as the client reuses it: the POST then gets not
 * one byte of answer, and the JDK's client sends it again only when {@code
 * jdk.httpclient.enableAllMethodRetry} is set. {@link Server} plays such a server by hand: it
 * answers the first request of its first connection, reads the second and closes the connection,
 * then answers one request on the next connection.
 */
final class UnansweredRequestResendTest {
  private static final String PROPERTY = "jdk.httpclient.enableAllMethodRetry";
  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

  @TempDir Path dir;

  /** The build sets it for every test JVM: the end-to-end tests' MCP clients POST. */
  @Test
  void testJvms_sendAgainAPostLostOnAReusedConnection() throws Exception {
    assertThat(System.getProperty(PROPERTY)).isEqualTo("true");
    try (Server upstream = Server.start()) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (String body : List.of("a", "b")) {
        assertThat(post(client, upstream.url(), body).body()).isEqualTo("{}");
      }
      assertThat(upstream.seen()).containsExactly("1:a", "1:b", "2:b");
    }
  }

  @Test
  void mcpProxy_sendsAgainARequestTheUpstreamLostOnAReusedConnection() throws Exception {
    try (Server upstream = Server.start();
        Proxy proxy = Proxy.start(dir, upstream.url())) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(post(client, proxy.url, PING).statusCode()).isEqualTo(200);
      assertThat(post(client, proxy.url, PING).statusCode()).isEqualTo(200);
      assertThat(upstream.seen()).containsExactly("1:" + PING, "1:" + PING, "2:" + PING);
    }
  }

  /** A value the user gives the process stays: with false, the lost request is a 502. */
  @Test
  void mcpProxy_keepsTheUsersChoice() throws Exception {
    try (Server upstream = Server.start();
        Proxy proxy = Proxy.start(dir, upstream.url(), "-D" + PROPERTY + "=false")) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(post(client, proxy.url, PING).statusCode()).isEqualTo(200);
      assertThat(post(client, proxy.url, PING).statusCode()).isEqualTo(502);
      upstream.stopAccepting(); // no second connection comes: stop waiting for one
      assertThat(upstream.seen()).containsExactly("1:" + PING, "1:" + PING);
    }
  }

  private static HttpResponse<String> post(HttpClient client, String url, String body)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(java.time.Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code exec-authz mcp proxy} as a process in front of {@code upstream}. */
  private record Proxy(Process process, String url) implements AutoCloseable {
    static Proxy start(Path dir, String upstream, String... jvmOptions) throws Exception {
      Path jwks = dir.resolve("jwks.json");
      SigningKey.generate(GrantAlgorithm.EDDSA, "ed-1").publicKeySet().write(jwks);
      List<String> args = new java.util.ArrayList<>(Cli.proxyArgs(upstream, jwks));
      args.addAll(List.of("--server-name", "files")); // so it asks the upstream nothing at start
      Process p =
          new ProcessBuilder(Cli.command(List.of(jvmOptions), args))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String line = Cli.firstLine(p);
      if (line == null || !line.startsWith("listening on ")) {
        p.destroyForcibly();
        throw new IllegalStateException("the proxy did not start: " + line);
      }
      return new Proxy(p, line.substring("listening on ".length()));
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /** The server that drops the second request of its first connection. */
  private static final class Server implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private Server(ServerSocket socket) {
      this.socket = socket;
      this.thread = new Thread(this::serve, "dropping-server");
    }

    static Server start() throws IOException {
      Server s = new Server(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()));
      s.thread.start();
      return s;
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/mcp";
    }

    List<String> seen() throws InterruptedException {
      thread.join(10_000);
      return seen;
    }

    private void serve() {
      try {
        try (Socket first = socket.accept()) {
          first.setSoTimeout(30_000);
          seen.add("1:" + readRequest(first.getInputStream()));
          answer(first.getOutputStream());
          seen.add("1:" + readRequest(first.getInputStream()));
        } // closed without a byte of answer
        try (Socket second = socket.accept()) {
          second.setSoTimeout(30_000);
          seen.add("2:" + readRequest(second.getInputStream()));
          answer(second.getOutputStream());
        }
      } catch (IOException e) {
        if (!socket.isClosed()) {
          seen.add("server failed: " + e);
        }
      }
    }

    /** Reads one request with a Content-Length body and returns the body. */
    private static String readRequest(InputStream raw) throws IOException {
      InputStream in = new BufferedInputStream(raw, 1);
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed in the request head");
        }
        head.write(b);
      }
      int length = 0;
      for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void answer(OutputStream out) throws IOException {
      out.write(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    void stopAccepting() throws IOException {
      socket.close();
    }

    @Override
    public void close() throws IOException {
      stopAccepting();
    }
  }
}
