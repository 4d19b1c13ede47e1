package io.raftkv.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.KvRpc;
import io.raftkv.api.StatusRequest;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.client.RaftKvClient;
import io.raftkv.server.service.ServerSecurity;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client port over real TLS on loopback: a client that trusts the cluster's CA is served; a plaintext client,
 * a certificate from another CA and an expired certificate are refused in the handshake; bad TLS files are
 * refused at start, naming the file.
 */
class ClientTlsClusterTest {
  @TempDir
  Path root;

  private InProcessCluster cluster;
  private TestCertificates certificates;

  @BeforeEach
  void start() throws Exception {
    cluster = InProcessCluster.builder(root, 1).tls().startWithLeader();
    certificates = cluster.certificates().orElseThrow();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aClientWithTheClusterCaAndItsOwnCertificateIsServed() throws Exception {
    try (RaftKvClient client = RaftKvClient.builder(cluster.clientAddresses()).tls(certificates.user("admin"))
        .build()) {
      client.put(ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("v"));
      assertThat(client.get(ByteString.copyFromUtf8("k")).orElseThrow().getValue().toStringUtf8()).isEqualTo("v");
    }
  }

  @Test
  void aPlaintextClientIsRefused() {
    assertThat(statusFailure(InsecureChannelCredentials.create()).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aClientSpeakingPlaintextOrTrustingAnotherCaIsToldWhatIsWrong() throws Exception {
    try (RaftKvClient plaintext = RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(2))
        .build()) {
      assertThatThrownBy(() -> plaintext.get(ByteString.copyFromUtf8("k")))
          .hasMessageContaining("if the node serves TLS, this client spoke plaintext");
    }
    TestCertificates strangers = TestCertificates.create(root.resolve("other-ca"), cluster.clusterId());
    try (RaftKvClient distrustful = RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(2))
        .tls(strangers.trustOnly()).build()) {
      assertThatThrownBy(() -> distrustful.get(ByteString.copyFromUtf8("k")))
          .hasMessageContaining("TLS handshake with " + cluster.clientAddresses().get(0) + " failed");
    }
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefusedInTheHandshake() throws Exception {
    TestCertificates strangers = TestCertificates.create(root.resolve("other-ca"), cluster.clusterId());
    TlsFiles stranger = strangers.user("admin");
    // It trusts the cluster's CA (so the server is fine) but presents a certificate the cluster never signed.
    ChannelCredentials credentials = TestCertificates.channelCredentials(new TlsFiles(stranger.certChain(),
        stranger.privateKey(), certificates.caCertificate()));
    assertThat(statusFailure(credentials).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void anExpiredClientCertificateIsRefusedInTheHandshake() throws Exception {
    ChannelCredentials credentials = TestCertificates.channelCredentials(certificates.expiredUser("admin"));
    assertThat(statusFailure(credentials).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void theClientRefusesItsOwnExpiredCertificateNamingTheFile() {
    TlsFiles expired = certificates.expiredUser("admin");
    assertThatThrownBy(() -> RaftKvClient.builder(cluster.clientAddresses()).tls(expired).build())
        .isInstanceOf(BadTlsFileException.class).hasMessageContaining(expired.certChain().toString())
        .hasMessageContaining("expired");
  }

  @Test
  void aMissingCertificateFileIsRefusedNamingIt() {
    Path missing = root.resolve("nowhere.crt");
    TlsFiles files = new TlsFiles(missing, certificates.user("admin").privateKey(), certificates.caCertificate());
    assertThatThrownBy(() -> RaftKvClient.builder(cluster.clientAddresses()).tls(files).build())
        .isInstanceOf(BadTlsFileException.class).hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> ServerSecurity.tls(files, files, new NodeUri(cluster.clusterId(), 1)))
        .isInstanceOf(BadTlsFileException.class).hasMessageContaining(missing.toString());
  }

  @Test
  void aKeyThatDoesNotMatchItsCertificateIsRefusedAtStartNamingIt() {
    TlsFiles node = certificates.node(1);
    TlsFiles mismatched = new TlsFiles(node.certChain(), certificates.user("admin").privateKey(), node.trustedCa());
    assertThatThrownBy(() -> ServerSecurity.tls(mismatched, mismatched, new NodeUri(cluster.clusterId(), 1)))
        .isInstanceOf(BadTlsFileException.class).hasMessageContaining(certificates.user("admin").privateKey()
            .toString());
  }

  @Test
  void aNodeGivenAnotherNodesCertificateIsRefusedAtStartNamingIt() {
    TlsFiles other = certificates.node(2);
    assertThatThrownBy(() -> ServerSecurity.tls(other, other, new NodeUri(cluster.clusterId(), 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other.certChain().toString())
        .hasMessageContaining("names raftkv://" + cluster.clusterId() + "/node/2")
        .hasMessageContaining("this is raftkv://" + cluster.clusterId() + "/node/1");
  }

  @Test
  void aPeerCaThatDidNotSignTheNodesCertificateIsRefusedAtStartNamingIt() {
    TestCertificates strangers = TestCertificates.create(root.resolve("other-ca"), cluster.clusterId());
    TlsFiles node = certificates.node(1);
    TlsFiles wrongCa = new TlsFiles(node.certChain(), node.privateKey(), strangers.caCertificate());
    assertThatThrownBy(() -> ServerSecurity.tls(wrongCa, node, new NodeUri(cluster.clusterId(), 1)))
        .isInstanceOf(BadTlsFileException.class).hasMessageContaining(node.certChain().toString());
  }

  private StatusRuntimeException statusFailure(ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilder(cluster.clientAddresses().get(0), credentials).build();
    try {
      ClientCalls.blockingUnaryCall(channel, KvRpc.STATUS, CallOptions.DEFAULT.withDeadlineAfter(20,
          TimeUnit.SECONDS), StatusRequest.getDefaultInstance());
      throw new AssertionError("the node answered a call it should have refused");
    } catch (StatusRuntimeException e) {
      return e;
    } finally {
      channel.shutdownNow();
    }
  }
}
