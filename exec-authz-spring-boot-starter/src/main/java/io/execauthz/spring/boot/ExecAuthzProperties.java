package io.execauthz.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code exec-authz.*} properties. Their javadoc is what IDEs show: the configuration processor
 * turns it into {@code META-INF/spring-configuration-metadata.json}.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("exec-authz")
public class ExecAuthzProperties {
  /**
   * Cedar policy locations, as Spring resource patterns (for example {@code
   * classpath:policies/*.cedar} or {@code file:/etc/agents/policies/*.cedar}). Every file is
   * validated against the default schema at startup, and a bad one fails startup with its
   * file:line:col. Empty: no policy engine beyond the execution graph.
   */
  private List<String> policies = new ArrayList<>();

  /**
   * The toolset name of the application's Spring AI tools: a tool named T is the action {@code
   * tool.call} on the resource {@code tool:<toolset>/T}.
   */
  private String toolset = "local";

  /** Where decisions are recorded. */
  private final Audit audit = new Audit();

  /** The execution graph's guardrails. */
  private final Graph graph = new Graph();

  /** Spring AI integration. */
  private final SpringAi springAi = new SpringAi();

  public List<String> getPolicies() {
    return policies;
  }

  public void setPolicies(List<String> policies) {
    this.policies = policies;
  }

  public String getToolset() {
    return toolset;
  }

  public void setToolset(String toolset) {
    this.toolset = toolset;
  }

  public Audit getAudit() {
    return audit;
  }

  public Graph getGraph() {
    return graph;
  }

  public SpringAi getSpringAi() {
    return springAi;
  }

  /**
   * {@code exec-authz.audit.*}.
   *
   * <p>Not thread-safe: Spring binds it once at startup; read it only after.
   */
  public static class Audit {
    /**
     * The tamper-evident JSON Lines audit log (hash-chained, appended to). Unset: decisions are not
     * recorded.
     */
    private Path file;

    /** Whether each record is forced to disk before the decision returns. */
    private boolean fsync = false;

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public boolean isFsync() {
      return fsync;
    }

    public void setFsync(boolean fsync) {
      this.fsync = fsync;
    }
  }

  /**
   * {@code exec-authz.graph.*}.
   *
   * <p>Not thread-safe: Spring binds it once at startup; read it only after.
   */
  public static class Graph {
    /** The graph's id, written to every audit record. Unset: a random one. */
    private String id;

    /** The ttl of a node spawned without one (and never beyond its parent's deadline). */
    private Duration defaultTtl;

    /** The deepest a node may be below its root. Unset: the library's default. */
    private Integer maxDepth;

    /** The most live children a node may have. Unset: the library's default. */
    private Integer maxFanOut;

    public String getId() {
      return id;
    }

    public void setId(String id) {
      this.id = id;
    }

    public Duration getDefaultTtl() {
      return defaultTtl;
    }

    public void setDefaultTtl(Duration defaultTtl) {
      this.defaultTtl = defaultTtl;
    }

    public Integer getMaxDepth() {
      return maxDepth;
    }

    public void setMaxDepth(Integer maxDepth) {
      this.maxDepth = maxDepth;
    }

    public Integer getMaxFanOut() {
      return maxFanOut;
    }

    public void setMaxFanOut(Integer maxFanOut) {
      this.maxFanOut = maxFanOut;
    }
  }

  /**
   * {@code exec-authz.spring-ai.*}.
   *
   * <p>Not thread-safe: Spring binds it once at startup; read it only after.
   */
  public static class SpringAi {
    /**
     * Whether every ToolCallback and ToolCallbackProvider bean is replaced by its guarded form, so
     * no tool bean runs without a permit for the node in its call's ToolContext.
     */
    private boolean guardBeans = true;

    public boolean isGuardBeans() {
      return guardBeans;
    }

    public void setGuardBeans(boolean guardBeans) {
      this.guardBeans = guardBeans;
    }
  }
}
