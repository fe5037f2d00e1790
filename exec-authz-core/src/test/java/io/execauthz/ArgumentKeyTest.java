package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.spi.ArgumentReads;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 16: the decision cache keys a request by the arguments the policy engine reads. */
final class ArgumentKeyTest {

  /** Reads {@code repo} only; counts how often it is asked; its version can be bumped. */
  private static final class RepoEngine implements PolicyEngine {
    final AtomicInteger asked = new AtomicInteger();
    final AtomicLong version = new AtomicLong(1);
    volatile ArgumentReads reads = ArgumentReads.only(Set.of("repo"));

    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
      asked.incrementAndGet();
      boolean ok = !"acme/secret".equals(request.args().get("repo"));
      return new PolicyDecision(ok, List.of(ok ? "baseline" : "no-secret"), List.of());
    }

    @Override
    public long version() {
      return version.get();
    }

    @Override
    public boolean readsTime() {
      return false;
    }

    @Override
    public ArgumentReads argumentReads(String action) {
      return reads;
    }
  }

  private static Authorizer authorizer(PolicyEngine engine) {
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("session")
            .principal("user:alice")
            .capabilities("tool.call tool:**")
            .ttl(Duration.ofHours(1))
            .build());
    return Authorizer.newBuilder()
        .graph(graph)
        .policyEngine(engine)
        .decisionCache(1_000)
        .admitEveryAnswer()
        .build();
  }

  private static AuthorizationRequest call(String repo, long ticket) {
    return AuthorizationRequest.of("session", "tool.call", "tool:github/create_issue")
        .withArgs(Map.of("repo", repo, "ticket", ticket));
  }

  @Test
  void argumentsNoPolicyReads_shareOneEntry() {
    RepoEngine engine = new RepoEngine();
    Authorizer a = authorizer(engine);
    for (long t = 0; t < 50; t++) {
      assertThat(a.authorize(call("acme/api", t)).isPermit()).isTrue();
    }
    assertThat(engine.asked).as("asked once for repo acme/api").hasValue(1);
    assertThat(a.authorize(call("acme/secret", 99)).isPermit()).isFalse();
    assertThat(engine.asked).hasValue(2);
  }

  @Test
  void anEngineReadingEverything_isAskedForEveryDistinctCall() {
    RepoEngine engine = new RepoEngine();
    engine.reads = ArgumentReads.all();
    Authorizer a = authorizer(engine);
    for (long t = 0; t < 20; t++) {
      a.authorize(call("acme/api", t));
    }
    assertThat(engine.asked).hasValue(20);
  }

  @Test
  void aReloadThatReadsMore_isNotServedFromNarrowerKeys() {
    RepoEngine engine = new RepoEngine();
    Authorizer a = authorizer(engine);
    a.authorize(call("acme/api", 1));
    assertThat(a.authorize(call("acme/api", 2)).isPermit()).isTrue();
    // the policies now read the ticket too: a new version, so earlier answers are not served
    engine.reads = ArgumentReads.only(Set.of("repo", "ticket"));
    engine.version.incrementAndGet();
    a.authorize(call("acme/api", 3));
    assertThat(engine.asked).hasValue(2);
  }

  @Test
  void only_keepsTheNamedArguments() {
    Args args = Args.of(Map.of("repo", "r", "ticket", 1L, "body", Map.of("x", List.of(1L))));
    assertThat(args.only(ArgumentReads.all())).isSameAs(args);
    assertThat(args.only(ArgumentReads.none())).isEmpty();
    assertThat(args.only(ArgumentReads.only(Set.of("repo")))).isEqualTo(Map.of("repo", "r"));
    assertThat(args.only(ArgumentReads.only(Set.of("repo", "ticket", "body", "other"))))
        .isSameAs(args);
    assertThat(Args.of(Map.of("a", 1L)).only(ArgumentReads.only(Set.of("repo")))).isEmpty();
  }

  @Test
  void reads_union() {
    ArgumentReads repo = ArgumentReads.only(Set.of("repo"));
    assertThat(repo.union(ArgumentReads.none())).isEqualTo(repo);
    assertThat(ArgumentReads.none().union(repo)).isEqualTo(repo);
    assertThat(repo.union(ArgumentReads.all()).readsAll()).isTrue();
    assertThat(repo.union(ArgumentReads.only(Set.of("ticket"))).names())
        .containsExactlyInAnyOrder("repo", "ticket");
    assertThat(ArgumentReads.only(Set.of())).isEqualTo(ArgumentReads.none());
    assertThatThrownBy(() -> ArgumentReads.all().names()).isInstanceOf(IllegalStateException.class);
  }
}
