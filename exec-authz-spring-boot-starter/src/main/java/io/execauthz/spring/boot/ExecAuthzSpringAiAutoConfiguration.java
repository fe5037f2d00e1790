package io.execauthz.spring.boot;

import io.execauthz.Authorizer;
import io.execauthz.springai.ExecAuthzToolCallbacks;
import java.util.List;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Spring AI, when it is on the classpath: an {@link ExecAuthzToolCallbacks} over every tool bean of
 * the application, and every {@link ToolCallback} and {@link ToolCallbackProvider} bean replaced by
 * its guarded form ({@code exec-authz.spring-ai.guard-beans}, on by default), so no tool bean runs
 * without a permit for the node in its call's {@code ToolContext}.
 *
 * <p>A guarded bean is a {@code ToolCallback} (or {@code ToolCallbackProvider}), not its original
 * class: inject tool beans by those interfaces.
 *
 * <p>Spring calls its bean methods while the context starts; the guarded tool callbacks it makes
 * are thread-safe when the callbacks they wrap are.
 */
@AutoConfiguration(after = ExecAuthzAutoConfiguration.class)
@ConditionalOnClass(ToolCallback.class)
public class ExecAuthzSpringAiAutoConfiguration {

  /**
   * Every tool bean, guarded, and {@code visibleTo(node)} for each request. The beans are looked up
   * when asked, not now, so tool beans and this one never wait on each other.
   */
  @Bean
  @ConditionalOnMissingBean
  public ExecAuthzToolCallbacks execAuthzToolCallbacks(
      Authorizer authorizer,
      ExecAuthzProperties properties,
      ObjectProvider<ToolCallback> callbacks,
      ObjectProvider<ToolCallbackProvider> providers) {
    ToolCallbackProvider beans =
        () -> {
          List<ToolCallback> all = new java.util.ArrayList<>(callbacks.orderedStream().toList());
          providers
              .orderedStream()
              .filter(p -> !(p instanceof ExecAuthzToolCallbacks))
              .forEach(p -> all.addAll(List.of(p.getToolCallbacks())));
          return all.toArray(ToolCallback[]::new);
        };
    return ExecAuthzToolCallbacks.newBuilder()
        .authorizer(authorizer)
        .toolset(properties.getToolset())
        .toolCallbackProviders(List.of(beans))
        .build();
  }

  /** Replaces each tool bean by its guarded form as it is created. */
  @Bean
  @ConditionalOnProperty(
      prefix = "exec-authz.spring-ai",
      name = "guard-beans",
      havingValue = "true",
      matchIfMissing = true)
  public static BeanPostProcessor execAuthzToolBeanGuard(
      ObjectProvider<ExecAuthzToolCallbacks> guard) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof ExecAuthzToolCallbacks) {
          return bean;
        }
        if (bean instanceof ToolCallback callback) {
          return guard.getObject().guard(callback);
        }
        if (bean instanceof ToolCallbackProvider provider) {
          return guarded(guard, provider);
        }
        return bean;
      }
    };
  }

  private static ToolCallbackProvider guarded(
      ObjectProvider<ExecAuthzToolCallbacks> guard, ToolCallbackProvider provider) {
    return () ->
        List.of(provider.getToolCallbacks()).stream()
            .map(c -> guard.getObject().guard(c))
            .toArray(ToolCallback[]::new);
  }
}
