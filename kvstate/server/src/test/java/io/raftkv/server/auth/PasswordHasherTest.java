package io.raftkv.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.server.statemachine.pb.PasswordHash;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PBKDF2 password hashes: the right password verifies, a wrong one does not, each hash has its own salt. */
class PasswordHasherTest {
  private static final PasswordHasher HASHER = PasswordHasher.standard();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theRightPasswordVerifiesAndAWrongOneDoesNot() {
    PasswordHash hash = HASHER.hash(utf8("correct horse"));
    assertThat(PasswordHasher.verify(utf8("correct horse"), hash)).isTrue();
    assertThat(PasswordHasher.verify(utf8("correct horsf"), hash)).isFalse();
    assertThat(PasswordHasher.verify(utf8(""), hash)).isFalse();
  }

  @Test
  void eachHashHasItsOwnSaltSoTheSamePasswordHashesDifferently() {
    PasswordHash first = HASHER.hash(utf8("same"));
    PasswordHash second = HASHER.hash(utf8("same"));
    assertThat(first.getSalt()).isNotEqualTo(second.getSalt());
    assertThat(first.getHash()).isNotEqualTo(second.getHash());
    assertThat(first.getSalt().size()).isEqualTo(16);
  }

  @Test
  void theHashRecordIsProtobufCarryingAlgorithmAndIterations() throws Exception {
    PasswordHash hash = HASHER.hash(utf8("pw"));
    PasswordHash parsed = PasswordHash.parseFrom(hash.toByteArray());
    assertThat(parsed.getAlgorithm()).isEqualTo("PBKDF2WithHmacSHA256");
    assertThat(parsed.getIterations()).isEqualTo(PasswordHasher.DEFAULT_ITERATIONS);
    assertThat(PasswordHasher.verify(utf8("pw"), parsed)).isTrue();
  }

  @Test
  void aHashWithAnotherAlgorithmOrHostileIterationsNeverVerifies() {
    PasswordHash hash = HASHER.hash(utf8("pw"));
    assertThat(PasswordHasher.verify(utf8("pw"), hash.toBuilder().setAlgorithm("MD5").build())).isFalse();
    assertThat(PasswordHasher.verify(utf8("pw"), hash.toBuilder().setIterations(Integer.MAX_VALUE).build())).isFalse();
  }

  @Test
  void iterationsBelowTheFloorAreRefused() {
    assertThatThrownBy(() -> new PasswordHasher(1_000)).hasMessageContaining("10000");
  }
}
