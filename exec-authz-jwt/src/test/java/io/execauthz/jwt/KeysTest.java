package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KeysTest {
  @TempDir Path dir;

  @Test
  void generate_savePrivateJwk_andLoadIt_signsTheSame() throws Exception {
    SigningKey key = SigningKey.generate(GrantAlgorithm.EDDSA);
    assertThat(key.kid()).hasSize(43); // RFC 7638 SHA-256 thumbprint, base64url
    Path file = dir.resolve("key.json");
    key.write(file);
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      assertThat(Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
    SigningKey loaded = SigningKey.read(file);
    assertThat(loaded.kid()).isEqualTo(key.kid());
    assertThat(loaded.algorithm()).isEqualTo(GrantAlgorithm.EDDSA);
    assertThat(loaded.publicJwk()).isEqualTo(key.publicJwk());
    // a grant signed by the loaded key verifies under the original's public key set
    Fixture f = new Fixture(loaded);
    GrantVerifier v =
        GrantVerifier.newBuilder()
            .keys(key.publicKeySet())
            .issuer(Fixture.ISSUER)
            .audience(Fixture.AUDIENCE)
            .clock(f.clock)
            .withoutRevocationChecks()
            .build();
    assertThat(v.verify(f.mintB1().compact()).keyId()).isEqualTo(key.kid());
  }

  @Test
  void publicJwkSet_roundTripsAsJson_withoutPrivateParts() throws Exception {
    SigningKey ed = SigningKey.generate(GrantAlgorithm.EDDSA, "a");
    SigningKey ec = SigningKey.generate(GrantAlgorithm.ES256, "b");
    PublicKeySet set = PublicKeySet.of(ed, ec);
    String json = set.toJson();
    assertThat(json)
        .contains("\"keys\"", "\"kid\":\"a\"", "\"alg\":\"EdDSA\"", "\"alg\":\"ES256\"");
    assertThat(json).doesNotContain("\"d\"");
    Path file = dir.resolve("jwks.json");
    set.write(file);
    PublicKeySet read = PublicKeySet.read(file);
    assertThat(read).isEqualTo(set);
    assertThat(read.kids()).containsExactly("a", "b");
    assertThat(read.algorithm("b")).contains(GrantAlgorithm.ES256);
    assertThat(SigningKey.parse(ec.toPrivateJwk()).algorithm()).isEqualTo(GrantAlgorithm.ES256);
  }

  @Test
  void untrustworthyKeys_areRefusedWhenASetIsBuilt() throws Exception {
    SigningKey ed = SigningKey.generate(GrantAlgorithm.EDDSA, "a");
    assertThatThrownBy(() -> PublicKeySet.parse("{\"keys\":[" + ed.toPrivateJwk() + "]}"))
        .hasMessageContaining("private");
    String hmac = new OctetSequenceKeyGenerator(256).keyID("h").generate().toJSONString();
    assertThatThrownBy(() -> PublicKeySet.parse("{\"keys\":[" + hmac + "]}"))
        .isInstanceOf(IllegalArgumentException.class);
    String rsa = new RSAKeyGenerator(2048).keyID("r").generate().toPublicJWK().toJSONString();
    assertThatThrownBy(() -> PublicKeySet.parse("{\"keys\":[" + rsa + "]}"))
        .hasMessageContaining("only Ed25519 (EdDSA) and P-256 (ES256)");
    String x25519 =
        new OctetKeyPairGenerator(Curve.X25519).keyID("x").generate().toPublicJWK().toJSONString();
    assertThatThrownBy(() -> PublicKeySet.parse("{\"keys\":[" + x25519 + "]}"))
        .isInstanceOf(IllegalArgumentException.class);
    String lying = ed.publicJwk().replace("\"EdDSA\"", "\"ES256\"");
    assertThatThrownBy(() -> PublicKeySet.parse("{\"keys\":[" + lying + "]}"))
        .hasMessageContaining("declares alg ES256");
    assertThatThrownBy(
            () -> PublicKeySet.parse("{\"keys\":[" + ed.publicJwk() + "," + ed.publicJwk() + "]}"))
        .hasMessageContaining("twice");
    String noKid = ed.publicJwk().replace("\"kid\":\"a\",", "").replace(",\"kid\":\"a\"", "");
    assertThatThrownBy(() -> PublicKeySet.parse("{\"keys\":[" + noKid + "]}"))
        .hasMessageContaining("kid");
    assertThatThrownBy(() -> PublicKeySet.parse("not json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SigningKey.parse(ed.publicJwk())).hasMessageContaining("public key");
  }

  @Test
  void retire_marksTheKeyInTheJson() {
    SigningKey ed = SigningKey.generate(GrantAlgorithm.EDDSA, "a");
    PublicKeySet set = PublicKeySet.of(ed).retire("a", Fixture.START);
    assertThat(set.toJson()).contains("\"exp\":" + Fixture.START.getEpochSecond());
    assertThat(PublicKeySet.parse(set.toJson()).retiredAt("a")).contains(Fixture.START);
    assertThatThrownBy(() -> set.retire("zz", Fixture.START)).hasMessageContaining("no key 'zz'");
    assertThat(Set.copyOf(set.without("a").kids())).isEmpty();
  }
}
