package io.raftkv.torture.rig;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.api.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rig's nodes and clients run TLS from the run's own CA unless the run is told --insecure. */
class RigSecurityTest {
  @TempDir
  Path dir;

  private static String valueOf(List<String> flags, String flag) {
    int at = flags.indexOf(flag);
    assertThat(at).as("%s in %s", flag, flags).isNotNegative();
    return flags.get(at + 1);
  }

  private static TlsFiles filesOf(List<String> flags) {
    return new TlsFiles(Path.of(valueOf(flags, "--cert")), Path.of(valueOf(flags, "--key")),
        Path.of(valueOf(flags, "--trusted-ca")));
  }

  @Test
  void aSecureRigStartsANodeWithAUsableCertificateNamingItsMemberId() throws Exception {
    List<String> flags = RigSecurity.tls(dir).serverFlags(4);

    assertThat(flags).doesNotContain("--insecure");
    TlsFiles node = filesOf(flags);
    node.check(Instant.now());
    assertThat(node.identity()).isEqualTo(new PeerIdentity.Node(new NodeUri(RigSecurity.CLUSTER_ID, 4)));
    assertThat(node.certChain()).startsWith(dir);
  }

  @Test
  void aMemberAddedLaterGetsACertificateOfItsOwnFromTheSameCa() throws Exception {
    RigSecurity security = RigSecurity.tls(dir);
    TlsFiles founding = filesOf(security.serverFlags(1));
    TlsFiles added = filesOf(security.serverFlags(7));

    added.check(Instant.now());
    assertThat(added.identity()).isEqualTo(new PeerIdentity.Node(new NodeUri(RigSecurity.CLUSTER_ID, 7)));
    assertThat(added.certChain()).isNotEqualTo(founding.certChain());
    assertThat(added.trustedCa()).isEqualTo(founding.trustedCa());
    assertThat(filesOf(security.serverFlags(1))).as("a restarted node keeps its certificate").isEqualTo(founding);
  }

  @Test
  void aSecureRigsClientsPresentTheAdminCertificate() throws Exception {
    RigSecurity security = RigSecurity.tls(dir);
    TlsFiles admin = security.clientFiles().orElseThrow();

    admin.check(Instant.now());
    assertThat(admin.identity()).isEqualTo(new PeerIdentity.User("admin"));
    assertThat(admin.trustedCa()).isEqualTo(filesOf(security.serverFlags(1)).trustedCa());
    assertThat(security.describe()).startsWith("TLS").contains(dir.toString());
  }

  @Test
  void anInsecureRigStartsNodesWithInsecureAndItsClientsSpeakPlaintext() {
    RigSecurity security = RigSecurity.plaintext();

    assertThat(security.serverFlags(1)).containsExactly("--insecure");
    assertThat(security.clientFiles()).isEmpty();
    assertThat(security.describe()).contains("PLAINTEXT");
  }
}
