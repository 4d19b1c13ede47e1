package io.raftkv.server.cluster;

import static io.raftkv.server.cluster.AuthTestSupport.ADMIN_PASSWORD;
import static io.raftkv.server.cluster.AuthTestSupport.anonymous;
import static io.raftkv.server.cluster.AuthTestSupport.clientAs;
import static io.raftkv.server.cluster.AuthTestSupport.codeOf;
import static io.raftkv.server.cluster.AuthTestSupport.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.Error;
import io.raftkv.api.GetRequest;
import io.raftkv.api.KvRpc;
import io.raftkv.api.Member;
import io.raftkv.api.NetworkFaults;
import io.raftkv.api.Permission;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.SetNetworkFaultsRequest;
import io.raftkv.api.StatusRequest;
import io.raftkv.api.WatchRequest;
import io.raftkv.client.BackupCall;
import io.raftkv.client.ChangeStream;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each role's allowed and refused calls over the client API, on a 3-node cluster in-process. */
class AuthClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir
  Path root;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static RaftKvException refusal(Runnable call) {
    try {
      call.run();
    } catch (RaftKvException e) {
      return e;
    }
    throw new AssertionError("the call was not refused");
  }

  @Test
  void eachRoleMayDoWhatItHoldsAndIsRefusedTheRestNamingUserKeyAndPermission() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).faultInjection().startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      AuthTestSupport.setUpUsersAndEnable(anyone);
      try (RaftKvClient sink = clientAs(cluster, "sink", "pw-sink".toCharArray());
          RaftKvClient loader = clientAs(cluster, "loader", "pw-loader".toCharArray());
          RaftKvClient admin = clientAs(cluster, "admin", ADMIN_PASSWORD)) {
        // nobody: refused everything but status
        RaftKvException anon = refusal(() -> anyone.put(b("orders/1"), b("x")));
        assertThat(anon.code()).isEqualTo(Error.Code.UNAUTHENTICATED);
        assertThat(anon.getMessage()).contains("call needs a user: present a client certificate or a token from"
            + " Authenticate");
        assertThat(anyone.status(cluster.clientAddresses().get(0)).getNodeId()).isPositive();
        assertThat(refusal(anyone::members).code()).isEqualTo(Error.Code.UNAUTHENTICATED);

        // the writer writes and reads in its prefix only
        assertThat(loader.put(b("orders/17"), b("v")).getIndex()).isPositive();
        assertThat(loader.get(b("orders/17"))).isPresent();
        RaftKvException outside = refusal(() -> loader.put(b("stock/1"), b("v")));
        assertThat(outside.code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(outside.getMessage()).isEqualTo("user 'loader' may not write key 'stock/1': it needs readwrite on it"
            + " (roles: writer)");
        assertThat(refusal(() -> loader.get(b("stock/1"))).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(refusal(() -> loader.compareAndSetVersion(b("stock/1"), 0, b("v"))).code())
            .isEqualTo(Error.Code.PERMISSION_DENIED);

        // the reader reads, never writes
        assertThat(sink.get(b("orders/17")).orElseThrow().getValue()).isEqualTo(b("v"));
        RaftKvException write = refusal(() -> sink.put(b("orders/17"), b("w")));
        assertThat(write.code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(write.getMessage()).isEqualTo("user 'sink' may not write key 'orders/17': it needs readwrite on it"
            + " (roles: reader)");
        assertThat(refusal(() -> sink.delete(b("orders/17"))).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(sink.scan(ScanRequest.newBuilder().setPrefix(b("orders/")).build()).getKvsCount()).isEqualTo(1);
        RaftKvException wideScan = refusal(() -> sink.scan(ScanRequest.newBuilder().setPrefix(b("ord")).build()));
        assertThat(wideScan.code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(wideScan.getMessage()).startsWith("user 'sink' may not scan keys ['ord', 'ore'): it needs read");
        try (ChangeStream watch = sink.watch(WatchRequest.newBuilder().setKeyPrefix(b("stock/")).build())) {
          RaftKvException refusedWatch = refusal(() -> watch.poll(Duration.ofSeconds(20)));
          assertThat(refusedWatch.code()).isEqualTo(Error.Code.PERMISSION_DENIED);
          assertThat(refusedWatch.getMessage()).contains("may not watch keys ['stock/', 'stock0')");
        }
        try (ChangeStream watch = sink.watch(WatchRequest.newBuilder().setKeyPrefix(b("orders/")).build())) {
          assertThat(watch.poll(Duration.ofSeconds(20))).isNotNull();
        }

        // members may be listed by any user; membership, transfer, backup, faults and auth need admin
        assertThat(loader.members().getMembersCount()).isEqualTo(3);
        Member fresh = InProcessCluster.newMember(9);
        RaftKvException add = refusal(() -> loader.addMember(fresh));
        assertThat(add.code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(add.getMessage()).isEqualTo("user 'loader' may not call AddMember: it needs the role admin"
            + " (roles: writer)");
        assertThat(refusal(() -> loader.removeMember(3)).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(refusal(() -> loader.transferLeader(2)).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        try (BackupCall backup = loader.backup(cluster.clientAddresses().get(0))) {
          assertThat(refusal(backup::hasNext).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        }
        assertThat(refusal(() -> loader.auth().addUser("mallory", "pw".toCharArray())).getMessage())
            .isEqualTo("user 'loader' may not call UserAdd: it needs the role admin (roles: writer)");
        assertThat(refusal(() -> sink.auth().grantRole("sink", "admin")).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(refusal(() -> sink.auth().disable()).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(refusal(() -> sink.auth().users()).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        long leader = cluster.awaitLeader(ELECTION);
        try (AuthTestSupport.RawNode raw = new AuthTestSupport.RawNode(cluster, leader)) {
          String token = raw.authenticate("loader", "pw-loader");
          assertThatThrownBy(() -> raw.call(token, AdminRpc.SET_NETWORK_FAULTS, SetNetworkFaultsRequest.newBuilder()
              .setFaults(NetworkFaults.getDefaultInstance()).build()))
              .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.PERMISSION_DENIED))
              .hasMessageContaining("may not call SetNetworkFaults");
          String adminToken = raw.authenticate("admin", new String(ADMIN_PASSWORD));
          assertThat(raw.call(adminToken, AdminRpc.SET_NETWORK_FAULTS, SetNetworkFaultsRequest.newBuilder()
              .setFaults(NetworkFaults.getDefaultInstance()).build()).hasFaults()).isTrue();
        }

        // the admin may do all of it
        assertThat(admin.put(b("stock/1"), b("v")).getIndex()).isPositive();
        assertThat(admin.auth().users()).extracting(u -> u.getName()).contains("admin", "loader", "sink");
        assertThat(admin.auth().roles()).extracting(r -> r.getName()).contains("admin", "reader", "writer");
        try (BackupCall backup = admin.backup(cluster.clientAddresses().get(0))) {
          BackupChunk first = backup.next();
          assertThat(first.hasHeader()).isTrue();
        }
        long other = leader == 1 ? 2 : 1;
        assertThat(admin.transferLeader(other)).isEqualTo(other);
        // after the leader change, the same permissions hold on the new leader
        cluster.awaitLeader(ELECTION);
        assertThat(refusal(() -> sink.put(b("orders/18"), b("w"))).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(loader.put(b("orders/18"), b("w")).getIndex()).isPositive();
      }
    }
  }

  @Test
  void aScanIsAllowedWhenAdjoiningPermissionsCoverItsRange() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      anyone.auth().addRole("split");
      anyone.auth().grantPermission("split", AuthTestSupport.range("a", "m", Permission.Access.READ));
      anyone.auth().grantPermission("split", prefix("m", Permission.Access.READ));
      anyone.auth().addUser("u", "pw-u".toCharArray());
      anyone.auth().grantRole("u", "split");
      anyone.auth().enable();
      try (RaftKvClient u = clientAs(cluster, "u", "pw-u".toCharArray())) {
        assertThat(u.scan(ScanRequest.newBuilder().setStart(b("b")).setEnd(b("mz")).build()).getKvsCount()).isZero();
        assertThat(refusal(() -> u.scan(ScanRequest.newBuilder().setStart(b("b")).setEnd(b("na")).build())).code())
            .isEqualTo(Error.Code.PERMISSION_DENIED);
      }
    }
  }

  @Test
  void withAuthDisabledEveryCallerMayDoEverything() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      assertThat(anyone.auth().status().getEnabled()).isFalse();
      assertThat(anyone.auth().status().getExplicit()).isFalse();
      anyone.put(b("k"), b("v"));
      anyone.auth().addUser("u", "pw-u".toCharArray());
      anyone.auth().enable();
      assertThat(refusal(() -> anyone.get(b("k"))).code()).isEqualTo(Error.Code.UNAUTHENTICATED);
      try (RaftKvClient admin = clientAs(cluster, "u", "pw-u".toCharArray())) {
        assertThat(refusal(() -> admin.auth().disable()).code()).isEqualTo(Error.Code.PERMISSION_DENIED);
      }
      long leader = cluster.awaitLeader(ELECTION);
      assertThat(cluster.server(leader).node().authView().enforced(false)).isTrue();
    }
  }

  @Test
  void statusAnswersAnyoneWhileAuthIsOn() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      anyone.auth().enable();
      long leader = cluster.awaitLeader(ELECTION);
      assertThat(cluster.call(leader, KvRpc.STATUS, StatusRequest.getDefaultInstance()).getNodeId()).isEqualTo(leader);
      assertThatThrownBy(() -> cluster.call(leader, KvRpc.GET, GetRequest.newBuilder().setKey(b("k")).build()))
          .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.UNAUTHENTICATED));
      assertThat(anyone.auth().status().getEnabled()).isTrue();
      assertThat(anyone.auth().status().getUser()).isEmpty();
    }
  }
}
