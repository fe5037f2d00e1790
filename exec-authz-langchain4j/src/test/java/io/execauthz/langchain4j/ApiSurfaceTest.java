package io.execauthz.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adapter's public types are final, and no Jackson type (used inside) appears in its API. */
final class ApiSurfaceTest {
  @Test
  void publicApi_isFinal_andExposesNoJacksonTypes() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c :
        List.of(
            ExecAuthzTools.class,
            ExecAuthzTools.Builder.class,
            NodeScope.class,
            McpGrantHeaders.class,
            McpGrantHeaders.Builder.class)) {
      assertThat(Modifier.isFinal(c.getModifiers())).as(c + " is final").isTrue();
      for (Method m : c.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
        types.add(m.getReturnType());
        for (Class<?> t : types) {
          if (t.getName().startsWith("com.fasterxml")) {
            leaks.add(c.getSimpleName() + "." + m.getName() + " uses " + t.getName());
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
