package io.raftkv.api.tls;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;

/**
 * The gRPC credentials of RaftKV's two ports and their callers, over {@link ReloadingTlsMaterial}: the peer port
 * requires a certificate from every caller (mutual TLS); the client port accepts callers without one (password
 * users) but checks any certificate presented against the CA.
 */
public final class TlsCredentials {
  private TlsCredentials() {}

  /** The peer port: the node's certificate, and every caller must present one the CA signed. */
  public static ServerCredentials peerServer(ReloadingTlsMaterial material) {
    return server(material, TlsServerCredentials.ClientAuth.REQUIRE);
  }

  /** The client port: the node's certificate; a caller's certificate is optional but must chain to the CA. */
  public static ServerCredentials clientServer(ReloadingTlsMaterial material) {
    return server(material, TlsServerCredentials.ClientAuth.OPTIONAL);
  }

  /** A node dialling a peer: presents its own certificate and checks the peer's. */
  public static ChannelCredentials peerChannel(ReloadingTlsMaterial material) {
    requireIdentity(material, "a node dialling a peer");
    return channel(material);
  }

  /** A client: checks the server against the CA, and presents its own certificate if it has one. */
  public static ChannelCredentials clientChannel(ReloadingTlsMaterial material) {
    return channel(material);
  }

  private static ServerCredentials server(ReloadingTlsMaterial material, TlsServerCredentials.ClientAuth auth) {
    requireIdentity(material, "a server port");
    return TlsServerCredentials.newBuilder()
        .keyManager(material.keyManager().orElseThrow())
        .trustManager(material.trustManager())
        .clientAuth(auth)
        .build();
  }

  private static ChannelCredentials channel(ReloadingTlsMaterial material) {
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder().trustManager(material.trustManager());
    material.keyManager().ifPresent(builder::keyManager);
    return builder.build();
  }

  private static void requireIdentity(ReloadingTlsMaterial material, String what) {
    if (!material.files().hasIdentity()) {
      throw new IllegalArgumentException(what + " needs a certificate and key; only a trusted CA was given ("
          + material.files().trustedCa() + ")");
    }
  }
}
