package io.raftkv.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.PeerIdentity;
import org.junit.jupiter.api.Test;

class PeerAuthenticationTest {
  private final PeerAuthentication mutualTls = PeerAuthentication.mutualTls("prod");

  @Test
  void aNodeCertificateMaySendAsTheNodeItNames() {
    assertThat(mutualTls.sender(node("prod", 2)).refusalToSendAs(2)).isEmpty();
  }

  @Test
  void aNodeCertificateMayNotSendAsAnotherNode() {
    assertThat(mutualTls.sender(node("prod", 2)).refusalToSendAs(3))
        .hasValueSatisfying(why -> assertThat(why).contains("names node 2 but it sends as node 3"));
  }

  @Test
  void aNodeCertificateOfAnotherClusterIsRefused() {
    assertThat(mutualTls.sender(node("staging", 2)).refusalToSendAs(2))
        .hasValueSatisfying(why -> assertThat(why).contains("cluster 'staging'").contains("not of 'prod'"));
  }

  @Test
  void aUserCertificateOrNoCertificateIsRefused() {
    assertThat(mutualTls.sender(new PeerIdentity.User("admin")).refusalToSendAs(2))
        .hasValueSatisfying(why -> assertThat(why).contains("client certificate (user 'admin')"));
    assertThat(mutualTls.sender(new PeerIdentity.None()).refusalToSendAs(2))
        .hasValueSatisfying(why -> assertThat(why).contains("no certificate"));
  }

  @Test
  void aPlaintextPeerPortTakesSendersAtTheirWord() {
    PeerAuthentication plaintext = PeerAuthentication.plaintext("prod");
    assertThat(plaintext.sender(new PeerIdentity.None()).refusalToSendAs(3)).isEmpty();
    assertThat(plaintext.sender(node("prod", 2)).refusalToSendAs(3)).isEmpty();
  }

  private static PeerIdentity node(String cluster, long id) {
    return new PeerIdentity.Node(new NodeUri(cluster, id));
  }
}
