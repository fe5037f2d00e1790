package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.execauthz.audit.AuditLogVerifier;
import io.execauthz.audit.AuditVerification;
import io.execauthz.audit.JsonLinesAuditSink;
import io.execauthz.internal.Json;
import io.execauthz.spi.PolicyEngine;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON-lines sink keeps a call's arguments only when told to, redacting named keys at any
 * depth; {@code argsSha256} stays the hash of the real arguments, and the log verifies.
 */
final class KeptArgumentsTest {
  @TempDir Path dir;

  private static final Map<String, Object> ARGS =
      Map.of(
          "repo",
          "acme/api",
          "Token",
          "s3cr3t",
          "auth",
          Map.of("user", "bob", "password", "hunter2"),
          "list",
          List.of(Map.of("token", "x"), 1),
          "ratio",
          new BigDecimal("0.0000001"),
          "big",
          new BigDecimal("123456789012345678901234567890.123456789"));

  private List<String> write(JsonLinesAuditSink.Builder builder) throws Exception {
    ExecutionGraph graph = ExecutionGraph.newBuilder().build();
    graph.spawn(
        NodeSpec.builder("t").principal("agent:x").capabilities("tool.call tool:**").build());
    try (JsonLinesAuditSink sink = builder.build()) {
      Authorizer a =
          Authorizer.newBuilder()
              .graph(graph)
              .policyEngine(PolicyEngine.permitAll())
              .auditSink(sink)
              .build();
      a.authorize(AuthorizationRequest.of("t", "tool.call", "tool:gh/push").withArgs(ARGS));
      a.authorize("t", "tool.call", "tool:gh/status"); // no arguments
      a.authorize(AuthorizationRequest.of("t", "fs.write", "fs:/x").withArgs(ARGS)); // a deny
      AuditVerification v = AuditLogVerifier.verify(sink.file());
      assertThat(v.valid()).as(v.problem()).isTrue();
    }
    return Files.readAllLines(dir.resolve("audit.jsonl"));
  }

  @Test
  void byDefault_noArgumentIsKept() throws Exception {
    List<String> lines = write(JsonLinesAuditSink.newBuilder(dir.resolve("audit.jsonl")));

    assertThat(lines).noneMatch(l -> l.contains("\"args\"") || l.contains("hunter2"));
    assertThat(lines.get(0)).contains("\"argsSha256\":\"" + Args.of(ARGS).sha256() + "\"");
  }

  @Test
  void keepArguments_keepsThemCanonical_redactingNamedKeysAtAnyDepth() throws Exception {
    List<String> lines =
        write(
            JsonLinesAuditSink.newBuilder(dir.resolve("audit.jsonl"))
                .keepArguments(true)
                .redact("token", "PASSWORD"));

    Map<?, ?> first = (Map<?, ?>) Json.parseExact(lines.get(0));
    assertThat(first.get("argsSha256")).isEqualTo(Args.of(ARGS).sha256()); // the real ones
    assertThat(lines.get(0))
        .contains(
            "\"args\":{\"Token\":\"[redacted]\",\"auth\":{\"password\":\"[redacted]\","
                + "\"user\":\"bob\"},\"big\":123456789012345678901234567890.123456789,"
                + "\"list\":[{\"token\":\"[redacted]\"},1],\"ratio\":0.0000001,"
                + "\"repo\":\"acme/api\"},\"redacted\":[\"Token\",\"auth\",\"list\"]")
        .doesNotContain("hunter2")
        .doesNotContain("s3cr3t");
    assertThat(lines.get(1)).doesNotContain("\"args\"").doesNotContain("\"redacted\"");
    assertThat(((Map<?, ?>) Json.parseExact(lines.get(2))).containsKey("args"))
        .isTrue(); // denies too
  }

  @Test
  void keepArguments_withoutRedaction_keepsTheValuesTheHashBinds() throws Exception {
    List<String> lines =
        write(JsonLinesAuditSink.newBuilder(dir.resolve("audit.jsonl")).keepArguments(true));

    Map<?, ?> first = (Map<?, ?>) Json.parseExact(lines.get(0));
    @SuppressWarnings("unchecked")
    Map<String, Object> kept = (Map<String, Object>) first.get("args");
    assertThat(Args.of(kept).sha256()).isEqualTo(first.get("argsSha256"));
    assertThat(first.containsKey("redacted")).isFalse();
  }

  @Test
  void redact_withoutKeepArguments_isRefused() {
    JsonLinesAuditSink.Builder b =
        JsonLinesAuditSink.newBuilder(dir.resolve("audit.jsonl")).redact("token");

    assertThatThrownBy(b::build).hasMessageContaining("redact needs keepArguments(true)");
    assertThatThrownBy(() -> JsonLinesAuditSink.newBuilder(dir.resolve("b")).redact("x", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verify_argsWithoutTheirHash_orAStringNotCut_isMalformed() throws Exception {
    List<String> lines =
        write(JsonLinesAuditSink.newBuilder(dir.resolve("audit.jsonl")).keepArguments(true));
    String noHash = lines.get(0).replaceFirst(",\"argsSha256\":\"[0-9a-f]{64}\"", "");
    String asString = lines.get(0).replaceFirst("\"args\":\\{.*\\}\\}$", "\"args\":\"x\"}");
    String exponent = lines.get(0).replace("0.0000001", "1E-7");

    for (String bad : List.of(noHash, asString, exponent)) {
      Path log = Files.writeString(dir.resolve("bad.jsonl"), bad + "\n");
      AuditVerification v = AuditLogVerifier.verify(log);
      assertThat(v.valid()).as(bad).isFalse();
      assertThat(v.problem()).contains("record 1: malformed line");
    }
  }
}
