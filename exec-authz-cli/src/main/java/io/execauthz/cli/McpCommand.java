package io.execauthz.cli;

import io.execauthz.Authorizer;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyLoadException;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.mcp.McpGuard;
import io.execauthz.mcp.McpProxy;
import io.execauthz.redis.RedisRevocationRegistry;
import io.execauthz.redis.RedisStore;
import io.execauthz.redis.RedisUnavailableException;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyEngine;
import io.modelcontextprotocol.json.McpJsonDefaults;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exec-authz mcp …}: MCP tools for security teams. */
@Command(
    name = "mcp",
    mixinStandardHelpOptions = true,
    description = "Runs a guarding proxy in front of MCP servers.",
    subcommands = {McpCommand.Proxy.class})
final class McpCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code exec-authz mcp proxy --upstream URL --listen HOST:PORT --jwks FILE --issuer ISS
   * --audience AUD [--server-name S] [--policies PATH]... [--schema default|none|FILE] [--audit
   * FILE] [--revocations URI]} (CONTRACT §6, §7). With {@code --revocations}, grants are checked
   * against the shared Redis revocation registry, so a node or grant revoked by another process
   * ({@code exec-authz revoke}, an orchestrator's graph) is refused within the registry's staleness
   * bound, and every grant is refused with {@code UNAVAILABLE} while the proxy's copy of it is not
   * current (fail closed).
   */
  @Command(
      name = "proxy",
      mixinStandardHelpOptions = true,
      description = {
        "Serves a guarding proxy in front of a Streamable HTTP MCP server.",
        "",
        "Serves Streamable HTTP at http://HOST:PORT/mcp in front of the upstream MCP server:"
            + " tools/call, prompts/get and resources/read are decided under the caller's grant"
            + " (header Exec-Authz-Grant or _meta io.execauthz/grant), tools/list is filtered per"
            + " caller, everything else passes through. With --revocations, a node or grant revoked"
            + " in the shared store (e.g. by exec-authz revoke) is refused on its next call. Prints"
            + " 'listening on http://HOST:PORT/mcp' when ready; stops on SIGTERM.",
        "",
        "Exit 2 on a bad flag, an unreadable file or a revocation store it cannot reach."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  exec-authz mcp proxy --upstream http://127.0.0.1:9000/mcp \\",
        "      --listen 127.0.0.1:8080 --jwks jwks.json --issuer orchestrator \\",
        "      --audience mcp:files",
        "",
        "  With Cedar policies and an audit log:",
        "  exec-authz mcp proxy --upstream http://127.0.0.1:9000/mcp \\",
        "      --listen 0.0.0.0:8080 --jwks jwks.json --issuer orchestrator \\",
        "      --audience mcp:files --policies policies/ --audit audit.jsonl",
        "",
        "  Sharing revocations with the orchestrator through Redis:",
        "  exec-authz mcp proxy --upstream http://127.0.0.1:9000/mcp \\",
        "      --listen 127.0.0.1:8080 --jwks jwks.json --issuer orchestrator \\",
        "      --audience mcp:files --revocations redis://127.0.0.1:6379"
      })
  static final class Proxy implements Callable<Integer> {
    /** Tomcat's own INFO lines would bury the proxy's one line of output: warnings only. */
    private static final java.util.logging.Logger TOMCAT_LOG =
        java.util.logging.Logger.getLogger("org.apache");

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--upstream",
        required = true,
        paramLabel = "URL",
        description = "The upstream MCP endpoint, e.g. http://127.0.0.1:9000/mcp.")
    String upstream;

    @Option(
        names = "--listen",
        required = true,
        paramLabel = "HOST:PORT",
        description = "Where to serve (port 0: any free port, printed when ready).")
    String listen;

    @Option(
        names = "--jwks",
        required = true,
        paramLabel = "FILE",
        description = "The public JWK set grants are verified with.")
    Path jwks;

    @Option(
        names = "--issuer",
        required = true,
        paramLabel = "ISS",
        description = "The issuer grants must name.")
    String issuer;

    @Option(
        names = "--audience",
        required = true,
        paramLabel = "AUD",
        description = "This server's audience, e.g. mcp:files.")
    String audience;

    @Option(
        names = "--server-name",
        paramLabel = "S",
        description = "S in tool:S/T (default: the upstream's serverInfo.name).")
    String serverName;

    @Option(
        names = "--policies",
        paramLabel = "PATH",
        description =
            "Cedar policy file or directory; repeat for more (none: grants alone decide).")
    List<Path> policies;

    @Option(
        names = "--schema",
        defaultValue = "default",
        paramLabel = "default|none|FILE",
        description = "The Cedar schema policies are validated against (default: default).")
    String schema;

    @Option(
        names = "--audit",
        paramLabel = "FILE",
        description = "Append every decision to this hash-chained JSON-lines log.")
    Path audit;

    @Option(
        names = "--revocations",
        paramLabel = "URI",
        description =
            "The shared revocation store: redis://[user:password@]host[:port][/db], rediss://…"
                + " (TLS), or comma-separated cluster seeds (none: grants are not checked for"
                + " revocation and stay valid until their exp).")
    String revocations;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      URI up;
      try {
        up = new URI(upstream);
        if (!"http".equals(up.getScheme()) && !"https".equals(up.getScheme())) {
          throw new URISyntaxException(upstream, "not an http or https URL");
        }
      } catch (URISyntaxException e) {
        err.println("exec-authz: --upstream: expected an http(s) URL, found '" + upstream + "'");
        return 2;
      }
      int colon = listen.lastIndexOf(':');
      String host = colon > 0 ? listen.substring(0, colon) : "";
      int port;
      try {
        port = Integer.parseInt(listen.substring(colon + 1));
        if (host.isEmpty() || port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        err.println("exec-authz: --listen: expected HOST:PORT, found '" + listen + "'");
        return 2;
      }
      RedisStore.Builder redis = null;
      if (revocations != null) {
        try {
          redis = RedisStore.newBuilder().uri(revocations).timeout(Duration.ofSeconds(2));
        } catch (IllegalArgumentException e) {
          err.println("exec-authz: --revocations: " + oneLine(e));
          return 2;
        }
      }
      PublicKeySet keys;
      try {
        keys = PublicKeySet.read(jwks);
      } catch (IOException | RuntimeException e) {
        err.println("exec-authz: --jwks: cannot read a JWK set from " + jwks + ": " + oneLine(e));
        return 2;
      }
      PolicyEngine engine;
      PolicyStore store = null;
      if (policies == null || policies.isEmpty()) {
        engine = PolicyEngine.permitAll();
      } else {
        PolicyStore.Builder b = PolicyStore.newBuilder();
        for (Path p : policies) {
          if (Files.isDirectory(p)) {
            b.directory(p);
          } else if (Files.isRegularFile(p) && Files.isReadable(p)) {
            b.file(p);
          } else {
            err.println("exec-authz: --policies: cannot read " + p);
            return 2;
          }
        }
        if ("none".equals(schema)) {
          b.noSchema();
        } else if (!"default".equals(schema)) {
          Path s = Path.of(schema);
          if (!Files.isRegularFile(s) || !Files.isReadable(s)) {
            err.println("exec-authz: --schema: cannot read " + s);
            return 2;
          }
          b.schemaFile(s);
        }
        try {
          store = b.build();
        } catch (PolicyLoadException e) {
          err.println(
              "exec-authz: --policies: "
                  + (e.errors().isEmpty() ? oneLine(e) : e.errors().get(0))
                  + (e.errors().size() > 1 ? " (and " + (e.errors().size() - 1) + " more)" : ""));
          return 2;
        }
        engine = CedarPolicyEngine.of(store);
      }
      JsonLinesAuditSink sink = null;
      if (audit != null) {
        try {
          sink = JsonLinesAuditSink.newBuilder(audit).build();
        } catch (IOException | RuntimeException e) {
          err.println("exec-authz: --audit: cannot open " + audit + ": " + oneLine(e));
          return 2;
        }
      }
      String name = serverName;
      if (name == null) {
        try {
          name = McpProxy.serverName(up, McpJsonDefaults.getMapper());
        } catch (IOException | RuntimeException e) {
          err.println(
              "exec-authz: --upstream: cannot learn the server's name from "
                  + up
                  + " ("
                  + oneLine(e)
                  + "); start it first or give --server-name");
          closeQuietly(store, sink);
          return 2;
        }
      }
      Shared shared = null;
      if (redis != null) {
        try {
          shared = Shared.open(redis);
        } catch (RedisUnavailableException e) {
          err.println("exec-authz: --revocations: " + oneLine(e));
          closeQuietly(store, sink);
          return 2;
        }
      }
      McpGuard guard;
      try {
        GrantVerifier.Builder verifier =
            GrantVerifier.newBuilder().keys(keys).issuer(issuer).audience(audience);
        if (shared == null) {
          // no shared store: grants are verified offline (signature, time, audience) and a
          // revoked node's grant stays valid until its exp, as docs/mcp.md says
          verifier.withoutRevocationChecks();
        } else {
          verifier.revocations(shared.registry());
        }
        Authorizer authorizer =
            Authorizer.newBuilder()
                .grantSource(verifier.build().asGrantSource())
                .policyEngine(engine)
                .auditSink(sink == null ? AuditSink.discarding() : sink)
                .build();
        guard = McpGuard.newBuilder().authorizer(authorizer).serverName(name).build();
      } catch (IllegalArgumentException e) {
        err.println(
            "exec-authz: "
                + (serverName == null ? "the upstream's serverInfo.name" : "--server-name")
                + ": "
                + oneLine(e));
        closeQuietly(shared);
        closeQuietly(store, sink);
        return 2;
      }
      McpProxy proxy = McpProxy.newBuilder().upstream(up).guard(guard).build();
      return serve(proxy, host, port, store, sink, shared);
    }

    /** The shared revocation store and the registry that follows it; closed with the proxy. */
    private record Shared(RedisStore store, RedisRevocationRegistry registry) {
      static Shared open(RedisStore.Builder b) {
        RedisStore store = b.build();
        try {
          return new Shared(store, RedisRevocationRegistry.newBuilder(store).build());
        } catch (RuntimeException e) {
          store.close();
          throw e;
        }
      }
    }

    private static void closeQuietly(Shared shared) {
      if (shared != null) {
        shared.registry().close();
        shared.store().close();
      }
    }

    private static void closeQuietly(PolicyStore store, JsonLinesAuditSink sink) {
      if (store != null) {
        store.close();
      }
      if (sink != null) {
        try {
          sink.close();
        } catch (IOException e) {
          // nothing was written
        }
      }
    }

    private int serve(
        McpProxy proxy,
        String host,
        int port,
        PolicyStore store,
        JsonLinesAuditSink sink,
        Shared shared)
        throws IOException {
      PrintWriter err = spec.commandLine().getErr();
      TOMCAT_LOG.setLevel(java.util.logging.Level.WARNING);
      Path base = Files.createTempDirectory("exec-authz-mcp-proxy");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(base.toString());
      Connector connector = tomcat.getConnector();
      connector.setPort(port);
      connector.setProperty("address", host);
      Context ctx = tomcat.addContext("", null);
      Tomcat.addServlet(ctx, "mcp", proxy.servlet()).setAsyncSupported(true);
      ctx.addServletMapping("/mcp", "mcp");
      try {
        tomcat.start();
      } catch (LifecycleException e) {
        err.println("exec-authz: --listen: cannot serve on " + listen + ": " + oneLine(e));
        stop(tomcat, base, store, sink, shared);
        return 2;
      }
      if (connector.getLocalPort() < 0) {
        err.println("exec-authz: --listen: cannot serve on " + listen);
        stop(tomcat, base, store, sink, shared);
        return 2;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                stop(tomcat, base, store, sink, shared);
                stopped.countDown();
              },
              "exec-authz-mcp-proxy-stop");
      Runtime.getRuntime().addShutdownHook(hook); // SIGTERM and SIGINT stop it cleanly
      PrintWriter out = spec.commandLine().getOut();
      out.println("listening on http://" + host + ":" + connector.getLocalPort() + "/mcp");
      out.flush();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }

    private static void stop(
        Tomcat tomcat, Path base, PolicyStore store, JsonLinesAuditSink sink, Shared shared) {
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (LifecycleException e) {
        // stopping anyway
      }
      try (var files = Files.walk(base)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind
      }
      closeQuietly(shared);
      closeQuietly(store, sink);
    }

    private static String oneLine(Exception e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int nl = m.indexOf('\n');
      return nl < 0 ? m : m.substring(0, nl);
    }
  }
}
