package io.execauthz.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint keys are OKP Ed25519 JWKs, read into the JDK's own key types. */
final class AuditKeysTest {
  @TempDir Path dir;

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** The raw 32 bytes at the end of an Ed25519 key's X.509 or PKCS#8 encoding. */
  private static byte[] raw(byte[] encoded) {
    return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
  }

  private static String publicJwk(String kid, KeyPair pair) {
    return "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\""
        + kid
        + "\",\"x\":\""
        + b64(raw(pair.getPublic().getEncoded()))
        + "\"}";
  }

  private static String privateJwk(String kid, KeyPair pair, KeyPair publicHalf) {
    return "{\"kty\":\"OKP\",\"d\":\""
        + b64(raw(pair.getPrivate().getEncoded()))
        + "\",\"use\":\"sig\",\"crv\":\"Ed25519\",\"kid\":\""
        + kid
        + "\",\"x\":\""
        + b64(raw(publicHalf.getPublic().getEncoded()))
        + "\",\"alg\":\"EdDSA\"}";
  }

  private static final String EC_JWK =
      "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"grant-p256\","
          + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
          + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";

  @Test
  void fromJwk_signsCheckpointsThatThePublicJwkSetVerifies() throws Exception {
    KeyPair pair = ed25519();
    AuditSigningKey key = AuditSigningKey.fromJwk(privateJwk("audit-1", pair, pair));
    Path log = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(log).checkpoints(key).build()) {
      sink.record(AuditFixtures.record(1));
    }
    AuditTrustedKeys trusted =
        AuditTrustedKeys.fromJwks("{\"keys\":[" + EC_JWK + "," + publicJwk("audit-1", pair) + "]}");

    AuditVerification v =
        AuditLogVerifier.verify(log, dir.resolve("audit.jsonl.checkpoints"), trusted);

    assertThat(v.valid()).as(v.problem()).isTrue();
    assertThat(v.signedRecords()).isEqualTo(1);
    assertThat(trusted.kids()).containsExactly("audit-1");
    assertThat(key.kid()).isEqualTo("audit-1");
    assertThat(key.toString()).isEqualTo("AuditSigningKey[kid=audit-1]");
  }

  @Test
  void fromJwks_checkpointSignedUnderAnEcKid_namesWhyItIsNotTrusted() throws IOException {
    Path log = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink =
        JsonLinesAuditSink.newBuilder(log)
            .checkpoints(AuditSigningKey.generate("grant-p256"))
            .build()) {
      sink.record(AuditFixtures.record(1));
    }

    AuditVerification v =
        AuditLogVerifier.verify(
            log,
            dir.resolve("audit.jsonl.checkpoints"),
            AuditTrustedKeys.fromJwks("{\"keys\":[" + EC_JWK + "]}"));

    assertThat(v.problem())
        .isEqualTo(
            "checkpoint 1: signed with an untrusted key: key 'grant-p256' is in the key set but"
                + " is not an Ed25519 key");
  }

  @Test
  void fromJwk_publicFromAnotherKey_isRefused() throws Exception {
    assertThatThrownBy(() -> AuditSigningKey.fromJwk(privateJwk("k", ed25519(), ed25519())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 'k': the public key is not the private key's other half");
  }

  @Test
  void fromJwk_publicOnly_isRefused() throws Exception {
    assertThatThrownBy(() -> AuditSigningKey.fromJwk(publicJwk("k", ed25519())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a public key");
  }

  @Test
  void fromJwk_ecKey_isRefusedNamingIt() {
    assertThatThrownBy(() -> AuditSigningKey.fromJwk(EC_JWK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key 'grant-p256' is not an Ed25519 key");
  }

  @Test
  void fromJwk_malformed_isRefusedWithoutQuotingKeyMaterial() throws Exception {
    KeyPair pair = ed25519();
    String jwk = privateJwk("k", pair, pair);
    String d = b64(raw(pair.getPrivate().getEncoded()));
    for (String bad :
        List.of(
            jwk.replace("\"kid\":\"k\",", ""),
            jwk.replace(d, d + "=="),
            jwk.replace(d, d.substring(4)),
            "[1]",
            "{")) {
      assertThatThrownBy(() -> AuditSigningKey.fromJwk(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(d.substring(0, 12)));
    }
  }

  @Test
  void fromJwks_privateKeyOrDuplicateKid_isRefused() throws Exception {
    KeyPair pair = ed25519();
    assertThatThrownBy(
            () -> AuditTrustedKeys.fromJwks("{\"keys\":[" + privateJwk("k", pair, pair) + "]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds a private key");
    assertThatThrownBy(
            () ->
                AuditTrustedKeys.fromJwks(
                    "{\"keys\":[" + publicJwk("k", pair) + "," + publicJwk("k", pair) + "]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appears twice");
  }

  @Test
  void fromJwks_singleJwk_isAccepted() throws Exception {
    assertThat(AuditTrustedKeys.fromJwks(publicJwk("solo", ed25519())).kids())
        .containsExactly("solo");
  }

  @Test
  void of_nonEd25519Key_isRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = g.generateKeyPair();
    assertThatThrownBy(() -> AuditTrustedKeys.of(java.util.Map.of("k", ec.getPublic())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not Ed25519");
    assertThatThrownBy(() -> AuditSigningKey.of("k", ec))
        .isInstanceOf(IllegalArgumentException.class);
    KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
    assertThatThrownBy(() -> AuditTrustedKeys.of(java.util.Map.of("k", ed448.getPublic())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not Ed25519");
    assertThatThrownBy(() -> AuditSigningKey.of("k", ed448))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void checkpointsFile_holdsNoKeyMaterial() throws Exception {
    KeyPair pair = ed25519();
    Path log = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink =
        JsonLinesAuditSink.newBuilder(log)
            .checkpoints(AuditSigningKey.fromJwk(privateJwk("k", pair, pair)))
            .build()) {
      sink.record(AuditFixtures.record(1));
    }
    String d = b64(raw(pair.getPrivate().getEncoded()));
    assertThat(Files.readString(dir.resolve("audit.jsonl.checkpoints"))).doesNotContain(d);
  }
}
