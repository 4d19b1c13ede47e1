package io.raftkv.certs;

import io.raftkv.api.tls.NodeUri;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node or client certificate says: a common name, the host names and IP addresses a node answers on, and
 * for a node its {@link NodeUri}. A node's certificate serves both of its ports and dials its peers (server and
 * client auth); a client's only dials (client auth).
 */
public record CertificateRequest(String commonName, List<String> hosts, Optional<NodeUri> node,
    Validity validity) {
  public CertificateRequest {
    Objects.requireNonNull(commonName, "commonName");
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(validity, "validity");
  }

  /** A node's certificate, answering on {@code hosts} (host names or IP literals). */
  public static CertificateRequest node(NodeUri node, List<String> hosts, Validity validity) {
    return new CertificateRequest("node-" + node.nodeId(), hosts, Optional.of(node), validity);
  }

  /** A client's certificate: its common name is the user. */
  public static CertificateRequest client(String user, Validity validity) {
    return new CertificateRequest(user, List.of(), Optional.empty(), validity);
  }

  /** Whether the certificate may also serve a port (nodes only). */
  public boolean serverAuth() {
    return node.isPresent();
  }
}
