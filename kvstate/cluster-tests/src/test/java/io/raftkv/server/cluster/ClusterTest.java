package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.raftkv.api.AddMemberRequest;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.GetRequest;
import io.raftkv.api.GetResponse;
import io.raftkv.api.KvRpc;
import io.raftkv.api.Member;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.RemoveMemberRequest;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** 3-node clusters in-process over real gRPC and RocksDB: writes, reads, failover, restart, catch-up. */
class ClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir
  Path root;

  private static WriteRequest put(long client, long seq, String key, String value) {
    return WriteRequest.newBuilder().setClientId(client).setSequence(seq).addOps(Op.newBuilder()
        .setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))))
        .build();
  }

  private static GetRequest get(String key, ReadConsistency consistency) {
    return GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setConsistency(consistency).build();
  }

  private static long follower(InProcessCluster cluster, long leader) {
    for (long id = 1; id <= 3; id++) {
      if (id != leader && cluster.running(id)) {
        return id;
      }
    }
    throw new AssertionError("no follower");
  }

  @Test
  void writesThroughTheLeaderAreReadableLinearizablyFromEveryNode() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      WriteResponse w = cluster.call(leader, KvRpc.WRITE, put(1, 1, "k", "v"));
      assertThat(w.getApplied()).isTrue();
      for (long id = 1; id <= 3; id++) {
        GetResponse r = cluster.call(id, KvRpc.GET, get("k", ReadConsistency.LINEARIZABLE));
        assertThat(r.getFound()).as("node %d", id).isTrue();
        assertThat(r.getKv().getValue().toStringUtf8()).isEqualTo("v");
        assertThat(r.getKv().getVersion()).isEqualTo(w.getIndex());
      }
    }
  }

  @Test
  void writeToAFollowerFailsWithNotLeaderNamingTheLeader() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      long follower = follower(cluster, leader);
      assertThatThrownBy(() -> cluster.call(follower, KvRpc.WRITE, put(1, 1, "k", "v")))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            Error error = ErrorTrailers.fromThrowable(e);
            assertThat(error.getCode()).isEqualTo(Error.Code.NOT_LEADER);
            assertThat(error.getLeaderId()).isEqualTo(leader);
            assertThat(error.getLeaderAddress()).isEqualTo(cluster.members().get(leader).getClientAddress());
          });
    }
  }

  @Test
  void retriedWriteIsAppliedOnce() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      WriteResponse first = cluster.call(leader, KvRpc.WRITE, put(9, 1, "k", "v"));
      WriteResponse retry = cluster.call(leader, KvRpc.WRITE, put(9, 1, "k", "v"));
      assertThat(retry).isEqualTo(first);
      GetResponse r = cluster.call(leader, KvRpc.GET, get("k", ReadConsistency.LINEARIZABLE));
      assertThat(r.getKv().getVersion()).isEqualTo(first.getIndex());
    }
  }

  @Test
  void killedLeaderIsReplacedAndCatchesUpAfterRestart() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      for (int i = 1; i <= 20; i++) {
        cluster.writeViaLeader(put(1, i, "k" + i, "v" + i));
      }
      cluster.stop(leader);
      long next = cluster.awaitLeader(ELECTION);
      assertThat(next).isNotEqualTo(leader);
      for (int i = 21; i <= 40; i++) {
        cluster.writeViaLeader(put(1, i, "k" + i, "v" + i));
      }
      cluster.start(leader, false);
      cluster.awaitLeader(ELECTION);
      long target = cluster.server(next).node().appliedIndex();
      cluster.awaitApplied(leader, target);
      for (int i = 1; i <= 40; i++) {
        GetResponse r = cluster.call(leader, KvRpc.GET, get("k" + i, ReadConsistency.SERIALIZABLE));
        assertThat(r.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
      }
    }
  }

  @Test
  void logGcBoundsTheLogAndAWipedNodeCatchesUpThroughASnapshot() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.logGcEntries(50).logGcKeepEntries(5)).start()) {
      long leader = cluster.awaitLeader(ELECTION);
      long victim = follower(cluster, leader);
      cluster.stop(victim);
      for (int i = 1; i <= 300; i++) {
        cluster.writeViaLeader(put(1, i, "k" + i, "v" + i));
      }
      var status = cluster.server(leader).node().status();
      assertThat(status.lastIndex() - status.firstIndex()).as("log length after GC").isLessThan(60);

      // The victim's disk dies: wipe it, remove the node, and add it back as a new member.
      try (Stream<Path> files = Files.walk(cluster.dataDir(victim))) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      cluster.call(leader, AdminRpc.REMOVE_MEMBER, RemoveMemberRequest.newBuilder().setId(victim).build());
      Member fresh = InProcessCluster.newMember(4);
      cluster.call(leader, AdminRpc.ADD_MEMBER, AddMemberRequest.newBuilder().setMember(fresh).build());
      cluster.startJoining(fresh);
      cluster.awaitApplied(4, cluster.server(leader).node().appliedIndex());
      for (int i = 1; i <= 300; i += 37) {
        GetResponse r = cluster.call(4, KvRpc.GET, get("k" + i, ReadConsistency.SERIALIZABLE));
        assertThat(r.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
      }
    }
  }

  @Test
  void nodesRestartedAfterLogGcRebuildFromTheirStateAndTheLogAfterIt() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.logGcEntries(40).logGcKeepEntries(3)).start()) {
      long leader = cluster.awaitLeader(ELECTION);
      for (int i = 1; i <= 150; i++) {
        cluster.writeViaLeader(put(1, i, "k" + i, "v" + i));
      }
      long compactedTo = cluster.server(leader).node().status().firstIndex() - 1;
      assertThat(compactedTo).as("the log was compacted").isGreaterThan(100);
      for (long id = 1; id <= 3; id++) {
        cluster.stop(id);
      }
      for (long id = 1; id <= 3; id++) {
        cluster.start(id, false);
      }
      long next = cluster.awaitLeader(ELECTION);
      assertThat(cluster.server(next).node().status().firstIndex()).isGreaterThan(100);
      for (int i = 1; i <= 150; i += 7) {
        GetResponse r = cluster.call(next, KvRpc.GET, get("k" + i, ReadConsistency.LINEARIZABLE));
        assertThat(r.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
      }
      assertThat(cluster.call(next, KvRpc.WRITE, put(1, 151, "k151", "v151")).getApplied()).isTrue();
    }
  }

  @Test
  void everyNodeRecoversItsStateAfterAFullRestart() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      for (int i = 1; i <= 10; i++) {
        cluster.writeViaLeader(put(1, i, "k" + i, "v" + i));
      }
      for (long id = 1; id <= 3; id++) {
        cluster.stop(id);
      }
      for (long id = 1; id <= 3; id++) {
        cluster.start(id, false);
      }
      long next = cluster.awaitLeader(ELECTION);
      for (int i = 1; i <= 10; i++) {
        GetResponse r = cluster.call(next, KvRpc.GET, get("k" + i, ReadConsistency.LINEARIZABLE));
        assertThat(r.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
      }
      WriteResponse w = cluster.call(next, KvRpc.WRITE, put(1, 11, "k11", "v11"));
      assertThat(w.getApplied()).isTrue();
    }
  }

  @Test
  void proposalOfAPartitionedLeaderFailsWithStaleCommandOnceItsPositionIsTaken() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.requestTimeout(Duration.ofSeconds(30))).start()) {
      long oldLeader = cluster.awaitLeader(ELECTION);
      cluster.call(oldLeader, KvRpc.WRITE, put(1, 1, "before", "x"));
      cluster.partition(java.util.Set.of(oldLeader));
      // The cut-off leader still accepts this write but can never commit it.
      var stale = cluster.server(oldLeader).node().write(put(2, 1, "lost", "x"));
      long newLeader = awaitOtherLeader(cluster, oldLeader);
      for (int i = 1; i <= 5; i++) {
        cluster.call(newLeader, KvRpc.WRITE, put(3, i, "after" + i, "y"));
      }
      cluster.heal();
      assertThatThrownBy(() -> stale.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(io.raftkv.server.node.NodeException.class)
          .satisfies(e -> assertThat(((io.raftkv.server.node.NodeException) e.getCause()).error().getCode())
              .isEqualTo(Error.Code.STALE_COMMAND));
      assertThat(cluster.call(newLeader, KvRpc.GET, get("lost", ReadConsistency.LINEARIZABLE)).getFound()).isFalse();
    }
  }

  @Test
  void leadershipMovesThroughTheAdminApi() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      long target = follower(cluster, leader);
      var response = cluster.call(leader, AdminRpc.TRANSFER_LEADER,
          io.raftkv.api.TransferLeaderRequest.newBuilder().setTransferee(target).build());
      assertThat(response.getLeaderId()).isEqualTo(target);
      assertThat(cluster.awaitLeader(ELECTION)).isEqualTo(target);
      assertThat(cluster.call(target, KvRpc.WRITE, put(1, 1, "k", "v")).getApplied()).isTrue();
    }
  }

  @Test
  void scanByPrefixPagesThroughKeysInOrder() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      for (int i = 0; i < 25; i++) {
        cluster.writeViaLeader(put(1, i + 1, String.format("user/%02d", i), "v" + i));
      }
      cluster.call(leader, KvRpc.WRITE, put(1, 26, "users", "not in the prefix"));
      java.util.List<String> keys = new java.util.ArrayList<>();
      ByteString start = ByteString.EMPTY;
      while (true) {
        var page = cluster.call(follower(cluster, leader), KvRpc.SCAN, io.raftkv.api.ScanRequest.newBuilder()
            .setPrefix(ByteString.copyFromUtf8("user/")).setStart(start).setLimit(10).build());
        page.getKvsList().forEach(kv -> keys.add(kv.getKey().toStringUtf8()));
        if (!page.getMore()) {
          break;
        }
        start = page.getNextStart();
      }
      assertThat(keys).hasSize(25).isSorted().allMatch(k -> k.startsWith("user/"));
    }
  }

  private static long awaitOtherLeader(InProcessCluster cluster, long old) throws InterruptedException {
    long deadline = System.nanoTime() + ELECTION.toNanos();
    while (System.nanoTime() < deadline) {
      for (long id = 1; id <= 3; id++) {
        if (id != old && cluster.server(id).node().status().role() == io.raftkv.raft.StateType.LEADER) {
          return id;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no new leader");
  }


  @Test
  void aNodeStopsPromptlyWhileItsPeersKeepStreamingToIt() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      cluster.call(leader, KvRpc.WRITE, put(1, 1, "k", "v"));
      long start = System.nanoTime();
      cluster.stop(follower(cluster, leader));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }
}
