package io.raftkv.client;

import io.grpc.ChannelCredentials;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.ReloadingTlsMaterial;
import io.raftkv.api.tls.TlsCredentials;
import io.raftkv.api.tls.TlsFiles;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A client's TLS: the cluster's CA to check nodes against and, optionally, a client certificate naming its user;
 * re-read as the files are renewed, so a long-running client (a connector task) survives a renewal.
 */
final class ClientTls implements AutoCloseable {
  private final ScheduledExecutorService reloader;
  private final ReloadingTlsMaterial material;

  private ClientTls(ScheduledExecutorService reloader, ReloadingTlsMaterial material) {
    this.reloader = reloader;
    this.material = material;
  }

  /** Checks the files now (a bad one is refused naming it and its role) and loads them. */
  static ClientTls open(TlsFiles files) throws BadTlsFileException {
    ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raftkv-client-tls-reload");
      t.setDaemon(true);
      return t;
    });
    try {
      return new ClientTls(reloader, ReloadingTlsMaterial.open(files, Instant.now(), reloader));
    } catch (BadTlsFileException | RuntimeException e) {
      reloader.shutdownNow();
      throw e;
    }
  }

  ChannelCredentials credentials() {
    return TlsCredentials.clientChannel(material);
  }

  @Override
  public void close() {
    material.close();
    reloader.shutdownNow();
  }
}
