package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.server.storage.pb.ApplyState;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.storage.pb.TruncatedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** Snapshots over real RocksDB: captured consistently, streamed in order, installed by SST ingestion. */
class SnapshotStoreTest {
  private static final GroupKeys GROUP = GroupKeys.firstGroup();
  @TempDir
  Path dir;

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void put(StorageEngine engine, ColumnFamily cf, String key, String value) throws Exception {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(engine.handle(cf), b(key), b(value));
      engine.write(batch, false);
    }
  }

  @Test
  void capturedStateStreamsToAnotherNodeAndReplacesItsState() throws Exception {
    ConfState conf = ConfState.newBuilder().addVoters(1).addVoters(2).build();
    try (StorageEngine source = StorageEngine.open(dir.resolve("a"), "c", 1);
        StorageEngine target = StorageEngine.open(dir.resolve("b"), "c", 2);
        SnapshotStore sourceStore = new SnapshotStore(source, GROUP);
        SnapshotStore targetStore = new SnapshotStore(target, GROUP)) {
      for (int i = 0; i < 2_000; i++) {
        put(source, ColumnFamily.DATA, String.format("key%05d", i), "value" + i);
      }
      source.db().put(source.handle(ColumnFamily.SESSIONS), GROUP.stored(b("h-session")), b("s"));
      SnapshotDescriptor descriptor = sourceStore.capture(42, 3,
          List.of(Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1").build()));
      // Written after the capture: must not be part of the snapshot.
      put(source, ColumnFamily.DATA, "key99999", "late");
      // The target holds stale state the snapshot must wipe.
      put(target, ColumnFamily.DATA, "stale", "x");

      SnapshotStore.Receiver receiver = targetStore.receive(42, 3);
      int batches = 0;
      for (Iterator<SnapshotKvBatch> it = sourceStore.read(descriptor.getSnapshotId()); it.hasNext(); batches++) {
        receiver.add(it.next());
      }
      targetStore.install(receiver.finish(), descriptor, conf);

      assertThat(batches).isGreaterThanOrEqualTo(2);
      assertThat(target.get(ColumnFamily.DATA, b("key01234"))).isEqualTo(b("value1234"));
      assertThat(target.get(ColumnFamily.DATA, b("key99999"))).isNull();
      assertThat(target.get(ColumnFamily.DATA, b("stale"))).isNull();
      assertThat(target.get(ColumnFamily.SESSIONS, GROUP.stored(b("h-session")))).isEqualTo(b("s"));
      ApplyState apply = ApplyState.parseFrom(target.get(ColumnFamily.RAFT_META, GROUP.applyState()));
      assertThat(apply.getAppliedIndex()).isEqualTo(42);
      assertThat(apply.getAppliedTerm()).isEqualTo(3);
      assertThat(ConfState.parseFrom(target.get(ColumnFamily.RAFT_META, GROUP.confState()))).isEqualTo(conf);
    }
  }

  @Test
  void receiverRefusesDataOutOfKeyOrderOrForAnUnknownColumnFamily() {
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1);
        SnapshotStore store = new SnapshotStore(engine, GROUP)) {
      SnapshotStore.Receiver receiver = store.receive(5, 1);
      assertThatThrownBy(() -> receiver.add(SnapshotKvBatch.newBuilder().setColumnFamily("raft_log")
          .addKeys(ByteString.copyFromUtf8("k")).addValues(ByteString.EMPTY).build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'raft_log'");
      receiver.add(SnapshotKvBatch.newBuilder().setColumnFamily("data")
          .addKeys(ByteString.copyFromUtf8("b")).addValues(ByteString.EMPTY).build());
      assertThatThrownBy(() -> receiver.add(SnapshotKvBatch.newBuilder().setColumnFamily("data")
          .addKeys(ByteString.copyFromUtf8("a")).addValues(ByteString.EMPTY).build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key order");
      receiver.abandon();
    }
  }

  @Test
  void aCrashBetweenInstallingStateAndResettingTheLogIsFinishedAtRestart() throws Exception {
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1);
        SnapshotStore store = new SnapshotStore(engine, GROUP)) {
      // The log held entries 1..10; the state of a snapshot at 100 was installed, then the node crashed.
      try (WriteBatch batch = new WriteBatch()) {
        for (long i = 1; i <= 10; i++) {
          batch.put(engine.handle(ColumnFamily.RAFT_LOG), GROUP.logEntry(i), b("entry"));
        }
        batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.applyState(),
            ApplyState.newBuilder().setAppliedIndex(100).setAppliedTerm(7).build().toByteArray());
        batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.hardState(), io.raftkv.raft.pb.HardState.newBuilder()
            .setTerm(5).setVote(2).setCommit(9).build().toByteArray());
        engine.write(batch, true);
      }
      PeerStorage before = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(store.recoverInterruptedInstall(before.lastIndex(), before.truncatedState())).isTrue();
      PeerStorage after = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(after.firstIndex()).isEqualTo(101);
      assertThat(after.lastIndex()).isEqualTo(100);
      assertThat(after.term(100)).isEqualTo(7);
      assertThat(TruncatedState.parseFrom(engine.get(ColumnFamily.RAFT_META, GROUP.truncatedState())).getIndex())
          .isEqualTo(100);
      // Raft refuses a hard state whose commit is below the log's start: it must cover the snapshot.
      assertThat(after.hardState().getCommit()).isEqualTo(100);
      assertThat(after.hardState().getTerm()).isEqualTo(7);
      assertThat(after.hardState().getVote()).as("no vote was cast in term 7").isZero();
      new io.raftkv.raft.RawNode(io.raftkv.raft.RaftConfig.builder().id(1).storage(after).applied(100).build());
      // Nothing to do the second time.
      assertThat(store.recoverInterruptedInstall(after.lastIndex(), after.truncatedState())).isFalse();
    }
  }

  @Test
  void leftoverStagingFilesOfAnInterruptedReceiveAreRemovedAtStart() throws Exception {
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      Path leftover = SnapshotStore.stagingDirectory(dir, GroupKeys.FIRST_GROUP_ID).resolve("5-1-123");
      Files.createDirectories(leftover);
      Files.writeString(leftover.resolve("data.sst"), "partial");
      new SnapshotStore(engine, GROUP).close();
      assertThat(Files.exists(leftover)).isFalse();
    }
  }
}
