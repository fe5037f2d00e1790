package io.execauthz.cedar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, safe policy reloads: a file is applied only once it is stable and complete; a reload
 * says which policy ids it added and removed; a reload that would empty a file is refused unless
 * the store allows it.
 */
final class PolicyReloadTest {
  @TempDir Path dir;

  private static final String OLD =
      """
      @id("baseline") permit(principal, action, resource);
      @id("no-shell") forbid(principal, action, resource == Tool::"shell/exec");
      @id("no-prod") forbid(principal, action, resource == Tool::"deploy/prod");
      """;

  // the forbid on deploy/prod comes last: every prefix of this file lacks it
  private static final String NEW =
      """
      // rewritten by the release pipeline
      @id("baseline") permit(principal, action, resource);
      @id("no-secrets") forbid(principal, action == Action::"secret.read", resource);
      @id("no-shell") forbid(principal, action, resource == Tool::"shell/exec");
      @id("no-prod") forbid(principal, action, resource == Tool::"deploy/prod");
      """;

  private static final PolicyTester.Request PROD =
      PolicyTester.request("agent:release", "tool.call", "tool:deploy/prod").node("s", "session");

  @Test
  void chunkedRewrite_duringWatch_neverAppliesAPartialFile() throws Exception {
    Path f = dir.resolve("team.cedar");
    Files.writeString(f, OLD);
    LinkedBlockingQueue<LoadReport> reports = new LinkedBlockingQueue<>();
    // the store's own thread would poll once an hour: this test drives every poll itself
    try (PolicyStore store =
        PolicyStore.newBuilder()
            .file(f)
            .watch(Duration.ofHours(1))
            .onReload(reports::add)
            .build()) {
      PolicyTester t = PolicyTester.of(store);
      reports.clear();
      byte[] bytes = NEW.getBytes(StandardCharsets.UTF_8);
      try (OutputStream out =
          Files.newOutputStream(
              f, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        // truncated, and left so for two polls: an empty file is stable, and refused
        assertThat(store.pollFiles()).isEmpty();
        Optional<LoadReport> emptied = store.pollFiles();
        assertThat(emptied).isPresent();
        assertThat(emptied.get().applied()).isFalse();
        assertThat(emptied.get().errors())
            .singleElement()
            .asString()
            .contains(f + ": now holds no policy")
            .contains("all 3 of its policies (baseline, no-shell, no-prod)");
        t.assertDeniedBy(PROD, "no-prod");

        for (int at = 0; at < bytes.length; at += 16) {
          out.write(bytes, at, Math.min(16, bytes.length - at));
          out.flush();
          // the writer keeps writing: one poll between chunks, and the file is never stable
          assertThat(store.pollFiles()).as("poll after %s bytes", at + 16).isEmpty();
          t.assertDeniedBy(PROD, "no-prod");
          assertThat(store.version()).isEqualTo(1);
        }
      }
      // the last chunk's poll saw the whole file once; seen unchanged a second time, it applies
      LoadReport applied = store.pollFiles().orElseThrow();
      assertThat(applied.applied()).isTrue();
      assertThat(applied.version()).isEqualTo(2);
      assertThat(applied.added()).containsExactly("no-secrets");
      assertThat(applied.removed()).isEmpty();
      assertThat(store.pollFiles()).as("nothing new").isEmpty();
      t.assertDeniedBy(PROD, "no-prod");
      assertThat(reports).extracting(LoadReport::applied).containsExactly(false, true);
    }
  }

  @Test
  void stableFile_isAppliedOnTheSecondPoll_andABadOneIsTriedOnce() throws Exception {
    Path f = dir.resolve("p.cedar");
    Files.writeString(f, OLD);
    try (PolicyStore store = PolicyStore.newBuilder().file(f).build()) {
      assertThat(store.pollFiles()).isEmpty();
      Files.writeString(f, NEW);
      assertThat(store.pollFiles()).isEmpty();
      assertThat(store.pollFiles()).get().extracting(LoadReport::applied).isEqualTo(true);

      Files.writeString(f, NEW + "forbid(principal, action,");
      assertThat(store.pollFiles()).isEmpty();
      LoadReport bad = store.pollFiles().orElseThrow();
      assertThat(bad.applied()).isFalse();
      assertThat(bad.errors().get(0)).startsWith(f + ":6:");
      assertThat(store.pollFiles()).as("the same bad file is not tried again").isEmpty();
      assertThat(store.lastFailure()).contains(bad);
      assertThat(store.policyIds()).contains("no-secrets");
    }
  }

  @Test
  void emptyFile_isRefused_andItsForbidsStay() throws Exception {
    Path f = dir.resolve("p.cedar");
    Files.writeString(f, OLD);
    try (PolicyStore store = PolicyStore.newBuilder().file(f).build()) {
      for (String empty : List.of("", "\n", "// all gone for now\n")) {
        Files.writeString(f, empty);
        LoadReport r = store.reload();
        assertThat(r.applied()).as("%s", empty).isFalse();
        assertThat(r.added()).isEmpty();
        assertThat(r.removed()).isEmpty();
        assertThat(r.errors()).singleElement().asString().contains("now holds no policy");
        assertThat(store.policyIds()).containsExactly("baseline", "no-shell", "no-prod");
        assertThat(store.lastFailure()).contains(r);
        PolicyTester.of(store).assertDeniedBy(PROD, "no-prod");
      }
    }
  }

  @Test
  void allPoliciesRemoved_isApplied_onlyWhenAllowed() throws Exception {
    Path keep = dir.resolve("base.cedar");
    Path f = dir.resolve("forbids.cedar");
    Files.writeString(keep, "@id(\"baseline\") permit(principal, action, resource);");
    Files.writeString(
        f, "@id(\"no-prod\") forbid(principal, action, resource == Tool::\"deploy/prod\");");
    try (PolicyStore store = PolicyStore.newBuilder().directory(dir).allowEmptyingFiles().build()) {
      Files.writeString(f, "// nothing forbidden any more\n");
      LoadReport r = store.reload();
      assertThat(r.applied()).isTrue();
      assertThat(r.removed()).containsExactly("no-prod");
      assertThat(r.added()).isEmpty();
      PolicyTester.of(store).assertPermit(PROD);
    }
  }

  @Test
  void fileRemovedFromTheDirectory_isRefused_unlessAllowed() throws Exception {
    Files.writeString(
        dir.resolve("a.cedar"), "@id(\"baseline\") permit(principal, action, resource);");
    Files.writeString(
        dir.resolve("b.cedar"),
        "@id(\"no-prod\") forbid(principal, action, resource == Tool::\"deploy/prod\");");
    try (PolicyStore strict = PolicyStore.newBuilder().directory(dir).build();
        PolicyStore lenient =
            PolicyStore.newBuilder().directory(dir).allowEmptyingFiles().build()) {
      Files.delete(dir.resolve("b.cedar"));
      LoadReport refused = strict.reload();
      assertThat(refused.applied()).isFalse();
      assertThat(refused.errors())
          .singleElement()
          .asString()
          .contains("b.cedar: is gone, which would remove all 1 of its policies (no-prod)");
      PolicyTester.of(strict).assertDeniedBy(PROD, "no-prod");

      LoadReport applied = lenient.reload();
      assertThat(applied.applied()).isTrue();
      assertThat(applied.removed()).containsExactly("no-prod");
    }
  }

  @Test
  void reload_reportsAddedAndRemovedIds() throws Exception {
    Path f = dir.resolve("p.cedar");
    Files.writeString(f, OLD);
    try (PolicyStore store = PolicyStore.newBuilder().file(f).build()) {
      Files.writeString(
          f,
          """
          @id("baseline") permit(principal, action, resource);
          @id("no-prod-2") forbid(principal, action, resource == Tool::"deploy/prod");
          """);
      LoadReport r = store.reload();
      assertThat(r.applied()).isTrue();
      assertThat(r.added()).containsExactly("no-prod-2");
      assertThat(r.removed()).containsExactly("no-shell", "no-prod");
    }
  }

  @Test
  void watcher_appliesAnAtomicRename_andNoDecisionSeesAMissingForbid() throws Exception {
    Path f = dir.resolve("team.cedar");
    Files.writeString(f, OLD);
    LinkedBlockingQueue<LoadReport> reports = new LinkedBlockingQueue<>();
    try (PolicyStore store =
        PolicyStore.newBuilder()
            .file(f)
            .watch(Duration.ofMillis(20))
            .onReload(reports::add)
            .build()) {
      reports.clear();
      CedarPolicyEngine engine = CedarPolicyEngine.of(store);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong decisions = new AtomicLong();
      AtomicReference<CedarDecision> wrong = new AtomicReference<>();
      Thread reader =
          new Thread(
              () -> {
                while (!stop.get()) {
                  CedarDecision d = engine.explain(PROD.toPolicyRequest());
                  decisions.incrementAndGet();
                  if (d.permitted() || !d.determiningPolicies().contains("no-prod")) {
                    wrong.compareAndSet(null, d);
                  }
                }
              });
      reader.start();
      Path tmp = dir.resolve(".team.cedar.tmp"); // not *.cedar, and outside what is watched
      Files.writeString(tmp, NEW);
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      LoadReport r = reports.poll(30, TimeUnit.SECONDS);
      stop.set(true);
      reader.join(30_000);
      assertThat(r).as("a reload within 30 s").isNotNull();
      assertThat(r.applied()).isTrue();
      assertThat(r.added()).containsExactly("no-secrets");
      assertThat(wrong.get()).isNull();
      assertThat(decisions.get()).isPositive();
    }
  }
}
