package io.raftkv.certs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of {@code raftkv certs init}: a CA, one certificate per node (for both of its ports and for dialling
 * its peers) and an {@code admin} client certificate, written into one directory. Keys are written 0600.
 */
public final class ClusterCertificates {
  /** The user of the client certificate made beside the nodes'. */
  public static final String ADMIN_USER = "admin";

  private ClusterCertificates() {}

  /** What to make: the cluster, how many nodes, the hosts every node certificate names, and the validity. */
  public record Plan(Path dir, String clusterId, int nodes, List<String> hosts, Validity validity) {
    public Plan {
      hosts = List.copyOf(hosts);
    }
  }

  public static Path caCertificate(Path dir) {
    return CertificateAuthority.certificateOf(dir, "ca");
  }

  public static Path caKey(Path dir) {
    return CertificateAuthority.keyOf(dir, "ca");
  }

  public static Path nodeCertificate(Path dir, long id) {
    return CertificateAuthority.certificateOf(dir, "node-" + id);
  }

  public static Path nodeKey(Path dir, long id) {
    return CertificateAuthority.keyOf(dir, "node-" + id);
  }

  public static Path adminCertificate(Path dir) {
    return CertificateAuthority.certificateOf(dir, ADMIN_USER);
  }

  public static Path adminKey(Path dir) {
    return CertificateAuthority.keyOf(dir, ADMIN_USER);
  }

  /**
   * Whether {@code dir} may be written without --force: it does not exist, or is an empty directory. Refuses a
   * path that is not a directory.
   */
  public static boolean isFresh(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--dir " + dir + " is a file, not a directory");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Makes and writes every certificate and key of {@code plan}; returns the files written, in order. */
  public static List<Path> write(Plan plan, CertificateIssuer issuer) throws IOException {
    CertificateAuthority ca = CertificateAuthority.create(plan.dir(), plan.clusterId(), issuer, plan.validity());
    List<Path> written = new ArrayList<>(List.of(caCertificate(plan.dir()), caKey(plan.dir())));
    for (long id = 1; id <= plan.nodes(); id++) {
      written.addAll(ca.issueNode(id, plan.hosts(), plan.validity()));
    }
    written.addAll(ca.issueUser(ADMIN_USER, plan.validity()));
    return written;
  }
}
