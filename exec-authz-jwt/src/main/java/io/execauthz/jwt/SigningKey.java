package io.execauthz.jwt;

import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import io.execauthz.jwt.internal.Jose;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.Objects;

/**
 * A private key that signs grants: an Ed25519 or P-256 key pair with a key id ({@code kid}).
 *
 * <pre>{@code
 * SigningKey key = SigningKey.generate(GrantAlgorithm.EDDSA);
 * key.write(Path.of("grant-key.json"));                 // private JWK, owner-only file
 * PublicKeySet jwks = key.publicKeySet();                 // what tool servers trust
 * SigningKey same = SigningKey.read(Path.of("grant-key.json"));
 * }</pre>
 *
 * <p>{@link #toString()} names the key id and algorithm only; the private key leaves this object
 * only through {@link #toPrivateJwk()} and {@link #write(Path)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SigningKey {
  private final JWK jwk;
  private final GrantAlgorithm algorithm;
  private final JWSSigner signer;

  private SigningKey(JWK jwk) {
    if (!jwk.isPrivate()) {
      throw new IllegalArgumentException(
          "key '" + jwk.getKeyID() + "' is a public key; a signing key needs its private part");
    }
    if (jwk.getKeyID() == null || jwk.getKeyID().isEmpty()) {
      throw new IllegalArgumentException("a signing key needs a key id (kid)");
    }
    this.algorithm = GrantAlgorithm.fromJwsName(Jose.pinnedAlgorithm(jwk));
    this.jwk = jwk;
    this.signer = Jose.signer(jwk);
  }

  /** A new random key; its key id is its RFC 7638 thumbprint. */
  public static SigningKey generate(GrantAlgorithm algorithm) {
    return new SigningKey(Jose.generate(algorithm.jwsName(), null));
  }

  /** A new random key with the given key id. */
  public static SigningKey generate(GrantAlgorithm algorithm, String kid) {
    Objects.requireNonNull(kid, "kid");
    if (kid.isEmpty()) {
      throw new IllegalArgumentException("kid must not be empty");
    }
    return new SigningKey(Jose.generate(algorithm.jwsName(), kid));
  }

  /**
   * Reads a private JWK (JSON, RFC 7517), as {@link #toPrivateJwk()} writes it.
   *
   * @throws IllegalArgumentException if it is not a private Ed25519 or P-256 key with a kid
   */
  public static SigningKey parse(String privateJwkJson) {
    Objects.requireNonNull(privateJwkJson, "privateJwkJson");
    try {
      return new SigningKey(JWK.parse(privateJwkJson));
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWK: " + e.getMessage(), e);
    }
  }

  /** Reads a private JWK file. */
  public static SigningKey read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** The key id, the {@code kid} of every grant it signs. */
  public String kid() {
    return jwk.getKeyID();
  }

  public GrantAlgorithm algorithm() {
    return algorithm;
  }

  /** The public half as a JWK (JSON), with {@code kid}, {@code alg} and {@code use}. */
  public String publicJwk() {
    return jwk.toPublicJWK().toJSONString();
  }

  /** A set holding this key's public half only. */
  public PublicKeySet publicKeySet() {
    return PublicKeySet.of(this);
  }

  /** The private JWK as JSON. It holds the private key: store it as a secret. */
  public String toPrivateJwk() {
    return jwk.toJSONString();
  }

  /**
   * Writes the private JWK to {@code file}, replacing it atomically where the file system can; on a
   * POSIX file system the file is readable by its owner only.
   */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp;
    try {
      tmp =
          Files.createTempFile(
              dir,
              ".grant-key",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      tmp = Files.createTempFile(dir, ".grant-key", ".tmp");
    }
    try {
      Files.writeString(tmp, toPrivateJwk(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | UncheckedIOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  JWSSigner signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "SigningKey[kid=" + kid() + ", alg=" + algorithm + "]";
  }
}
