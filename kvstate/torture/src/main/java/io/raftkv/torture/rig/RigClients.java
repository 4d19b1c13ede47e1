package io.raftkv.torture.rig;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.TestCertificates;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one way the rig makes its clients (the workload's, the nemesis's, the final checks'): each speaks TLS with
 * the admin certificate, or plaintext for an --insecure run, so no part of the rig can forget which.
 */
final class RigClients {
  private final Optional<TlsFiles> tls;

  RigClients(Optional<TlsFiles> tls) {
    this.tls = tls;
  }

  /**
   * A client of the nodes at {@code endpoints} whose calls keep trying for {@code deadline}.
   *
   * @throws IllegalStateException if the rig's own certificate files cannot be used (a broken run directory)
   */
  RaftKvClient connect(List<String> endpoints, Duration deadline) {
    RaftKvClient.Builder builder = RaftKvClient.builder(endpoints).deadline(deadline);
    tls.ifPresent(builder::tls);
    try {
      return builder.build();
    } catch (BadTlsFileException e) {
      throw new IllegalStateException("the rig's client certificate is unusable: " + e.getMessage(), e);
    }
  }

  /** The credentials of the rig's raw admin calls (SetNetworkFaults), presenting the same certificate. */
  ChannelCredentials channelCredentials() {
    return tls.map(TestCertificates::channelCredentials).orElseGet(InsecureChannelCredentials::create);
  }
}
