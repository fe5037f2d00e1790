package io.execauthz.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * STYLE rule 7: no toString() of a key, grant, verifier or token wrapper prints key material or a
 * signature.
 */
final class SecretsInToStringTest {

  private static List<String> keyMaterial(SigningKey key) {
    Map<String, Object> jwk = Fixture.parseJson(key.toPrivateJwk());
    List<String> out = new ArrayList<>();
    for (String member : List.of("d", "x", "y")) {
      if (jwk.get(member) instanceof String s) {
        out.add(s);
      }
    }
    return out;
  }

  /** The token with one character of its signature changed. */
  private static String tampered(String compact) {
    char[] c = compact.toCharArray();
    int i = compact.lastIndexOf('.') + 10;
    c[i] = c[i] == 'A' ? 'B' : 'A';
    return new String(c);
  }

  @Test
  void noToString_printsKeyMaterial_aSignature_orTheToken() {
    for (SigningKey key : List.of(Fixture.ED, Fixture.EC)) {
      Fixture f = new Fixture(key);
      GrantToken token = f.mintB1();
      String compact = token.compact();
      String signature = compact.substring(compact.lastIndexOf('.') + 1);
      String payload = compact.split("\\.")[1];
      VerifiedGrant grant = f.verifier.verify(compact);
      GrantVerificationException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              GrantVerificationException.class, () -> f.verifier.verify(tampered(compact)));
      List<Object> printed =
          List.of(
              key,
              key.publicKeySet(),
              f.issuer,
              f.issuer.publicKeys(),
              f.verifier,
              f.tools,
              token,
              grant,
              refused,
              f.revocations);
      List<String> secrets = new ArrayList<>(keyMaterial(key));
      secrets.add(signature);
      secrets.add(payload);
      for (Object o : printed) {
        String s = String.valueOf(o);
        for (String secret : secrets) {
          assertThat(s).as("%s of %s", s, o.getClass().getSimpleName()).doesNotContain(secret);
        }
      }
      assertThat(key.toString())
          .isEqualTo("SigningKey[kid=" + key.kid() + ", alg=" + key.algorithm() + "]");
      assertThat(token.toString()).contains(token.id(), "b1");
      // the private key is there when asked for explicitly, and only then
      assertThat(key.toPrivateJwk()).contains(keyMaterial(key).get(0));
      assertThatThrownBy(
              () -> {
                throw refused;
              })
          .hasMessageNotContaining(signature);
    }
  }
}
