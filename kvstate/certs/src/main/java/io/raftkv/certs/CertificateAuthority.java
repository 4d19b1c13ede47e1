package io.raftkv.certs;

import io.raftkv.api.tls.NodeUri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * A cluster's CA with its key at hand, writing what it issues into one directory: {@code ca.crt}/{@code ca.key},
 * {@code node-N.crt}/{@code .key} for nodes, {@code USER.crt}/{@code .key} for users. Keys are written 0600.
 */
public final class CertificateAuthority {
  private static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> CERTIFICATE_MODE = PosixFilePermissions.fromString("rw-r--r--");

  private final Path dir;
  private final String clusterId;
  private final Issued ca;
  private final CertificateIssuer issuer;

  private CertificateAuthority(Path dir, String clusterId, Issued ca, CertificateIssuer issuer) {
    this.dir = dir;
    this.clusterId = clusterId;
    this.ca = ca;
    this.issuer = issuer;
  }

  /** Makes a new CA for {@code clusterId} and writes its certificate and key into {@code dir} (created if absent). */
  public static CertificateAuthority create(Path dir, String clusterId, CertificateIssuer issuer, Validity validity)
      throws IOException {
    Files.createDirectories(dir);
    CertificateAuthority authority = new CertificateAuthority(dir, clusterId,
        issuer.certificateAuthority("RaftKV CA " + clusterId, validity), issuer);
    authority.writePair(authority.ca, certificateOf(dir, "ca"), keyOf(dir, "ca"));
    return authority;
  }

  /** The directory the files go to. */
  public Path dir() {
    return dir;
  }

  /** The CA certificate every node and client trusts. */
  public Path certificate() {
    return certificateOf(dir, "ca");
  }

  /** Issues node {@code id}'s certificate (both ports; the node URI and {@code hosts} as names); returns its files. */
  public List<Path> issueNode(long id, List<String> hosts, Validity validity) throws IOException {
    Issued node = issuer.issue(ca, CertificateRequest.node(new NodeUri(clusterId, id), hosts, validity));
    return writePair(node, certificateOf(dir, "node-" + id), keyOf(dir, "node-" + id));
  }

  /** Issues a client certificate whose common name is {@code user}, as USER.crt and USER.key; returns them. */
  public List<Path> issueUser(String user, Validity validity) throws IOException {
    return issueUser(user, validity, user);
  }

  /** Issues a client certificate whose common name is {@code user}, as FILESTEM.crt and .key; returns them. */
  public List<Path> issueUser(String user, Validity validity, String fileStem) throws IOException {
    Issued client = issuer.issue(ca, CertificateRequest.client(user, validity));
    return writePair(client, certificateOf(dir, fileStem), keyOf(dir, fileStem));
  }

  static Path certificateOf(Path dir, String name) {
    return dir.resolve(name + ".crt");
  }

  static Path keyOf(Path dir, String name) {
    return dir.resolve(name + ".key");
  }

  private List<Path> writePair(Issued issued, Path certificate, Path key) throws IOException {
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
