package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupFormat;
import io.raftkv.api.BackupRequest;
import io.raftkv.api.KvRpc;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.ReplicatedState;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Backup RPC and the state cut behind it, on 3-node clusters in-process over real gRPC and RocksDB. */
class BackupStreamTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir
  Path root;

  private static WriteRequest put(long seq, String key) {
    return WriteRequest.newBuilder().setClientId(77).setSequence(seq).addOps(Op.newBuilder()
        .setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v"))))
        .build();
  }

  private static long follower(long leader) {
    return leader == 1 ? 2 : 1;
  }

  private static List<ByteString> dataKeys(StateCut cut) {
    List<ByteString> keys = new ArrayList<>();
    for (SnapshotKvBatch b = cut.nextBatch(); b != null; b = cut.nextBatch()) {
      if (b.getColumnFamily().equals("data")) {
        keys.addAll(b.getKeysList());
      }
    }
    return keys;
  }

  @Test
  void aFollowersCutHoldsEveryWriteAcknowledgedBeforeItAndKeepsItsIndexWhileWritesGoOn() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      WriteResponse before = cluster.call(leader, KvRpc.WRITE, put(1, "before"));
      try (StateCut cut = cluster.server(follower(leader)).node().openStateCut().get(10, TimeUnit.SECONDS)) {
        assertThat(cut.index()).isGreaterThanOrEqualTo(before.getIndex());
        assertThat(cut.members()).hasSize(3);
        WriteResponse after = cluster.call(leader, KvRpc.WRITE, put(2, "after"));
        assertThat(after.getIndex()).isGreaterThan(cut.index());
        assertThat(dataKeys(cut)).containsExactly(ByteString.copyFromUtf8("before"));
      }
    }
  }

  @Test
  void aPartitionedFollowerRefusesABackupRatherThanServeAStaleOne() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      long cutOff = follower(leader);
      cluster.partition(Set.of(cutOff));
      cluster.call(leader, KvRpc.WRITE, put(1, "while-partitioned"));
      assertThatThrownBy(() -> cluster.server(cutOff).node().openStateCut().get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void stoppingTheNodeReleasesAnOpenCutSoLaterReadsFailCleanly() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      cluster.call(leader, KvRpc.WRITE, put(1, "k"));
      StateCut cut = cluster.server(leader).node().openStateCut().get(10, TimeUnit.SECONDS);
      cluster.stop(leader);
      assertThat(cut.isReleased()).isTrue();
      assertThatThrownBy(cut::nextBatch).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the node is stopping");
      cut.close();
    }
  }

  @Test
  void theBackupStreamIsAHeaderBatchesAndATrailerWhoseChecksumCoversThem() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      WriteResponse w = cluster.call(leader, KvRpc.WRITE, put(1, "k"));
      ManagedChannel channel = Grpc.newChannelBuilder(cluster.members().get(leader).getClientAddress(),
          InsecureChannelCredentials.create()).build();
      List<BackupChunk> chunks = new ArrayList<>();
      try {
        Iterator<BackupChunk> it = ClientCalls.blockingServerStreamingCall(channel, AdminRpc.BACKUP,
            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), BackupRequest.getDefaultInstance());
        it.forEachRemaining(chunks::add);
      } finally {
        channel.shutdownNow();
      }
      BackupChunk first = chunks.get(0);
      assertThat(first.hasHeader()).isTrue();
      assertThat(first.getHeader().getFormatVersion()).isEqualTo(BackupFormat.VERSION);
      assertThat(first.getHeader().getStoreFormatVersion()).isEqualTo(ReplicatedState.FORMAT_VERSION);
      assertThat(first.getHeader().getClusterId()).isEqualTo("test");
      assertThat(first.getHeader().getAppliedIndex()).isGreaterThanOrEqualTo(w.getIndex());
      assertThat(first.getHeader().getSourceNodeId()).isEqualTo(leader);
      assertThat(first.getHeader().getMembersList()).hasSize(3)
          .allSatisfy(m -> assertThat(m.getClientAddress()).isNotEmpty());
      BackupChunk last = chunks.get(chunks.size() - 1);
      assertThat(last.hasTrailer()).isTrue();
      List<BackupChunk> batches = chunks.subList(1, chunks.size() - 1);
      assertThat(batches).allSatisfy(c -> assertThat(c.hasBatch()).isTrue());
      assertThat(batches).extracting(c -> c.getBatch().getColumnFamily()).contains("data", "sessions", "feed");
      MessageDigest digest = BackupFormat.newDigest();
      chunks.subList(0, chunks.size() - 1).forEach(c -> digest.update(c.toByteArray()));
      assertThat(last.getTrailer().getSha256()).isEqualTo(ByteString.copyFrom(digest.digest()));
      assertThat(last.getTrailer().getBatches()).isEqualTo(batches.size());
      assertThat(last.getTrailer().getDataKeys()).isEqualTo(1);
    }
  }
}
