package io.execauthz.spring.boot;

import io.execauthz.Authorizer;
import io.execauthz.ExecutionGraph;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.AuditSink;
import io.execauthz.spi.PolicyEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The execution graph, the {@link Authorizer}, Cedar policies from {@code exec-authz.policies} and
 * the audit sink, each replaceable: every bean here backs off when the application defines one of
 * its type.
 *
 * <p>Without policies the graph alone decides ({@link PolicyEngine#permitAll()} inside the graph's
 * ceiling). With them, every file is validated at startup and a bad one stops the application with
 * its {@code file:line:col} — an agent never starts on policies that did not load.
 *
 * <p>Spring calls its bean methods while the context starts; the beans it makes say their own
 * thread-safety (the graph, the authorizer and the audit sink are thread-safe).
 */
@AutoConfiguration
@EnableConfigurationProperties(ExecAuthzProperties.class)
public class ExecAuthzAutoConfiguration {

  /** One graph per application; replace it to share a budget ledger or set a clock. */
  @Bean
  @ConditionalOnMissingBean
  public ExecutionGraph execAuthzGraph(ExecAuthzProperties properties) {
    ExecAuthzProperties.Graph g = properties.getGraph();
    ExecutionGraph.Builder b = ExecutionGraph.newBuilder();
    if (g.getId() != null) {
      b.id(g.getId());
    }
    if (g.getDefaultTtl() != null) {
      b.defaultTtl(g.getDefaultTtl());
    }
    if (g.getMaxDepth() != null) {
      b.maxDepth(g.getMaxDepth());
    }
    if (g.getMaxFanOut() != null) {
      b.maxFanOut(g.getMaxFanOut());
    }
    return b.build();
  }

  /**
   * The Cedar policies of {@code exec-authz.policies}, each file under its own name so errors and
   * default policy ids read {@code name.cedar:line}.
   *
   * @throws io.execauthz.cedar.PolicyLoadException listing every error as {@code file:line:col}
   * @throws IllegalStateException if a location matches no file
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @Conditional(PoliciesConfigured.class)
  public PolicyStore execAuthzPolicyStore(
      ExecAuthzProperties properties, ResourcePatternResolver resources) {
    PolicyStore.Builder b = PolicyStore.newBuilder();
    Set<String> names = new HashSet<>();
    for (String location : properties.getPolicies()) {
      Resource[] found;
      try {
        found = resources.getResources(location);
      } catch (IOException e) {
        found = new Resource[0]; // a folder that does not exist: reported as matching nothing
      }
      List<Resource> readable = List.of(found).stream().filter(Resource::isReadable).toList();
      if (readable.isEmpty()) {
        throw new IllegalStateException(
            "exec-authz.policies: no policy file matches '" + location + "'");
      }
      for (Resource r : readable) {
        String name = r.getFilename() == null ? r.getDescription() : r.getFilename();
        if (!names.add(name)) {
          name = r.getDescription();
        }
        try {
          b.policies(name, r.getContentAsString(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException("exec-authz.policies: cannot read " + name, e);
        }
      }
    }
    return b.build();
  }

  /** Cedar over the policy store if there is one; else the graph alone decides. */
  @Bean
  @ConditionalOnMissingBean
  public PolicyEngine execAuthzPolicyEngine(ObjectProvider<PolicyStore> store) {
    PolicyStore s = store.getIfAvailable();
    return s == null ? PolicyEngine.permitAll() : CedarPolicyEngine.of(s);
  }

  /** The JSON Lines log of {@code exec-authz.audit.file}; records are dropped without one. */
  @Bean
  @ConditionalOnMissingBean
  public AuditSink execAuthzAuditSink(ExecAuthzProperties properties) throws IOException {
    ExecAuthzProperties.Audit a = properties.getAudit();
    if (a.getFile() == null) {
      return AuditSink.discarding();
    }
    return JsonLinesAuditSink.newBuilder(a.getFile()).fsync(a.isFsync()).build();
  }

  /** The one decision pipeline, over the graph, the policy engine and the audit sink. */
  @Bean
  @ConditionalOnMissingBean
  public Authorizer execAuthzAuthorizer(
      ExecutionGraph graph, PolicyEngine policyEngine, AuditSink auditSink) {
    return Authorizer.newBuilder()
        .graph(graph)
        .policyEngine(policyEngine)
        .auditSink(auditSink)
        .build();
  }

  /** Whether {@code exec-authz.policies} lists at least one location (in any property form). */
  static final class PoliciesConfigured implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return Binder.get(context.getEnvironment())
          .bind("exec-authz.policies", Bindable.listOf(String.class))
          .map(l -> !l.isEmpty())
          .orElse(false);
    }
  }
}
