package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No cedar-java, Jackson or internal type appears in the public API. */
final class ApiSurfaceTest {
  @Test
  void publicApi_exposesNoCedarJacksonOrInternalTypes() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c :
        List.of(
            CedarPolicyEngine.class,
            CedarPolicyEngine.Builder.class,
            PolicyStore.class,
            PolicyStore.Builder.class,
            PolicyTester.class,
            PolicyTester.Request.class,
            CedarDecision.class,
            CedarStats.class,
            LoadReport.class,
            PolicyReads.class,
            PolicyLoadException.class)) {
      assertThat(Modifier.isFinal(c.getModifiers()) || c.isRecord()).as(c + " is final").isTrue();
      for (Method m : c.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
        types.add(m.getReturnType());
        for (Class<?> t : types) {
          String n = t.getName();
          if (n.startsWith("com.cedarpolicy")
              || n.startsWith("com.fasterxml")
              || n.startsWith("io.execauthz.cedar.internal")) {
            leaks.add(c.getSimpleName() + "." + m.getName() + " uses " + n);
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
