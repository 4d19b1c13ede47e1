package io.raftkv.torture.rig;

import io.raftkv.api.tls.TlsFiles;
import io.raftkv.certs.ClusterCertificates;
import io.raftkv.server.node.NodeDefaults;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How the rig's nodes and clients speak: TLS from a CA of the run's own (the default, as for any cluster), or
 * plaintext when the run is told --insecure. Says what a node's command line adds and what the clients present.
 */
sealed interface RigSecurity {
  /** The cluster id the nodes run under (the server's default) and their certificates name. */
  String CLUSTER_ID = NodeDefaults.CLUSTER_ID;

  /** A new CA with its files in {@code dir}: each node gets a certificate naming it, the clients the admin's. */
  static RigSecurity tls(Path dir) {
    return new Tls(TestCertificates.create(dir, CLUSTER_ID));
  }

  static RigSecurity plaintext() {
    return new Plaintext();
  }

  /** The flags `raftkv server` needs to serve as member {@code memberId}. */
  List<String> serverFlags(long memberId);

  /** What the rig's clients present: the admin certificate and the CA; empty for plaintext. */
  Optional<TlsFiles> clientFiles();

  /** A few words for the run's first line: how the cluster speaks and where its certificates are. */
  String describe();

  /** TLS on both ports of every node; a node's certificate is issued on its first start (new members too). */
  record Tls(TestCertificates certificates) implements RigSecurity {
    @Override
    public List<String> serverFlags(long memberId) {
      // One certificate per node serves both ports and its peer dials, as `raftkv certs init` makes them.
      TlsFiles node = certificates.node(memberId);
      return List.of("--cert", node.certChain().toString(), "--key", node.privateKey().toString(),
          "--trusted-ca", node.trustedCa().toString());
    }

    @Override
    public Optional<TlsFiles> clientFiles() {
      return Optional.of(certificates.user(ClusterCertificates.ADMIN_USER));
    }

    @Override
    public String describe() {
      return "TLS (certificates in " + certificates.caCertificate().getParent() + ")";
    }
  }

  /** Both ports in plaintext (`raftkv server --insecure`), and clients without TLS. */
  record Plaintext() implements RigSecurity {
    @Override
    public List<String> serverFlags(long memberId) {
      return List.of("--insecure");
    }

    @Override
    public Optional<TlsFiles> clientFiles() {
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "PLAINTEXT (--insecure)";
    }
  }
}
