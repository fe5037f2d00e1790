package io.execauthz.langchain4j;

import jakarta.servlet.Servlet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.http.fileupload.FileUtils;

/** An embedded Tomcat serving one servlet on 127.0.0.1 at an ephemeral port. */
@SuppressWarnings("deprecation")
final class WebServer implements AutoCloseable {
  private final Tomcat tomcat;
  private final Path base;
  final int port;

  private WebServer(Tomcat tomcat, Path base, int port) {
    this.tomcat = tomcat;
    this.base = base;
    this.port = port;
  }

  static WebServer start(Servlet servlet) {
    try {
      Path base = Files.createTempDirectory("tomcat");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(base.toString());
      var connector = tomcat.getConnector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      Context ctx = tomcat.addContext("", null);
      if (ctx instanceof org.apache.catalina.core.StandardContext sc) {
        sc.setClearReferencesRmiTargets(false); // no leak detection: quiet logs in tests
        sc.setClearReferencesThreadLocals(false);
      }
      Tomcat.addServlet(ctx, "mcp", servlet).setAsyncSupported(true);
      ctx.addServletMappingDecoded("/*", "mcp");
      tomcat.start();
      return new WebServer(tomcat, base, connector.getLocalPort());
    } catch (LifecycleException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
      FileUtils.deleteDirectory(base.toFile());
    } catch (LifecycleException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
