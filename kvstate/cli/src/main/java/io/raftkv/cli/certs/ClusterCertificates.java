package io.raftkv.cli.certs;

import io.raftkv.api.tls.NodeUri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of {@code raftkv certs init}: a CA, one certificate per node (for both of its ports and for dialling
 * its peers) and an {@code admin} client certificate, written into one directory. Keys are written 0600.
 */
public final class ClusterCertificates {
  /** The user of the client certificate made beside the nodes'. */
  public static final String ADMIN_USER = "admin";

  private static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> CERTIFICATE_MODE = PosixFilePermissions.fromString("rw-r--r--");

  private ClusterCertificates() {}

  /** What to make: the cluster, how many nodes, the hosts every node certificate names, and the validity. */
  public record Plan(Path dir, String clusterId, int nodes, List<String> hosts, Validity validity) {
    public Plan {
      hosts = List.copyOf(hosts);
    }
  }

  public static Path caCertificate(Path dir) {
    return dir.resolve("ca.crt");
  }

  public static Path caKey(Path dir) {
    return dir.resolve("ca.key");
  }

  public static Path nodeCertificate(Path dir, long id) {
    return dir.resolve("node-" + id + ".crt");
  }

  public static Path nodeKey(Path dir, long id) {
    return dir.resolve("node-" + id + ".key");
  }

  public static Path adminCertificate(Path dir) {
    return dir.resolve(ADMIN_USER + ".crt");
  }

  public static Path adminKey(Path dir) {
    return dir.resolve(ADMIN_USER + ".key");
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
    Path dir = plan.dir();
    Files.createDirectories(dir);
    Issued ca = issuer.certificateAuthority("RaftKV CA " + plan.clusterId(), plan.validity());
    List<Path> written = new ArrayList<>();
    written.addAll(writePair(ca, caCertificate(dir), caKey(dir)));
    for (long id = 1; id <= plan.nodes(); id++) {
      Issued node = issuer.issue(ca, CertificateRequest.node(new NodeUri(plan.clusterId(), id), plan.hosts(),
          plan.validity()));
      written.addAll(writePair(node, nodeCertificate(dir, id), nodeKey(dir, id)));
    }
    Issued admin = issuer.issue(ca, CertificateRequest.client(ADMIN_USER, plan.validity()));
    written.addAll(writePair(admin, adminCertificate(dir), adminKey(dir)));
    return written;
  }

  private static List<Path> writePair(Issued issued, Path certificate, Path key) throws IOException {
    // The key first: a certificate on disk without its key would look usable and is not.
    write(key, PemText.of(issued.keys().getPrivate()), KEY_MODE);
    write(certificate, PemText.of(issued.certificate()), CERTIFICATE_MODE);
    return List.of(certificate, key);
  }

  /** Writes through a temporary file made with its final mode, so a key is never readable by others. */
  private static void write(Path file, String text, Set<PosixFilePermission> mode) throws IOException {
    Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(KEY_MODE));
    try {
      Files.writeString(temporary, text, StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(temporary, mode);
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
