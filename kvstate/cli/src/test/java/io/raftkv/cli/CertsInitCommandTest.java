package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.certs.ClusterCertificates;
import io.raftkv.server.node.NodeDefaults;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** raftkv certs init writes a CA, node and admin certificates that check out, and never overwrites unasked. */
class CertsInitCommandTest {
  private record Result(int code, String out, String err) {}

  @TempDir
  Path tmp;

  private static Result run(String... args) {
    CommandLine cli = RaftKvCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void nodeCertificatesChainToTheCaNameTheirNodeAndMatchTheirKeys() throws Exception {
    Path dir = tmp.resolve("certs");
    Result r = run("certs", "init", "--dir", dir.toString(), "--nodes", "3", "--hosts", "db1.example.com,10.0.0.5");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    Path ca = ClusterCertificates.caCertificate(dir);
    for (long id = 1; id <= 3; id++) {
      TlsFiles node = new TlsFiles(ClusterCertificates.nodeCertificate(dir, id), ClusterCertificates.nodeKey(dir, id),
          ca);
      assertThatCode(() -> node.check(Instant.now())).doesNotThrowAnyException();
      X509Certificate certificate = certificate(node.certChain());
      assertThat(PeerIdentity.of(certificate))
          .isEqualTo(new PeerIdentity.Node(new NodeUri(NodeDefaults.CLUSTER_ID, id)));
      assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
      assertThat(certificate.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))))
          .contains("127.0.0.1", "localhost", "db1.example.com", "10.0.0.5", "raftkv://raftkv/node/" + id);
    }
    TlsFiles admin = new TlsFiles(ClusterCertificates.adminCertificate(dir), ClusterCertificates.adminKey(dir), ca);
    assertThatCode(() -> admin.check(Instant.now())).doesNotThrowAnyException();
    X509Certificate adminCertificate = certificate(admin.certChain());
    assertThat(PeerIdentity.of(adminCertificate)).isEqualTo(new PeerIdentity.User("admin"));
    assertThat(adminCertificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
  }

  @Test
  void keysAreReadableByTheOwnerOnlyAndEveryFileIsNamed() throws IOException {
    Path dir = tmp.resolve("certs");
    Result r = run("certs", "init", "--dir", dir.toString(), "--nodes", "2");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.toList();
      assertThat(all).hasSize(8);
      for (Path file : all) {
        assertThat(r.out()).contains(file.toString());
        if (file.toString().endsWith(".key")) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
      }
    }
    assertThat(r.out()).contains("--cert", "--key", "--trusted-ca", "--peer-cert", "--peer-key",
        "--peer-trusted-ca", "--cacert");
  }

  @Test
  void secondRunWithoutForceIsRefusedAndChangesNothing() throws IOException {
    Path dir = tmp.resolve("certs");
    assertThat(run("certs", "init", "--dir", dir.toString(), "--nodes", "1").code()).isEqualTo(ExitCodes.OK);
    Map<Path, byte[]> before = contents(dir);

    Result again = run("certs", "init", "--dir", dir.toString(), "--nodes", "1");
    assertThat(again.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("--dir " + dir + " is not empty", "--force");
    assertThat(contents(dir)).containsOnlyKeys(before.keySet());
    before.forEach((file, bytes) -> assertThat(contents(dir).get(file)).as(file.toString()).isEqualTo(bytes));

    Result forced = run("certs", "init", "--dir", dir.toString(), "--nodes", "1", "--force");
    assertThat(forced.code()).as(forced.err()).isEqualTo(ExitCodes.OK);
    assertThat(contents(dir).get(ClusterCertificates.caCertificate(dir)))
        .isNotEqualTo(before.get(ClusterCertificates.caCertificate(dir)));
  }

  @Test
  void outOfRangeCountsAndBadNamesAreUsageErrorsNamingTheValue() {
    Path dir = tmp.resolve("certs");
    Result days = run("certs", "init", "--dir", dir.toString(), "--nodes", "1", "--days", "0");
    assertThat(days.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(days.err()).contains("--days is 0", "1 to 3650", "raftkv certs init --help");
    Result nodes = run("certs", "init", "--dir", dir.toString(), "--nodes", "1000");
    assertThat(nodes.err()).contains("--nodes is 1000", "1 to 100");
    Result cluster = run("certs", "init", "--dir", dir.toString(), "--nodes", "1", "--cluster-id", "a/b");
    assertThat(cluster.err()).contains("--cluster-id is 'a/b'");
    Result host = run("certs", "init", "--dir", dir.toString(), "--nodes", "1", "--hosts", "bad host");
    assertThat(host.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(host.err()).contains("host 'bad host'");
    assertThat(dir).doesNotExist();
  }

  @Test
  void aFileInPlaceOfTheDirectoryIsAUsageError() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    Result r = run("certs", "init", "--dir", file.toString(), "--nodes", "1", "--force");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("is a file, not a directory");
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static Map<Path, byte[]> contents(Path dir) {
    Map<Path, byte[]> contents = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        contents.put(file, Files.readAllBytes(file));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return contents;
  }
}
