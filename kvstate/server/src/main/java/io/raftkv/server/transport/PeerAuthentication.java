package io.raftkv.server.transport;

import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.PeerIdentity;
import java.util.Optional;

/**
 * Whether the sender of a peer stream is who its messages say: with peer TLS on, the certificate its handshake
 * verified must name this cluster and the very node id the stream sends as, so a member cannot speak for
 * another and a client certificate from the same CA cannot speak at all. Plaintext peers are taken at their
 * word (the cluster id check is all there is): that is what {@code --insecure} means.
 */
public record PeerAuthentication(String clusterId, boolean certificateRequired) {
  /** Peers on a plaintext port: only the cluster id is checked. */
  public static PeerAuthentication plaintext(String clusterId) {
    return new PeerAuthentication(clusterId, false);
  }

  /** Peers on a mutual-TLS port: each must present a node certificate of this cluster for the id it sends as. */
  public static PeerAuthentication mutualTls(String clusterId) {
    return new PeerAuthentication(clusterId, true);
  }

  /** The stream of one caller, whose verified identity is known from its handshake. */
  public Sender sender(PeerIdentity identity) {
    return new Sender(this, identity);
  }

  /** One peer stream's caller: checks each sender id the stream claims against the caller's certificate. */
  public record Sender(PeerAuthentication authentication, PeerIdentity identity) {
    /** Why this caller may not send as node {@code claimedFrom}; empty when it may. */
    public Optional<String> refusalToSendAs(long claimedFrom) {
      if (!authentication.certificateRequired()) {
        return Optional.empty();
      }
      if (!(identity instanceof PeerIdentity.Node node)) {
        return Optional.of("the caller sends as node " + claimedFrom + " but presented " + describe(identity)
            + ", not a node certificate of cluster '" + authentication.clusterId() + "'");
      }
      NodeUri uri = node.node();
      if (!uri.clusterId().equals(authentication.clusterId())) {
        return Optional.of("the caller's certificate names " + uri + ", a node of cluster '" + uri.clusterId()
            + "', not of '" + authentication.clusterId() + "'");
      }
      if (uri.nodeId() != claimedFrom) {
        return Optional.of("the caller's certificate names node " + uri.nodeId() + " but it sends as node "
            + claimedFrom);
      }
      return Optional.empty();
    }

    private static String describe(PeerIdentity identity) {
      if (identity instanceof PeerIdentity.User user) {
        return "a client certificate (user '" + user.name() + "')";
      }
      return "no certificate";
    }
  }
}
