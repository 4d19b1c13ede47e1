package io.raftkv.certs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TlsFiles.check refuses, naming the file and the problem, every file that would fail a handshake later. */
class TlsFilesCheckTest {
  @TempDir
  Path dir;

  TestPki pki;
  TlsFiles good;

  @BeforeEach
  void makeCertificates() throws IOException {
    pki = new TestPki(dir, "main");
    good = pki.write("node-1", pki.node(1, TestPki.valid()));
  }

  @Test
  void goodFilesPass() {
    assertThatCode(() -> good.check(Instant.now())).doesNotThrowAnyException();
    assertThatCode(() -> TlsFiles.trustOnly(pki.caFile).check(Instant.now())).doesNotThrowAnyException();
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.crt");
    assertRefused(new TlsFiles(missing, good.privateKey(), good.trustedCa()), missing, "missing");
    assertRefused(TlsFiles.trustOnly(dir.resolve("nope-ca.crt")), dir.resolve("nope-ca.crt"), "missing");
  }

  @Test
  void unreadableFileIsNamed() throws IOException {
    Files.setPosixFilePermissions(good.privateKey(), PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(good.privateKey()), "this user (root) reads files whatever their mode");
    assertRefused(good, good.privateKey(), "unreadable");
  }

  @Test
  void directoryInPlaceOfAFileIsNamed() {
    assertRefused(new TlsFiles(good.certChain(), good.privateKey(), dir), dir, "is a directory");
  }

  @Test
  void certificateThatIsNotPemIsNamed() throws IOException {
    Files.writeString(good.certChain(), "this is not a certificate\n");
    assertRefused(good, good.certChain(), "not a PEM certificate");
  }

  @Test
  void pemBlockThatIsNoCertificateIsNamed() throws IOException {
    Files.writeString(good.certChain(), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    assertRefused(good, good.certChain(), "not a valid PEM certificate");
  }

  @Test
  void keyThatIsNotPemIsNamed() throws IOException {
    Files.writeString(good.privateKey(), "garbage");
    assertRefused(good, good.privateKey(), "not a PEM private key");
  }

  @Test
  void keyInAnotherPemEncodingIsNamedWithItsConversion() throws IOException {
    Files.writeString(good.privateKey(), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertRefused(good, good.privateKey(), "only an unencrypted PKCS#8 key");
  }

  @Test
  void keyOfAnotherCertificateIsNamed() throws IOException {
    TlsFiles other = pki.write("node-2", pki.node(2, TestPki.valid()));
    assertRefused(new TlsFiles(good.certChain(), other.privateKey(), good.trustedCa()), other.privateKey(),
        "does not match the certificate");
  }

  @Test
  void expiredCertificateIsNamed() throws IOException {
    TlsFiles expired = pki.write("old", pki.node(3, TestPki.expired()));
    assertRefused(expired, expired.certChain(), "expired");
  }

  @Test
  void certificateNotYetValidIsNamed() throws IOException {
    Instant now = Instant.now();
    TlsFiles early = pki.write("early", pki.node(4, new Validity(now.plus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(5)))));
    assertRefused(early, early.certChain(), "not valid before");
  }

  @Test
  void certificateFromAnotherCaIsNamed() throws IOException {
    TestPki other = new TestPki(dir, "other");
    TlsFiles foreign = other.write("foreign", other.node(1, TestPki.valid()), pki.caFile);
    assertRefused(foreign, foreign.certChain(), "not signed by the trusted CA in " + pki.caFile);
  }

  @Test
  void expiredCaIsNamed() {
    Instant afterCaEnd = Instant.now().plus(Duration.ofDays(31));
    assertRefused(good, afterCaEnd, pki.caFile, "expired");
  }

  @Test
  void oversizedFileIsRefusedUnread() throws IOException {
    Files.write(good.certChain(), new byte[2 << 20]);
    assertRefused(good, good.certChain(), "at most");
  }

  private static void assertRefused(TlsFiles files, Path file, String problem) {
    assertRefused(files, Instant.now(), file, problem);
  }

  private static void assertRefused(TlsFiles files, Instant now, Path file, String problem) {
    assertThatThrownBy(() -> files.check(now))
        .isInstanceOf(BadTlsFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(problem)
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((BadTlsFileException) e).file())
            .isEqualTo(file));
  }
}
