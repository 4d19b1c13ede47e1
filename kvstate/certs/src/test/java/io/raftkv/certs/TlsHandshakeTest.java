package io.raftkv.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Empty;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.api.tls.ReloadingTlsMaterial;
import io.raftkv.api.tls.TlsCredentials;
import io.raftkv.api.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes on loopback through the peer-port and client-port credentials and the identity interceptor. */
class TlsHandshakeTest {
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  TestPki pki;
  ScheduledExecutorService reloader;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    pki = new TestPki(dir, "main");
    reloader = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    reloader.shutdownNow();
  }

  @Test
  void peersWithCertificatesFromTheCaAuthenticateEachOther() throws Exception {
    int port = peerServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    ReloadingTlsMaterial dialler = material(pki.write("node-2", pki.node(2, TestPki.valid())));
    assertThat(whoAmI(port, TlsCredentials.peerChannel(dialler)))
        .isEqualTo(new PeerIdentity.Node(new NodeUri(TestPki.CLUSTER, 2)).toString());
  }

  @Test
  void certificatesFromCertsInitAuthenticateNodesAndTheAdmin() throws Exception {
    Path made = dir.resolve("made");
    ClusterCertificates.write(new ClusterCertificates.Plan(made, "prod", 2, TestPki.LOOPBACK, TestPki.valid()),
        new CertificateIssuer(new SecureRandom()));
    Path ca = ClusterCertificates.caCertificate(made);
    TlsFiles node1 = new TlsFiles(ClusterCertificates.nodeCertificate(made, 1), ClusterCertificates.nodeKey(made, 1),
        ca);
    TlsFiles node2 = new TlsFiles(ClusterCertificates.nodeCertificate(made, 2), ClusterCertificates.nodeKey(made, 2),
        ca);
    TlsFiles admin = new TlsFiles(ClusterCertificates.adminCertificate(made), ClusterCertificates.adminKey(made), ca);
    assertThat(whoAmI(peerServer(node1), TlsCredentials.peerChannel(material(node2))))
        .isEqualTo(new PeerIdentity.Node(new NodeUri("prod", 2)).toString());
    assertThat(whoAmI(clientServer(node1), TlsCredentials.clientChannel(material(admin))))
        .isEqualTo(new PeerIdentity.User(ClusterCertificates.ADMIN_USER).toString());
  }

  @Test
  void peerPortRefusesACallerWithoutCertificate() throws Exception {
    int port = peerServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    assertRefused(port, TlsCredentials.clientChannel(material(TlsFiles.trustOnly(pki.caFile))));
  }

  @Test
  void peerPortRefusesACertificateFromAnotherCa() throws Exception {
    int port = peerServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    TestPki other = new TestPki(dir, "other");
    // The intruder also trusts the cluster's CA, so only its own certificate can fail the handshake.
    ReloadingTlsMaterial intruder = material(other.write("intruder", other.node(2, TestPki.valid()),
        bothCas(other)));
    assertRefused(port, TlsCredentials.peerChannel(intruder));
  }

  @Test
  void peerPortRefusesAnExpiredCertificate() throws Exception {
    int port = peerServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    TlsFiles expired = pki.write("node-2", pki.node(2, TestPki.expired()));
    // Loaded as of a time it was valid: the handshake, at the real time, is what must refuse it.
    ReloadingTlsMaterial stale = material(expired, Instant.now().minus(Duration.ofDays(5)));
    assertRefused(port, TlsCredentials.peerChannel(stale));
  }

  @Test
  void clientPortLetsACallerWithoutCertificateInAsNobody() throws Exception {
    int port = clientServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    assertThat(whoAmI(port, TlsCredentials.clientChannel(material(TlsFiles.trustOnly(pki.caFile)))))
        .isEqualTo(new PeerIdentity.None().toString());
  }

  @Test
  void clientPortSeesTheUserInTheClientCertificate() throws Exception {
    int port = clientServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    ReloadingTlsMaterial alice = material(pki.write("alice", pki.client("alice", TestPki.valid())));
    assertThat(whoAmI(port, TlsCredentials.clientChannel(alice)))
        .isEqualTo(new PeerIdentity.User("alice").toString());
  }

  @Test
  void clientPortRefusesAClientCertificateFromAnotherCa() throws Exception {
    int port = clientServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    TestPki other = new TestPki(dir, "other");
    ReloadingTlsMaterial mallory = material(other.write("mallory", other.client("admin", TestPki.valid()),
        bothCas(other)));
    assertRefused(port, TlsCredentials.clientChannel(mallory));
  }

  @Test
  void clientRefusesAServerFromAnotherCa() throws Exception {
    TestPki other = new TestPki(dir, "other");
    int port = clientServer(other.write("impostor", other.node(1, TestPki.valid())));
    assertRefused(port, TlsCredentials.clientChannel(material(TlsFiles.trustOnly(pki.caFile))));
  }

  @Test
  void handshakeBelowTls13IsRefused() throws Exception {
    int port = peerServer(pki.write("node-1", pki.node(1, TestPki.valid())));
    ReloadingTlsMaterial node2 = material(pki.write("node-2", pki.node(2, TestPki.valid())));
    // The JDK's own trust manager on this side, so that the refusal comes from the server.
    TrustManager jdkTrust = jdkTrustManager(pki.ca.certificate());
    assertThatThrownBy(() -> serverCertificate(port, node2, jdkTrust, "TLSv1.2"))
        .isInstanceOf(IOException.class);
    assertThat(serverCertificate(port, node2, jdkTrust, "TLSv1.3").getSubjectX500Principal().getName())
        .isEqualTo("CN=node-1");
  }

  @Test
  void renewedServerCertificateServesNewConnectionsWithoutRestart() throws Exception {
    TlsFiles node1 = pki.write("node-1", pki.node(1, TestPki.valid()));
    int port = peerServer(node1);
    ReloadingTlsMaterial node2 = material(pki.write("node-2", pki.node(2, TestPki.valid())));
    X509Certificate first = serverCertificate(port, node2, node2.trustManager(), "TLSv1.3");

    Issued renewed = pki.node(1, TestPki.valid());
    // The pair is taken once both files' modification times change: set them clearly later than the first.
    FileTime changed = FileTime.fromMillis(Files.getLastModifiedTime(node1.certChain()).toMillis() + 2_000);
    pki.write("node-1", renewed);
    Files.setLastModifiedTime(node1.privateKey(), changed);
    Files.setLastModifiedTime(node1.certChain(), changed);

    Instant giveUp = Instant.now().plus(ReloadingTlsMaterial.RELOAD_PERIOD.multipliedBy(4));
    X509Certificate presented = first;
    while (!presented.equals(renewed.certificate()) && Instant.now().isBefore(giveUp)) {
      Thread.sleep(500);
      presented = serverCertificate(port, node2, node2.trustManager(), "TLSv1.3");
    }
    assertThat(presented.getSerialNumber()).isEqualTo(renewed.certificate().getSerialNumber());
    // The connection still works end to end with the renewed certificate.
    assertThat(whoAmI(port, TlsCredentials.peerChannel(node2)))
        .isEqualTo(new PeerIdentity.Node(new NodeUri(TestPki.CLUSTER, 2)).toString());
  }

  private ReloadingTlsMaterial material(TlsFiles files) throws Exception {
    return material(files, Instant.now());
  }

  /** Opens material checked as of {@code asOf}. */
  private ReloadingTlsMaterial material(TlsFiles files, Instant asOf) throws Exception {
    ReloadingTlsMaterial material = ReloadingTlsMaterial.open(files, asOf, reloader);
    open.add(material);
    return material;
  }

  /** A trust file holding the cluster's CA and {@code other}'s. */
  private Path bothCas(TestPki other) throws IOException {
    Path both = dir.resolve("both-ca.crt");
    TestPki.writeAtomically(both, PemText.of(pki.ca.certificate()) + PemText.of(other.ca.certificate()));
    return both;
  }

  private int peerServer(TlsFiles files) throws Exception {
    return serve(TlsCredentials.peerServer(material(files)));
  }

  private int clientServer(TlsFiles files) throws Exception {
    return serve(TlsCredentials.clientServer(material(files)));
  }

  private int serve(ServerCredentials credentials) throws IOException {
    Server server = Grpc.newServerBuilderForPort(0, credentials).addService(WhoAmIService.intercepted()).build()
        .start();
    open.add(() -> server.shutdownNow().awaitTermination(30, TimeUnit.SECONDS));
    return server.getPort();
  }

  private String whoAmI(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
    try {
      return ClientCalls.blockingUnaryCall(channel, WhoAmIService.WHO_AM_I,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
          Empty.getDefaultInstance()).getValue();
    } finally {
      channel.shutdownNow().awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void assertRefused(int port, ChannelCredentials credentials) {
    assertThatThrownBy(() -> whoAmI(port, credentials))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  private static TrustManager jdkTrustManager(X509Certificate ca) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", ca);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers()[0];
  }

  /** The certificate the server presents to a plain JDK TLS socket offering only {@code protocol}. */
  private static X509Certificate serverCertificate(int port, ReloadingTlsMaterial material, TrustManager trust,
      String protocol) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {material.keyManager().orElseThrow()}, new TrustManager[] {trust}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
      socket.setSoTimeout((int) CALL_DEADLINE.toMillis());
      socket.setEnabledProtocols(new String[] {protocol});
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
