package io.raftkv.server.service;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.api.tls.ReloadingTlsMaterial;
import io.raftkv.api.tls.TlsCredentials;
import io.raftkv.api.tls.TlsFiles;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How a server's two ports are secured: TLS 1.3 on both (mutual on the peer port, optional client certificates on
 * the client port), its certificates re-read as they are renewed; or plaintext on both, which only
 * {@code --insecure} asks for. Closing it stops the re-reads.
 */
public final class ServerSecurity implements AutoCloseable {
  private final Optional<ReloadingTlsMaterial> peer;
  private final Optional<ReloadingTlsMaterial> client;
  private final Optional<ScheduledExecutorService> reloader;

  private ServerSecurity(Optional<ReloadingTlsMaterial> peer, Optional<ReloadingTlsMaterial> client,
      Optional<ScheduledExecutorService> reloader) {
    this.peer = peer;
    this.client = client;
    this.reloader = reloader;
  }

  /** Both ports in plaintext: anyone who reaches them is trusted. */
  public static ServerSecurity plaintext() {
    return new ServerSecurity(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * TLS on both ports from these files, each checked now (a bad one is refused naming it and its role).
   *
   * @param peerFiles the node certificate and key presented to and required of peers, and the CA peers chain to
   * @param clientFiles the certificate and key the client port presents, and the CA client certificates chain to
   * @param self the node this is: its peer certificate must name it, or its peers would refuse it
   */
  public static ServerSecurity tls(TlsFiles peerFiles, TlsFiles clientFiles, NodeUri self)
      throws BadTlsFileException {
    requireIdentity(peerFiles, "--peer-cert and --peer-key");
    requireIdentity(clientFiles, "--cert and --key");
    PeerIdentity named = peerFiles.identity();
    if (!(named instanceof PeerIdentity.Node node) || !node.node().equals(self)) {
      throw new IllegalArgumentException("peer certificate " + peerFiles.certChain() + " names "
          + (named instanceof PeerIdentity.Node other ? other.node().uri() : "no node (" + named + ")")
          + " but this is " + self.uri() + ": give this node's own certificate (raftkv certs init makes"
          + " node-ID.crt for each node)");
    }
    ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raftkv-tls-reload");
      t.setDaemon(true);
      return t;
    });
    Instant now = Instant.now();
    ReloadingTlsMaterial peer = null;
    try {
      peer = ReloadingTlsMaterial.open(peerFiles, now, reloader);
      ReloadingTlsMaterial client = ReloadingTlsMaterial.open(clientFiles, now, reloader);
      return new ServerSecurity(Optional.of(peer), Optional.of(client), Optional.of(reloader));
    } catch (BadTlsFileException | RuntimeException e) {
      if (peer != null) {
        peer.close();
      }
      reloader.shutdownNow();
      throw e;
    }
  }

  private static void requireIdentity(TlsFiles files, String flags) {
    if (!files.hasIdentity()) {
      throw new IllegalArgumentException("a server port needs a certificate and key (" + flags + "); only a"
          + " trusted CA was given (" + files.trustedCa() + ")");
    }
  }

  /** Whether the ports run TLS. */
  public boolean isTls() {
    return peer.isPresent();
  }

  /** The peer port's credentials: mutual TLS, or plaintext. */
  ServerCredentials peerServer() {
    return peer.map(TlsCredentials::peerServer).orElseGet(InsecureServerCredentials::create);
  }

  /** How this node dials its peers: with its node certificate, or plaintext. */
  ChannelCredentials peerChannel() {
    return peer.map(TlsCredentials::peerChannel).orElseGet(InsecureChannelCredentials::create);
  }

  /** The client port's credentials: TLS with optional client certificates, or plaintext. */
  ServerCredentials clientServer() {
    return client.map(TlsCredentials::clientServer).orElseGet(InsecureServerCredentials::create);
  }

  @Override
  public void close() {
    peer.ifPresent(ReloadingTlsMaterial::close);
    client.ifPresent(ReloadingTlsMaterial::close);
    reloader.ifPresent(ScheduledExecutorService::shutdownNow);
  }
}
