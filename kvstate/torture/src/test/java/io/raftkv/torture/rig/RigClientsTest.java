package io.raftkv.torture.rig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.NetworkFaults;
import io.raftkv.certs.ClusterCertificates;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rig's clients and its SetNetworkFaults calls against a TLS node with fault injection (real handshakes on
 * loopback): with the admin certificate they get through; in plaintext they are refused.
 */
class RigClientsTest {
  @TempDir
  static Path root;

  private static InProcessCluster cluster;

  @BeforeAll
  static void startTlsNode() throws InterruptedException {
    cluster = InProcessCluster.builder(root, 1).tls().faultInjection().startWithLeader();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RigClients adminClients() {
    return new RigClients(Optional.of(cluster.certificates().orElseThrow().user(ClusterCertificates.ADMIN_USER)));
  }

  @Test
  void aClientWithTheAdminCertificateWritesAndReadsOverTls() {
    ByteString key = ByteString.copyFromUtf8("rig");
    try (RaftKvClient client = adminClients().connect(cluster.clientAddresses(), Duration.ofSeconds(20))) {
      client.put(key, ByteString.copyFromUtf8("tls"));
      assertThat(client.get(key).map(KeyValue::getValue)).contains(ByteString.copyFromUtf8("tls"));
    }
  }

  @Test
  void faultCallsWithTheAdminCertificateReachTheNode() {
    String node = cluster.clientAddresses().get(0);
    try (NetworkFaultCalls faults = new NetworkFaultCalls(adminClients())) {
      faults.set(node, NetworkFaults.newBuilder().setMaxDelayMs(1).build());
      faults.set(node, NetworkFaults.getDefaultInstance());
    }
  }

  @Test
  void plaintextClientsAndFaultCallsAreRefusedByATlsNode() {
    RigClients plaintext = new RigClients(Optional.empty());
    String node = cluster.clientAddresses().get(0);
    try (RaftKvClient client = plaintext.connect(cluster.clientAddresses(), Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> client.put(ByteString.copyFromUtf8("rig"), ByteString.copyFromUtf8("plain")))
          .isInstanceOf(RaftKvException.class);
    }
    try (NetworkFaultCalls faults = new NetworkFaultCalls(plaintext)) {
      assertThatThrownBy(() -> faults.set(node, NetworkFaults.getDefaultInstance()))
          .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("SetNetworkFaults on " + node + " failed");
    }
  }
}
