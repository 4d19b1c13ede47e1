package io.raftkv.server.cluster;

import static io.raftkv.server.cluster.AuthTestSupport.anonymous;
import static io.raftkv.server.cluster.AuthTestSupport.clientAs;
import static io.raftkv.server.cluster.AuthTestSupport.codeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.client.ChangeStream;
import io.raftkv.api.GetRequest;
import io.raftkv.api.KvRpc;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.WriteRequest;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords and tokens over the API, and permissions through a snapshot install, on 3-node clusters in-process. */
class AuthTokensClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir
  Path root;

  private static GetRequest get(String key) {
    return GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setConsistency(ReadConsistency.SERIALIZABLE)
        .build();
  }

  /** The next change event the stream hands out, waiting up to 30 s. */
  private static ChangeEvent nextChange(ChangeStream stream) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      WatchResponse r = stream.poll(Duration.ofSeconds(1));
      if (r != null && r.getEventsCount() > 0) {
        return r.getEvents(0);
      }
    }
    throw new AssertionError("no change within 30 s");
  }

  @Test
  void wrongPasswordsAndUnknownUsersAreRefusedWithoutTheirPasswordInTheMessage() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      AuthTestSupport.setUpUsersAndEnable(anyone);
      try (AuthTestSupport.RawNode raw = new AuthTestSupport.RawNode(cluster, 1)) {
        assertThatThrownBy(() -> raw.authenticate("sink", "guessed-Password-42"))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.UNAUTHENTICATED))
            .hasMessageContaining("authentication failed for user 'sink'")
            .hasMessageNotContaining("guessed-Password-42");
        assertThatThrownBy(() -> raw.authenticate("nobody", "pw"))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.UNAUTHENTICATED));
      }
      try (RaftKvClient wrong = clientAs(cluster, "sink", "not-it".toCharArray())) {
        RaftKvException e = org.junit.jupiter.api.Assertions.assertThrows(RaftKvException.class,
            () -> wrong.get(ByteString.copyFromUtf8("orders/1")));
        assertThat(e.code()).isEqualTo(Error.Code.UNAUTHENTICATED);
        assertThat(e.getMessage()).doesNotContain("not-it");
      }
    }
  }

  @Test
  void aTokenEndsWithAPasswordChangeOrTheUserAndIsUnknownOnAnotherNode() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster);
        AuthTestSupport.RawNode one = new AuthTestSupport.RawNode(cluster, 1);
        AuthTestSupport.RawNode two = new AuthTestSupport.RawNode(cluster, 2)) {
      AuthTestSupport.setUpUsersAndEnable(anyone);
      try (RaftKvClient admin = clientAs(cluster, "admin", AuthTestSupport.ADMIN_PASSWORD)) {
        String token = one.authenticate("sink", "pw-sink");
        assertThat(one.call(token, KvRpc.GET, get("orders/1")).getFound()).isFalse();
        assertThatThrownBy(() -> two.call(token, KvRpc.GET, get("orders/1")))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.INVALID_TOKEN))
            .hasMessageContaining("invalid or expired token");

        long changed = admin.auth().changePassword("sink", "new-pw".toCharArray()).getIndex();
        cluster.awaitApplied(1, changed);
        assertThatThrownBy(() -> one.call(token, KvRpc.GET, get("orders/1")))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.INVALID_TOKEN));

        String loaderToken = one.authenticate("loader", "pw-loader");
        long deleted = admin.auth().deleteUser("loader").getIndex();
        cluster.awaitApplied(1, deleted);
        assertThatThrownBy(() -> one.call(loaderToken, KvRpc.GET, get("orders/1")))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.INVALID_TOKEN));

        String sinkToken = one.authenticate("sink", "new-pw");
        long revoked = admin.auth().revokeRole("sink", "reader").getIndex();
        cluster.awaitApplied(1, revoked);
        assertThatThrownBy(() -> one.call(sinkToken, KvRpc.GET, get("orders/1")))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.INVALID_TOKEN));
      }
    }
  }

  @Test
  void theClientAuthenticatesAgainWhenANodeNoLongerHoldsItsToken() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      AuthTestSupport.setUpUsersAndEnable(anyone);
      long leader = cluster.awaitLeader(ELECTION);
      long follower = leader == 1 ? 2 : 1;
      String endpoint = cluster.members().get(follower).getClientAddress();
      try (RaftKvClient sink = RaftKvClient.builder(List.of(endpoint)).deadline(Duration.ofSeconds(20))
          .credentials("sink", "pw-sink".toCharArray()).build();
          RaftKvClient admin = clientAs(cluster, "admin", AuthTestSupport.ADMIN_PASSWORD);
          ChangeStream watch = sink.watch(WatchRequest.newBuilder().setKeyPrefix(ByteString.copyFromUtf8("orders/"))
              .build())) {
        assertThat(sink.get(ByteString.copyFromUtf8("orders/1"), ReadConsistency.SERIALIZABLE)).isEmpty();
        admin.put(ByteString.copyFromUtf8("orders/1"), ByteString.copyFromUtf8("v1"));
        assertThat(nextChange(watch).getKey().toStringUtf8()).isEqualTo("orders/1");
        // a restart forgets every token the node issued: the client's next call meets INVALID_TOKEN once,
        cluster.stop(follower);
        cluster.restart(follower);
        cluster.awaitLeader(ELECTION);
        // the change stream reconnects and authenticates again
        admin.put(ByteString.copyFromUtf8("orders/2"), ByteString.copyFromUtf8("v2"));
        assertThat(nextChange(watch).getKey().toStringUtf8()).isEqualTo("orders/2");
        assertThat(sink.get(ByteString.copyFromUtf8("orders/2"), ReadConsistency.SERIALIZABLE)).isPresent();
      }
    }
  }

  @Test
  void batchedWritesAndReadsAuthenticateAgainAfterEveryNodeForgotTheirTokens() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      AuthTestSupport.setUpUsersAndEnable(anyone);
      try (RaftKvClient loader = clientAs(cluster, "loader", "pw-loader".toCharArray())) {
        loader.put(ByteString.copyFromUtf8("orders/1"), ByteString.copyFromUtf8("v1"));
        restartEveryNode(cluster);
        // a linearizable get travels in a GetBatch call, a put in a WriteBatch call
        assertThat(loader.get(ByteString.copyFromUtf8("orders/1"))).isPresent();
        restartEveryNode(cluster);
        assertThat(loader.put(ByteString.copyFromUtf8("orders/2"), ByteString.copyFromUtf8("v2")).getIndex())
            .isPositive();
      }
    }
  }

  private static void restartEveryNode(InProcessCluster cluster) throws InterruptedException {
    for (long id = 1; id <= 3; id++) {
      cluster.stop(id);
    }
    for (long id = 1; id <= 3; id++) {
      cluster.restart(id);
    }
    cluster.awaitLeader(ELECTION);
  }

  @Test
  void permissionsSurviveASnapshotInstallOnALaggingNode() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable()
        .tuning(b -> b.logGcEntries(50).logGcKeepEntries(5)).startWithLeader();
        RaftKvClient anyone = anonymous(cluster)) {
      long leader = cluster.awaitLeader(ELECTION);
      long lagging = leader == 1 ? 2 : 1;
      cluster.stop(lagging);
      AuthTestSupport.setUpUsersAndEnable(anyone);
      try (RaftKvClient loader = clientAs(cluster, "loader", "pw-loader".toCharArray())) {
        for (int i = 0; i < 150; i++) {
          loader.put(ByteString.copyFromUtf8("orders/" + i), ByteString.copyFromUtf8("v"));
        }
      }
      long compactedTo = cluster.server(leader).node().status().firstIndex() - 1;
      assertThat(compactedTo).as("the log was compacted past the auth changes").isGreaterThan(20);
      cluster.restart(lagging);
      cluster.awaitApplied(lagging, cluster.server(leader).node().appliedIndex());
      var view = cluster.server(lagging).node().authView();
      assertThat(view.flag()).contains(true);
      assertThat(view.grantsOf("sink").allowsKey(ByteString.copyFromUtf8("orders/1"), false)).isTrue();
      assertThat(view.grantsOf("sink").allowsKey(ByteString.copyFromUtf8("orders/1"), true)).isFalse();
      try (AuthTestSupport.RawNode raw = new AuthTestSupport.RawNode(cluster, lagging)) {
        String token = raw.authenticate("sink", "pw-sink");
        assertThat(raw.call(token, KvRpc.GET, get("orders/1")).getFound()).isTrue();
        assertThatThrownBy(() -> raw.call(token, KvRpc.WRITE, WriteRequest.newBuilder().addOps(
            io.raftkv.api.Op.newBuilder().setPut(io.raftkv.api.PutOp.newBuilder()
                .setKey(ByteString.copyFromUtf8("orders/1")))).build()))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> raw.call(token, KvRpc.GET, get("stock/1")))
            .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Error.Code.PERMISSION_DENIED));
      }
    }
  }
}
