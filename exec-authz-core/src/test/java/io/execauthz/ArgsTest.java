package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ArgsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  /** Denies a call whose {@code flags} list contains "force", like a Cedar forbid would. */
  private static final PolicyEngine NO_FORCE =
      r -> {
        Object flags = r.args().get("flags");
        boolean force = flags instanceof List<?> l && l.contains("force");
        return new PolicyDecision(!force, List.of(force ? "no-force" : "allow"), List.of());
      };

  private Authorizer authorizer(int cacheSize) {
    ExecutionGraph graph = ExecutionGraph.newBuilder().clock(clock).build();
    graph.spawn(
        NodeSpec.builder("s")
            .principal("user:alice")
            .capabilities("tool.call tool:**")
            .ttl(Duration.ofHours(1))
            .build());
    return Authorizer.newBuilder()
        .graph(graph)
        .policyEngine(NO_FORCE)
        .decisionCache(cacheSize)
        .build();
  }

  @Test
  void callerMutatingItsListAfterACall_neverReusesTheCachedPermit() {
    for (int cacheSize : new int[] {0, 10_000}) {
      Authorizer authz = authorizer(cacheSize);
      List<String> flags = new ArrayList<>();
      Map<String, Object> args = new HashMap<>();
      args.put("flags", flags);
      AuthorizationRequest r =
          AuthorizationRequest.of("s", "tool.call", "tool:git/push").withArgs(args);

      assertThat(authz.authorize(r).isPermit()).as("cache %d", cacheSize).isTrue();
      flags.add("force"); // the caller reuses its list
      Decision d =
          authz.authorize(
              AuthorizationRequest.of("s", "tool.call", "tool:git/push").withArgs(args));
      assertThat(d).as("cache %d", cacheSize).isInstanceOf(Decision.Deny.class);
      assertThat(((Decision.Deny) d).reason()).isEqualTo(Reason.POLICY);
      // and the first request still means what it meant when it was made
      assertThat(authz.authorize(r).isPermit()).isTrue();
    }
  }

  @Test
  void requestArguments_areADeepCopy() {
    List<Object> inner = new ArrayList<>(List.of("a"));
    Map<String, Object> nested = new HashMap<>(Map.of("list", inner));
    Map<String, Object> args = new HashMap<>(Map.of("n", nested));
    AuthorizationRequest r = AuthorizationRequest.of("s", "tool.call", "tool:x").withArgs(args);
    int hash = r.hashCode();
    inner.add("b");
    nested.put("more", 1);
    args.put("other", true);

    assertThat(r.args()).isEqualTo(Map.of("n", Map.of("list", List.of("a"))));
    assertThat(r.hashCode()).isEqualTo(hash);
    assertThatThrownBy(() -> r.args().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> copied = (List<Object>) ((Map<String, Object>) r.args().get("n")).get("list");
    assertThatThrownBy(() -> copied.add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void nullValues_dropTheirKey_andNullArgsAreNoArgs() {
    Map<String, Object> args = new HashMap<>();
    args.put("gone", null);
    args.put("kept", "v");
    Map<String, Object> nested = new HashMap<>();
    nested.put("inner", null);
    args.put("n", nested);
    AuthorizationRequest r = AuthorizationRequest.of("s", "tool.call", "tool:x").withArgs(args);
    assertThat(r.args()).isEqualTo(Map.of("kept", "v", "n", Map.of()));
    assertThat(AuthorizationRequest.of("s", "a.b", "tool:x").withArgs(null).args()).isEmpty();
  }

  @Test
  void numbers_areNormalized_soEqualValuesAreEqualArguments() {
    Args a = Args.of(Map.of("i", 3, "d", 1.50, "b", new BigDecimal("2.000"), "bi", BigInteger.TEN));
    Args b = Args.of(Map.of("i", 3L, "d", new BigDecimal("1.5"), "b", 2.0f, "bi", 10L));
    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThat(a.sha256()).isEqualTo(b.sha256());
    assertThat(a.get("i")).isEqualTo(3L);
  }

  @Test
  void canonicalJson_sortsKeys_andEscapes() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", List.of(1, "two\n", true));
    m.put("a", Map.of("q\"", new BigDecimal("0.10")));
    assertThat(Args.of(m).canonicalJson())
        .isEqualTo("{\"a\":{\"q\\\"\":0.1},\"z\":[1,\"two\\n\",true]}");
    assertThat(Args.of(m).sha256()).hasSize(64);
    assertThat(Args.empty().canonicalJson()).isEqualTo("{}");
  }

  @Test
  void unsupportedValues_areRefused_namingWhere() {
    assertThatThrownBy(() -> Args.of(Map.of("a", Map.of("b", new Object()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args.a.b");
    assertThatThrownBy(() -> Args.of(Map.of("x", Double.NaN))).hasMessageContaining("args.x");
    List<Object> withNull = new ArrayList<>();
    withNull.add("a");
    withNull.add(null);
    assertThatThrownBy(() -> Args.of(Map.of("l", withNull))).hasMessageContaining("args.l[1]");
    assertThatThrownBy(() -> Args.of(Map.of("big", BigInteger.TWO.pow(70))))
        .hasMessageContaining("args.big");
    Map<Object, Object> badKey = new HashMap<>();
    badKey.put(1, "v");
    assertThatThrownBy(() -> Args.of(Map.of("m", badKey))).hasMessageContaining("args.m");
  }

  @Test
  void tooDeepOrTooMany_areRefused() {
    Object deep = "leaf";
    for (int i = 0; i < Args.MAX_DEPTH + 1; i++) {
      deep = Map.of("k", deep);
    }
    Object tooDeep = deep;
    assertThatThrownBy(() -> Args.of(Map.of("d", tooDeep))).hasMessageContaining("deeper");
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i <= Args.MAX_VALUES; i++) {
      many.add(i);
    }
    assertThatThrownBy(() -> Args.of(Map.of("many", many))).hasMessageContaining("more than");
  }

  @Test
  void sets_becomeLists_andToStringHidesValues() {
    Args a = Args.of(Map.of("s", Set.of("only"), "secret", "hunter2"));
    assertThat(a.get("s")).isEqualTo(List.of("only"));
    assertThat(a.toString()).doesNotContain("hunter2");
  }

  @Test
  void distinctArguments_doNotShareACacheBucket() {
    DecisionCache.Key k1 =
        new DecisionCache.Key(this, "a.b", "tool:x", Args.of(Map.of("n", 1)), false);
    DecisionCache.Key k2 =
        new DecisionCache.Key(this, "a.b", "tool:x", Args.of(Map.of("n", 2)), false);
    assertThat(k1.hashCode()).isNotEqualTo(k2.hashCode());
    assertThat(k1).isNotEqualTo(k2);
    assertThat(k1)
        .isEqualTo(new DecisionCache.Key(this, "a.b", "tool:x", Args.of(Map.of("n", 1L)), false));
  }
}
