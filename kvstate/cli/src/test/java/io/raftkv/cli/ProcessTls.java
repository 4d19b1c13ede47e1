package io.raftkv.cli;

import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.certs.ClusterCertificates;
import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The TLS of a process IT's cluster, over a directory laid out as `raftkv certs init` writes it (ca.crt,
 * node-N.crt/.key, admin.crt/.key): the flags a `raftkv server` process and a client command take, and Java
 * clients presenting the admin certificate.
 */
record ProcessTls(Path dir) {
  /** Issues a CA for {@code clusterId}, nodes 1..{@code nodes} and the admin into {@code dir}, in this JVM. */
  static ProcessTls issue(Path dir, String clusterId, int nodes) {
    TestCertificates certificates = TestCertificates.create(dir, clusterId);
    for (long id = 1; id <= nodes; id++) {
      certificates.node(id);
    }
    certificates.user(ClusterCertificates.ADMIN_USER);
    return new ProcessTls(dir);
  }

  /** The flags that make node {@code id} serve TLS on both ports with its own certificate. */
  List<String> serverFlags(long id) {
    return List.of("--cert", ClusterCertificates.nodeCertificate(dir, id).toString(),
        "--key", ClusterCertificates.nodeKey(dir, id).toString(),
        "--trusted-ca", ClusterCertificates.caCertificate(dir).toString());
  }

  /** The flags that make a client command speak TLS as the admin. */
  List<String> clientFlags() {
    TlsFiles admin = admin();
    return List.of("--cacert", admin.trustedCa().toString(), "--cert", admin.certChain().toString(),
        "--key", admin.privateKey().toString());
  }

  TlsFiles admin() {
    return new TlsFiles(ClusterCertificates.adminCertificate(dir), ClusterCertificates.adminKey(dir),
        ClusterCertificates.caCertificate(dir));
  }

  /** A Java client of {@code endpoints} presenting the admin certificate. */
  RaftKvClient client(List<String> endpoints, Duration deadline) throws BadTlsFileException {
    return RaftKvClient.builder(endpoints).deadline(deadline).tls(admin()).build();
  }
}
