package io.raftkv.server.cluster;

import static io.raftkv.server.cluster.AuthTestSupport.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.Permission;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users over real TLS, as a cluster runs by default: permissions are enforced from the start, a client
 * certificate's common name is its user, the built-in admin is the admin certificate, and a caller with neither a
 * certificate nor a password's token is refused.
 */
class AuthTlsClusterTest {
  @TempDir
  Path root;

  private InProcessCluster cluster;
  private TestCertificates certificates;

  @BeforeEach
  void start() throws Exception {
    cluster = InProcessCluster.builder(root, 3).tls().startWithLeader();
    certificates = cluster.certificates().orElseThrow();
    RaftKvClient admin = cluster.client(); // presents the admin certificate
    admin.auth().addRole("reader");
    admin.auth().grantPermission("reader", prefix("orders/", Permission.Access.READ));
    admin.auth().addUserWithoutPassword("auditor");
    admin.auth().grantRole("auditor", "reader");
    admin.auth().addUser("loader", "pw-loader".toCharArray());
    admin.auth().addRole("writer");
    admin.auth().grantPermission("writer", prefix("orders/", Permission.Access.READWRITE));
    admin.auth().grantRole("loader", "writer");
    admin.put(b("orders/1"), b("book"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void authIsOnFromTheStartWithTlsAndTheAdminCertificateIsTheAdmin() {
    io.raftkv.api.AuthStatusResponse status = cluster.client().auth().status();
    assertThat(status.getEnabled()).isTrue();
    assertThat(status.getExplicit()).isFalse();
    assertThat(status.getUser()).isEqualTo("admin");
    assertThat(cluster.getUtf8("orders/1")).isEqualTo("book");
  }

  @Test
  void aCertificateUserHasItsRolesAndNothingMore() throws Exception {
    try (RaftKvClient auditor = RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(20))
        .tls(certificates.user("auditor")).build()) {
      assertThat(auditor.get(b("orders/1")).orElseThrow().getValue()).isEqualTo(b("book"));
      RaftKvException refused = refusal(() -> auditor.put(b("orders/2"), b("lamp")));
      assertThat(refused.code()).isEqualTo(Error.Code.PERMISSION_DENIED);
      assertThat(refused.getMessage()).contains("user 'auditor'").contains("orders/2").contains("readwrite");
      assertThat(refusal(() -> auditor.transferLeader(1)).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aPasswordUserOverTlsHasItsRoles() throws Exception {
    try (RaftKvClient loader = RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(20))
        .tls(certificates.trustOnly()).credentials("loader", "pw-loader".toCharArray()).build()) {
      loader.put(b("orders/2"), b("lamp"));
      assertThat(cluster.getUtf8("orders/2")).isEqualTo("lamp");
      assertThat(refusal(() -> loader.put(b("stock/1"), b("x"))).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aClientWithNoCertificateAndNoPasswordIsRefusedAndAWrongPasswordToo() throws Exception {
    try (RaftKvClient nobody = RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(5))
        .tls(certificates.trustOnly()).build()) {
      assertThat(refusal(() -> nobody.get(b("orders/1"))).code()).isEqualTo(Error.Code.UNAUTHENTICATED);
    }
    try (RaftKvClient guesser = RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(5))
        .tls(certificates.trustOnly()).credentials("loader", "guess".toCharArray()).build()) {
      RaftKvException refused = refusal(() -> guesser.get(b("orders/1")));
      assertThat(refused.code()).isEqualTo(Error.Code.UNAUTHENTICATED);
      assertThat(refused.getMessage()).doesNotContain("guess");
    }
  }

  private static RaftKvException refusal(Runnable call) {
    try {
      call.run();
    } catch (RaftKvException e) {
      return e;
    }
    throw new AssertionError("the call was not refused");
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
