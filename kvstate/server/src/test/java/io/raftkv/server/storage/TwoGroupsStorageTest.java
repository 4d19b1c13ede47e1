package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.Member;
import io.raftkv.raft.Ready;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/** Two raft groups in one engine: neither sees, compacts, ships nor replaces the other's log, metadata or state. */
class TwoGroupsStorageTest {
  private static final GroupKeys ONE = new GroupKeys(1);
  private static final GroupKeys TWO = new GroupKeys(2);

  @TempDir
  Path dir;

  private static List<Entry> entries(long from, long to, long term) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(Entry.newBuilder().setIndex(i).setTerm(term).setData(ByteString.copyFromUtf8("v" + i)).build());
    }
    return out;
  }

  private static void persist(StorageEngine engine, PeerStorage storage, List<Entry> entries, HardState hs) {
    Ready rd = new Ready(null, hs, entries, Snapshot.getDefaultInstance(), List.of(), List.of(), List.of(), true);
    try (WriteBatch batch = new WriteBatch()) {
      storage.stage(rd, batch);
      engine.write(batch, true);
    }
    storage.onPersisted(rd);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void eachGroupReadsBackItsOwnLogAndHardStateAfterARestart() {
    HardState hsOne = HardState.newBuilder().setTerm(1).setVote(1).setCommit(10).build();
    HardState hsTwo = HardState.newBuilder().setTerm(4).setVote(3).setCommit(5).build();
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      persist(engine, new PeerStorage(engine, ONE, 1 << 20), entries(1, 10, 1), hsOne);
      persist(engine, new PeerStorage(engine, TWO, 1 << 20), entries(1, 5, 4), hsTwo);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      PeerStorage one = new PeerStorage(engine, ONE, 1 << 20);
      PeerStorage two = new PeerStorage(engine, TWO, 1 << 20);
      assertThat(one.lastIndex()).isEqualTo(10);
      assertThat(two.lastIndex()).isEqualTo(5);
      assertThat(one.entries(1, 11, Long.MAX_VALUE)).isEqualTo(entries(1, 10, 1));
      assertThat(two.entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 4));
      assertThat(one.hardState()).isEqualTo(hsOne);
      assertThat(two.hardState()).isEqualTo(hsTwo);
      assertThat(new PeerStorage(engine, new GroupKeys(3), 1 << 20).lastIndex()).as("a group never written").isZero();
    }
  }

  @Test
  void compactingOneGroupsLogLeavesTheOthersWhole() {
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      PeerStorage one = new PeerStorage(engine, ONE, 1 << 20);
      PeerStorage two = new PeerStorage(engine, TWO, 1 << 20);
      persist(engine, one, entries(1, 10, 1), HardState.newBuilder().setTerm(1).setCommit(10).build());
      persist(engine, two, entries(1, 10, 2), HardState.newBuilder().setTerm(2).setCommit(10).build());
      one.compact(8);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      PeerStorage one = new PeerStorage(engine, ONE, 1 << 20);
      PeerStorage two = new PeerStorage(engine, TWO, 1 << 20);
      assertThat(one.firstIndex()).isEqualTo(9);
      assertThat(one.entries(9, 11, Long.MAX_VALUE)).isEqualTo(entries(9, 10, 1));
      assertThat(two.firstIndex()).isEqualTo(1);
      assertThat(two.entries(1, 11, Long.MAX_VALUE)).isEqualTo(entries(1, 10, 2));
    }
  }

  @Test
  void aSnapshotShipsOnlyItsGroupsSessionsAndFeedAndAnInstallReplacesOnlyTheTargetGroups() throws Exception {
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1);
        SnapshotStore storeOne = new SnapshotStore(engine, ONE);
        SnapshotStore storeTwo = new SnapshotStore(engine, TWO)) {
      try (WriteBatch batch = new WriteBatch()) {
        batch.put(engine.handle(ColumnFamily.SESSIONS), ONE.sessionHeader(7), b("one's session"));
        batch.put(engine.handle(ColumnFamily.FEED), ONE.feedEvent(3, 0), b("one's event"));
        batch.put(engine.handle(ColumnFamily.SESSIONS), TWO.sessionHeader(8), b("two's session"));
        batch.put(engine.handle(ColumnFamily.FEED), TWO.feedEvent(4, 0), b("two's event"));
        batch.put(engine.handle(ColumnFamily.FEED), TWO.feedState(), b("two's feed state"));
        engine.write(batch, true);
      }
      SnapshotDescriptor descriptor = storeOne.capture(3, 1, List.of(Member.newBuilder().setId(1).build()));
      List<SnapshotKvBatch> shipped = new ArrayList<>();
      for (Iterator<SnapshotKvBatch> it = storeOne.read(descriptor.getSnapshotId()); it.hasNext(); ) {
        shipped.add(it.next());
      }
      assertThat(shipped).extracting(SnapshotKvBatch::getColumnFamily).containsExactly("sessions", "feed");
      assertThat(shipped.get(0).getKeysList()).containsExactly(ByteString.copyFrom(ONE.relative(ONE.sessionHeader(7))));
      assertThat(shipped.get(1).getKeysList()).containsExactly(ByteString.copyFrom(ONE.relative(ONE.feedEvent(3, 0))));

      SnapshotStore.Receiver receiver = storeTwo.receive(3, 1);
      shipped.forEach(receiver::add);
      storeTwo.install(receiver.finish(), descriptor, ConfState.newBuilder().addVoters(1).build());

      assertThat(keys(engine, ColumnFamily.SESSIONS)).containsExactly(ONE.sessionHeader(7), TWO.sessionHeader(7));
      assertThat(keys(engine, ColumnFamily.FEED)).containsExactly(ONE.feedEvent(3, 0), TWO.feedEvent(3, 0));
      assertThat(engine.get(ColumnFamily.SESSIONS, TWO.sessionHeader(7))).isEqualTo(b("one's session"));
      assertThat(engine.get(ColumnFamily.RAFT_META, TWO.applyState())).isNotNull();
      assertThat(engine.get(ColumnFamily.RAFT_META, ONE.applyState())).as("group 1 installed nothing").isNull();
    }
  }

  private static List<byte[]> keys(StorageEngine engine, ColumnFamily cf) {
    List<byte[]> out = new ArrayList<>();
    try (RocksIterator it = engine.db().newIterator(engine.handle(cf))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(it.key());
      }
    }
    return out;
  }
}
