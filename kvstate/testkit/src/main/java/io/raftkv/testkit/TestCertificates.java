package io.raftkv.testkit;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.certs.CertificateAuthority;
import io.raftkv.certs.CertificateIssuer;
import io.raftkv.certs.Validity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;

/**
 * The certificates of a test cluster, issued on first use into one directory by a CA of its own: a node's for
 * both of its ports (names 127.0.0.1 and localhost), a user's for a client. Thread-safe.
 */
public final class TestCertificates {
  private static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");

  private final CertificateAuthority authority;
  private final Validity validity = Validity.days(Instant.now(), 30);

  private TestCertificates(CertificateAuthority authority) {
    this.authority = authority;
  }

  /** A new CA for {@code clusterId}, its files in {@code dir}. */
  public static TestCertificates create(Path dir, String clusterId) {
    try {
      return new TestCertificates(CertificateAuthority.create(dir, clusterId, new CertificateIssuer(new SecureRandom()),
          Validity.days(Instant.now(), 30)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test certificates into " + dir, e);
    }
  }

  /** The CA every node and client trusts. */
  public Path caCertificate() {
    return authority.certificate();
  }

  /** Node {@code id}'s certificate, key and the CA: what both of its ports and its peer dials use. */
  public synchronized TlsFiles node(long id) {
    return issued(authority.dir().resolve("node-" + id + ".crt"), () -> authority.issueNode(id, LOOPBACK, validity));
  }

  /** A client certificate naming {@code user}, with its key and the CA. */
  public synchronized TlsFiles user(String user) {
    return issued(authority.dir().resolve(user + ".crt"), () -> authority.issueUser(user, validity));
  }

  /**
   * A client certificate naming {@code user} that expired an hour ago (files USER-expired.crt/.key): a client
   * refuses to load it, so a test presents it through raw gRPC credentials to see the server refuse it.
   */
  public synchronized TlsFiles expiredUser(String user) {
    Instant now = Instant.now();
    Validity past = new Validity(now.minus(java.time.Duration.ofDays(2)), now.minus(java.time.Duration.ofHours(1)));
    return issued(authority.dir().resolve(user + "-expired.crt"), () -> authority.issueUser(user, past,
        user + "-expired"));
  }

  /** A client that checks the nodes but presents no certificate of its own. */
  public TlsFiles trustOnly() {
    return TlsFiles.trustOnly(caCertificate());
  }

  /**
   * Raw gRPC credentials presenting {@code files}' certificate and trusting its CA, unchecked: a test presents an
   * expired or foreign certificate this way to see the server refuse it.
   */
  public static ChannelCredentials channelCredentials(TlsFiles files) {
    try {
      TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder()
          .trustManager(files.trustedCa().toFile());
      if (files.hasIdentity()) {
        builder.keyManager(files.certChain().toFile(), files.privateKey().toFile());
      }
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test certificate files " + files, e);
    }
  }

  private interface Issue {
    List<Path> run() throws IOException;
  }

  private TlsFiles issued(Path certificate, Issue issue) {
    try {
      List<Path> files = Files.exists(certificate)
          ? List.of(certificate, certificate.resolveSibling(certificate.getFileName().toString()
              .replaceFirst("\\.crt$", ".key")))
          : issue.run();
      return new TlsFiles(files.get(0), files.get(1), caCertificate());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot issue test certificate " + certificate, e);
    }
  }
}
