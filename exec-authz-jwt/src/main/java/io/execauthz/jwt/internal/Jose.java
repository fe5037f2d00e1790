package io.execauthz.jwt.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Nimbus JOSE+JWT and Tink plumbing the grant classes share: key generation and parsing, the
 * signer and verifier for a key, strict base64url and bounded JSON. Not API: its signatures may
 * change in any release.
 *
 * <p>Stateless and thread-safe.
 */
public final class Jose {
  /** The JWS algorithm names this library signs and verifies with. */
  public static final String EDDSA = "EdDSA";

  public static final String ES256 = "ES256";

  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Jose() {}

  /** A new private key for {@code alg}, its {@code kid} the RFC 7638 thumbprint unless given. */
  public static JWK generate(String alg, String kid) {
    try {
      JWK key =
          switch (alg) {
            case EDDSA ->
                new OctetKeyPairGenerator(Curve.Ed25519)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.EdDSA)
                    .generate();
            case ES256 ->
                new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
            default -> throw new IllegalArgumentException("unsupported algorithm " + alg);
          };
      String id = kid == null ? key.computeThumbprint().toString() : kid;
      return key instanceof OctetKeyPair okp
          ? new OctetKeyPair.Builder(okp).keyID(id).build()
          : new ECKey.Builder(key.toECKey()).keyID(id).build();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an " + alg + " key: " + e.getMessage(), e);
    }
  }

  /**
   * The algorithm a key is pinned to: its {@code alg} member, which must agree with its type and
   * curve, or the one its type and curve imply. Only Ed25519 ({@code EdDSA}) and P-256 ({@code
   * ES256}) signing keys are accepted.
   *
   * @throws IllegalArgumentException naming the key and what is wrong with it
   */
  public static String pinnedAlgorithm(JWK key) {
    String kid = key.getKeyID();
    String implied;
    if (key.getKeyType() == KeyType.OKP && Curve.Ed25519.equals(key.toOctetKeyPair().getCurve())) {
      implied = EDDSA;
    } else if (key.getKeyType() == KeyType.EC && Curve.P_256.equals(key.toECKey().getCurve())) {
      implied = ES256;
    } else {
      throw new IllegalArgumentException(
          "key '"
              + kid
              + "' is "
              + key.getKeyType()
              + (key instanceof com.nimbusds.jose.jwk.CurveBasedJWK c ? " " + c.getCurve() : "")
              + "; only Ed25519 (EdDSA) and P-256 (ES256) signing keys are accepted");
    }
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(implied)) {
      throw new IllegalArgumentException(
          "key '"
              + kid
              + "' declares alg "
              + key.getAlgorithm().getName()
              + " but is a "
              + implied
              + " key");
    }
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      throw new IllegalArgumentException(
          "key '" + kid + "' has use '" + key.getKeyUse().identifier() + "', not 'sig'");
    }
    if (key.getKeyOperations() != null
        && !key.getKeyOperations().contains(KeyOperation.VERIFY)
        && !key.getKeyOperations().contains(KeyOperation.SIGN)) {
      throw new IllegalArgumentException(
          "key '" + kid + "' has key_ops " + key.getKeyOperations() + " without sign or verify");
    }
    return implied;
  }

  /** The signer for a private key of {@link #pinnedAlgorithm}. Thread-safe. */
  public static JWSSigner signer(JWK privateKey) {
    try {
      return privateKey instanceof OctetKeyPair okp
          ? new Ed25519Signer(okp)
          : new ECDSASigner(privateKey.toECKey());
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "key '" + privateKey.getKeyID() + "' cannot sign: " + e.getMessage(), e);
    }
  }

  /** The verifier for a public key of {@link #pinnedAlgorithm}. Thread-safe. */
  public static JWSVerifier verifier(JWK publicKey) {
    try {
      return publicKey instanceof OctetKeyPair okp
          ? new Ed25519Verifier(okp.toPublicJWK())
          : new ECDSAVerifier(publicKey.toECKey().toPublicJWK());
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "key '" + publicKey.getKeyID() + "' cannot verify: " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one part of a compact serialization, accepting only canonical unpadded base64url (so no
   * two different strings decode to the same bytes).
   *
   * @return the bytes, or {@code null} if the text is empty or not canonical base64url
   */
  public static byte[] decodeStrict(String part) {
    int n = part.length();
    if (n == 0 || n % 4 == 1) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      char c = part.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return null;
      }
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(part);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return ENCODER.encodeToString(bytes).equals(part) ? bytes : null;
  }

  /** Unpadded base64url. */
  public static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /**
   * Parses a JSON object of at most {@code maxChars} characters, in which no object, at any depth,
   * names a member twice: parsers disagree on which of two {@code cap} claims counts, so a token
   * with both is refused rather than read one way here and another elsewhere.
   *
   * @throws ParseException if it is not one, or names a member twice
   */
  public static Map<String, Object> parseObject(byte[] utf8, int maxChars) throws ParseException {
    String json = new String(utf8, StandardCharsets.UTF_8);
    Map<String, Object> parsed;
    try {
      parsed = JSONObjectUtils.parse(json, maxChars);
    } catch (StackOverflowError e) {
      throw new ParseException("JSON nested too deeply", 0);
    } catch (RuntimeException e) {
      throw new ParseException("not JSON: " + e.getClass().getSimpleName(), 0);
    }
    String twice = duplicateName(json);
    if (twice != null) {
      throw new ParseException(
          "the member '" + io.execauthz.Names.printable(twice) + "' is named twice", 0);
    }
    return parsed;
  }

  /**
   * The first member name that some object of this (strict, already parsed) JSON text names twice,
   * compared after unescaping (an escaped letter names the same member as the letter); or null.
   */
  static String duplicateName(String json) {
    List<Set<String>> stack = new ArrayList<>(); // a null frame is an array
    boolean expectName = false;
    int n = json.length();
    for (int i = 0; i < n; i++) {
      char c = json.charAt(i);
      switch (c) {
        case '{' -> {
          stack.add(new HashSet<>());
          expectName = true;
        }
        case '[' -> {
          stack.add(null);
          expectName = false;
        }
        case '}', ']' -> {
          stack.remove(stack.size() - 1);
          expectName = false;
        }
        case ',' -> expectName = !stack.isEmpty() && stack.get(stack.size() - 1) != null;
        case '"' -> {
          StringBuilder name = expectName ? new StringBuilder() : null;
          i++;
          while (i < n && json.charAt(i) != '"') {
            char d = json.charAt(i);
            if (d == '\\') {
              char e = json.charAt(++i);
              if (e == 'u') {
                d = (char) Integer.parseInt(json.substring(i + 1, i + 5), 16);
                i += 4;
              } else {
                d =
                    switch (e) {
                      case 'b' -> '\b';
                      case 'f' -> '\f';
                      case 'n' -> '\n';
                      case 'r' -> '\r';
                      case 't' -> '\t';
                      default -> e; // \" \\ \/
                    };
              }
            }
            if (name != null) {
              name.append(d);
            }
            i++;
          }
          if (name != null && !stack.get(stack.size() - 1).add(name.toString())) {
            return name.toString();
          }
          expectName = false;
        }
        default -> {
          // ':', whitespace, numbers, literals
        }
      }
    }
    return null;
  }

  /** Serializes a JSON object. */
  public static String toJson(Map<String, ?> object) {
    return JSONObjectUtils.toJSONString(object);
  }
}
