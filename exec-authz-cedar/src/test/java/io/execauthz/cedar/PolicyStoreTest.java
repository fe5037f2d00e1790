package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PolicyStoreTest {
  @TempDir Path dir;

  private static final PolicyTester.Request SHELL =
      PolicyTester.request("agent:coder", "tool.call", "tool:shell/exec")
          .node("s", "session")
          .node("t", "task");

  @Test
  void parseError_isReportedAsFileLineColumn() throws Exception {
    Path f = dir.resolve("bad.cedar");
    Files.writeString(
        f,
        "permit(principal, action, resource);\n\npermit(principal, action, resource)\n  when { context.depth == };\n");
    assertThatThrownBy(() -> PolicyStore.newBuilder().file(f).build())
        .isInstanceOf(PolicyLoadException.class)
        .satisfies(
            e -> {
              assertThat(((PolicyLoadException) e).errors())
                  .singleElement()
                  .asString()
                  .startsWith(f + ":4:27: unexpected token `}` (expected `!`, `(`");
            });
  }

  @Test
  void validationError_isReportedAsFileLineColumn_withHelp() throws Exception {
    Path f = dir.resolve("typo.cedar");
    Files.writeString(
        f,
        "// the team's rules\n"
            + "permit(principal, action == Action::\"tool.call\", resource)\n"
            + "  when { context.dpth <= 3 };\n");
    assertThatThrownBy(() -> PolicyStore.newBuilder().file(f).build())
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith(f + ":3:10: attribute `dpth` in context")
        .hasMessageContaining("did you mean `depth`?");
  }

  @Test
  void nonAsciiText_columnsCountCharacters() {
    assertThatThrownBy(
            () ->
                PolicyStore.of(
                    "@reason(\"naïve — ünïcode\") permit(principal, action, resource) when { context.nope };"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith("policies:1:71: attribute `nope` in context")
        .hasMessageEndingWith("(and for 4 other actions)");
  }

  @Test
  void policyIds_areAtIdAnnotations_elseFileLine() {
    PolicyStore store =
        PolicyStore.newBuilder()
            .policies(
                "team.cedar",
                """
                @id("no-shell")
                forbid(principal, action, resource == Tool::"shell/exec");

                permit(principal, action, resource);
                """)
            .build();
    assertThat(store.policyIds()).containsExactly("no-shell", "team.cedar:4");
    PolicyTester t = PolicyTester.of(store);
    t.assertDeniedBy(SHELL, "no-shell");
    t.assertPermittedBy(
        PolicyTester.request("agent:coder", "tool.call", "tool:github/x"), "team.cedar:4");
  }

  @Test
  void duplicateIds_areRefused() {
    assertThatThrownBy(
            () ->
                PolicyStore.of(
                    """
                    @id("a") permit(principal, action, resource);
                    @id("a") forbid(principal, action, resource);
                    """))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("policies:2:1: duplicate policy id 'a' (also at policies:1:1)");
  }

  @Test
  void templates_areRefused() {
    assertThatThrownBy(() -> PolicyStore.of("permit(principal == ?principal, action, resource);"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("policies:1:");
  }

  @Test
  void reload_keepsLastGoodSet_andReportsWhy() throws Exception {
    Path f = dir.resolve("p.cedar");
    Files.writeString(f, "@id(\"v1\") permit(principal, action, resource);");
    PolicyStore store = PolicyStore.newBuilder().file(f).build();
    CedarPolicyEngine engine = CedarPolicyEngine.of(store);
    PolicyTester t = PolicyTester.of(engine);
    assertThat(engine.version()).isEqualTo(1);
    t.assertPermittedBy(SHELL, "v1");

    Files.writeString(f, "@id(\"v2\") permit(principal, action, resource) when { context.nope };");
    LoadReport bad = store.reload();
    assertThat(bad.applied()).isFalse();
    assertThat(bad.version()).isEqualTo(1);
    assertThat(bad.errors()).singleElement().asString().startsWith(f + ":1:");
    assertThat(store.lastFailure()).contains(bad);
    assertThat(engine.version()).isEqualTo(1);
    t.assertPermittedBy(SHELL, "v1");

    Files.writeString(f, "@id(\"v3\") forbid(principal, action, resource);");
    LoadReport ok = store.reload();
    assertThat(ok.applied()).isTrue();
    assertThat(ok.version()).isEqualTo(2);
    assertThat(store.lastFailure()).isEmpty();
    assertThat(engine.version()).isEqualTo(2);
    t.assertDeny(SHELL);
  }

  @Test
  void replacePolicies_swapsStringSources() {
    PolicyStore store = PolicyStore.of("@id(\"a\") permit(principal, action, resource);");
    LoadReport r =
        store.replacePolicies(
            Map.of("new.cedar", "@id(\"b\") permit(principal, action, resource);"));
    assertThat(r.applied()).isTrue();
    assertThat(store.policyIds()).containsExactly("b");
    LoadReport bad = store.replacePolicies(Map.of("worse.cedar", "permit("));
    assertThat(bad.applied()).isFalse();
    assertThat(bad.errors().get(0)).startsWith("worse.cedar:1:");
    assertThat(store.policyIds()).containsExactly("b");
  }

  @Test
  void directory_loadsEveryCedarFile_andWatcherReloads() throws Exception {
    Files.writeString(dir.resolve("a.cedar"), "@id(\"a\") permit(principal, action, resource);");
    Files.writeString(dir.resolve("notes.txt"), "not a policy");
    LinkedBlockingQueue<LoadReport> reports = new LinkedBlockingQueue<>();
    try (PolicyStore store =
        PolicyStore.newBuilder().directory(dir).watch().onReload(reports::add).build()) {
      assertThat(reports.poll()).extracting(LoadReport::applied).isEqualTo(true);
      assertThat(store.policyIds()).containsExactly("a");

      Files.writeString(
          dir.resolve("b.cedar"),
          "@id(\"b\") forbid(principal, action, resource == Tool::\"shell/exec\");");
      LoadReport r = awaitReport(reports, rep -> rep.applied() && rep.version() >= 2);
      assertThat(r.applied()).isTrue();
      assertThat(store.policyIds()).containsExactly("a", "b");
      PolicyTester.of(store).assertDeniedBy(SHELL, "b");

      Files.writeString(dir.resolve("b.cedar"), "forbid(");
      LoadReport failed = awaitReport(reports, rep -> !rep.applied());
      assertThat(failed.errors().get(0)).contains("b.cedar:1:");
      assertThat(store.policyIds()).containsExactly("a", "b");
    }
  }

  private static LoadReport awaitReport(
      LinkedBlockingQueue<LoadReport> reports, java.util.function.Predicate<LoadReport> p)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      LoadReport r = reports.poll(1, TimeUnit.SECONDS);
      if (r != null && p.test(r)) {
        return r;
      }
    }
    throw new AssertionError("no matching reload report within 30 s");
  }

  @Test
  void thousandPolicies_loadValidateAndDecide() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      sb.append("@id(\"tool-")
          .append(i)
          .append("\") permit(principal, action == Action::\"tool.call\", resource == Tool::\"t")
          .append(i)
          .append("\") when { context.depth <= 3 };\n");
    }
    sb.append(
        "@id(\"no-747\") forbid(principal, action, resource == Tool::\"t747\") unless { context.approved };\n");
    PolicyStore store = PolicyStore.of(sb.toString());
    assertThat(store.policyIds()).hasSize(1001);
    PolicyTester t = PolicyTester.of(store);
    t.assertPermittedBy(PolicyTester.request("user:a", "tool.call", "tool:t999"), "tool-999");
    t.assertDeniedBy(PolicyTester.request("user:a", "tool.call", "tool:t747"), "no-747");
    t.assertPermittedBy(
        PolicyTester.request("user:a", "tool.call", "tool:t747").approved(), "tool-747");
    t.assertDeny(PolicyTester.request("user:a", "tool.call", "tool:t1000"));
  }

  @Test
  void schemaOptions_conflict_areRefusedWhenSet() {
    assertThatThrownBy(() -> PolicyStore.newBuilder().noSchema().schema("s", "entity A;"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("schema conflicts with noSchema, already set");
    assertThatThrownBy(() -> PolicyStore.newBuilder().maxNesting(2).maxNesting(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxNesting was already set");
    assertThatThrownBy(() -> PolicyStore.newBuilder().build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void invalidUserSchema_isReported() {
    assertThatThrownBy(
            () ->
                PolicyStore.newBuilder()
                    .schema("mine.cedarschema", "entity User in [Nope];")
                    .policies("p", "permit(principal, action, resource);")
                    .build())
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith("mine.cedarschema: invalid schema");
  }

  @Test
  void defaultSchema_isShippedAndDeclaresTheContractActions() {
    String s = PolicyStore.defaultSchema();
    assertThat(s)
        .contains("action \"tool.call\"")
        .contains("\"fs.read\", \"fs.write\"")
        .contains("action \"net.connect\"")
        .contains("action \"secret.read\"")
        .contains("entity Execution in [Execution]");
  }

  @Test
  void watcher_onlyWithFiles() {
    assertThatThrownBy(
            () ->
                PolicyStore.newBuilder()
                    .policies("p", "permit(principal, action, resource);")
                    .watch()
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("watch needs");
  }

  @Test
  void warnings_areReported_notFatal() {
    PolicyStore store =
        PolicyStore.newBuilder().policies("p", "permit(principal, action, resource);").build();
    LoadReport r =
        store.replacePolicies(
            Map.of(
                "w.cedar",
                "permit(principal, action == Action::\"tool.call\", resource) when { false };"));
    assertThat(r.applied()).isTrue();
    assertThat(r.warnings()).isNotEmpty();
  }

  @org.junit.jupiter.api.Test
  void readsTime_onlyWhenAPolicyMentionsNow() {
    try (PolicyStore timeless = PolicyStore.of("permit(principal, action, resource);");
        PolicyStore timed =
            PolicyStore.of(
                "permit(principal, action, resource) when { context.now < 1893456000 };")) {
      org.assertj.core.api.Assertions.assertThat(timeless.readsTime()).isFalse();
      org.assertj.core.api.Assertions.assertThat(timed.readsTime()).isTrue();
      org.assertj.core.api.Assertions.assertThat(CedarPolicyEngine.of(timed).readsTime()).isTrue();
      org.assertj.core.api.Assertions.assertThat(CedarPolicyEngine.of(timeless).readsTime())
          .isFalse();
    }
  }
}
