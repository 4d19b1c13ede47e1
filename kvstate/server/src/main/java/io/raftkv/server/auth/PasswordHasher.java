package io.raftkv.server.auth;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.PasswordHash;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted slow password hashes (PBKDF2 with HMAC-SHA-256 from the JDK, a 16-byte random salt, the iteration
 * count kept with the hash) and their constant-time check. Thread-safe.
 */
public final class PasswordHasher {
  public static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
  public static final int DEFAULT_ITERATIONS = 210_000;
  /** The fewest iterations a node may be configured with (tests that hash often); fewer would be no slow hash. */
  public static final int MIN_ITERATIONS = 10_000;
  /** The most iterations a stored hash may ask for: a hostile record must not make a check run for minutes. */
  public static final int MAX_ITERATIONS = 10_000_000;
  static final int SALT_BYTES = 16;
  static final int HASH_BITS = 256;

  private final int iterations;
  private final SecureRandom random = new SecureRandom();

  public PasswordHasher(int iterations) {
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("password hash iterations " + iterations + " is out of range: "
          + MIN_ITERATIONS + ".." + MAX_ITERATIONS);
    }
    this.iterations = iterations;
  }

  /** A hasher with {@link #DEFAULT_ITERATIONS}. */
  public static PasswordHasher standard() {
    return new PasswordHasher(DEFAULT_ITERATIONS);
  }

  /** A new hash record of {@code password} (UTF-8 text) with a fresh salt; refuses bytes that are not UTF-8. */
  public PasswordHash hash(byte[] password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return PasswordHash.newBuilder().setAlgorithm(ALGORITHM).setIterations(iterations)
        .setSalt(ByteString.copyFrom(salt)).setHash(ByteString.copyFrom(derive(password, salt, iterations)))
        .build();
  }

  /** Whether {@code password} is the one {@code stored} was made from; compares in constant time. */
  public static boolean verify(byte[] password, PasswordHash stored) {
    if (!ALGORITHM.equals(stored.getAlgorithm()) || stored.getIterations() < 1
        || stored.getIterations() > MAX_ITERATIONS || stored.getSalt().isEmpty() || stored.getHash().isEmpty()) {
      return false;
    }
    byte[] derived;
    try {
      derived = derive(password, stored.getSalt().toByteArray(), stored.getIterations());
    } catch (IllegalArgumentException notText) {
      return false;
    }
    return MessageDigest.isEqual(derived, stored.getHash().toByteArray());
  }

  private static byte[] derive(byte[] password, byte[] salt, int iterations) {
    char[] chars = toChars(password);
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks " + ALGORITHM + ", which Java 8 and later provide", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  /** The password's characters for PBEKeySpec; passwords are UTF-8 text (checked by {@link AuthLimits}). */
  private static char[] toChars(byte[] password) {
    try {
      CharBuffer decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(password));
      char[] chars = new char[decoded.remaining()];
      decoded.get(chars);
      return chars;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("a password must be UTF-8 text", e);
    }
  }
}
