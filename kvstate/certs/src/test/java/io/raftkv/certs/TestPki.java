package io.raftkv.certs;

import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Test certificates on disk: a CA and node or client certificates under it, with any validity. */
final class TestPki {
  static final String CLUSTER = "test-cluster";
  static final List<String> LOOPBACK = List.of("127.0.0.1", "::1", "localhost");

  private final CertificateIssuer issuer = new CertificateIssuer(new SecureRandom());
  private final Path dir;
  final Issued ca;
  final Path caFile;

  TestPki(Path dir, String caName) throws IOException {
    this.dir = dir;
    this.ca = issuer.certificateAuthority(caName, caValidity());
    this.caFile = dir.resolve(caName + "-ca.crt");
    writeAtomically(caFile, PemText.of(ca.certificate()));
  }

  /** A CA outlasting every test certificate on both sides, so that only the certificate under test is out of date. */
  static Validity caValidity() {
    Instant now = Instant.now();
    return new Validity(now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(30)));
  }

  static Validity valid() {
    return Validity.days(Instant.now(), 30);
  }

  /** Ended a day ago. */
  static Validity expired() {
    Instant now = Instant.now();
    return new Validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
  }

  Issued node(long id, Validity validity) {
    return issuer.issue(ca, CertificateRequest.node(new NodeUri(CLUSTER, id), LOOPBACK, validity));
  }

  Issued client(String user, Validity validity) {
    return issuer.issue(ca, CertificateRequest.client(user, validity));
  }

  /** Writes {@code issued} as NAME.crt and NAME.key, and returns the files with this CA as the trusted one. */
  TlsFiles write(String name, Issued issued) throws IOException {
    return write(name, issued, caFile);
  }

  TlsFiles write(String name, Issued issued, Path trustedCa) throws IOException {
    Path certificate = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    writeAtomically(key, PemText.of(issued.keys().getPrivate()));
    writeAtomically(certificate, PemText.of(issued.certificate()));
    return new TlsFiles(certificate, key, trustedCa);
  }

  /** Replaces a file in one step, so a reader never sees half of it. */
  static void writeAtomically(Path file, String text) throws IOException {
    Path temporary = Files.createTempFile(file.getParent(), ".pki", ".tmp");
    Files.writeString(temporary, text);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
