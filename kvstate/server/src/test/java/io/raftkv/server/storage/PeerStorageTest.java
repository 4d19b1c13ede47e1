package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.raft.CompactedException;
import io.raftkv.raft.Ready;
import io.raftkv.raft.UnavailableException;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** PeerStorage over a real RocksDB: the raft log, hard state and compaction survive restarts. */
class PeerStorageTest {
  private static final GroupKeys GROUP = GroupKeys.firstGroup();
  @TempDir
  Path dir;

  private static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setData(ByteString.copyFromUtf8("v" + index + "@" + term)).build();
  }

  private static List<Entry> entries(long from, long to, long term) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(i, term));
    }
    return out;
  }

  private static Ready ready(List<Entry> entries, HardState hs) {
    return new Ready(null, hs, entries, Snapshot.getDefaultInstance(), List.of(), List.of(), List.of(), true);
  }

  private static void persist(StorageEngine engine, PeerStorage storage, Ready rd) {
    try (WriteBatch batch = new WriteBatch()) {
      storage.stage(rd, batch);
      engine.write(batch, rd.mustSync());
    }
    storage.onPersisted(rd);
  }

  @Test
  void emptyStorageHasFirstIndexOneAndLastIndexZero() {
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(storage.firstIndex()).isEqualTo(1);
      assertThat(storage.lastIndex()).isEqualTo(0);
      assertThat(storage.term(0)).isEqualTo(0);
      assertThat(storage.initialState().hardState()).isEqualTo(HardState.getDefaultInstance());
    }
  }

  @Test
  void persistedEntriesAndHardStateSurviveRestart() {
    HardState hs = HardState.newBuilder().setTerm(3).setVote(2).setCommit(4).build();
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      persist(engine, storage, ready(entries(1, 5, 3), hs));
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(storage.lastIndex()).isEqualTo(5);
      assertThat(storage.initialState().hardState()).isEqualTo(hs);
      assertThat(storage.entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 3));
      assertThat(storage.term(5)).isEqualTo(3);
    }
  }

  @Test
  void appendingAConflictingShorterSuffixDropsTheOldTail() {
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      persist(engine, storage, ready(entries(1, 10, 1), HardState.getDefaultInstance()));
      persist(engine, storage, ready(entries(6, 7, 2), HardState.getDefaultInstance()));
      assertThat(storage.lastIndex()).isEqualTo(7);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(storage.lastIndex()).isEqualTo(7);
      assertThat(storage.term(6)).isEqualTo(2);
      assertThat(storage.term(5)).isEqualTo(1);
      assertThatThrownBy(() -> storage.term(8)).isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void entriesAreServedAcrossDiskAndCacheWithSizeLimit() {
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      // A tiny cache: most entries must come from RocksDB.
      PeerStorage storage = new PeerStorage(engine, GROUP, 200);
      persist(engine, storage, ready(entries(1, 50, 1), HardState.getDefaultInstance()));
      assertThat(storage.entries(1, 51, Long.MAX_VALUE)).isEqualTo(entries(1, 50, 1));
      assertThat(storage.entries(10, 20, Long.MAX_VALUE)).isEqualTo(entries(10, 19, 1));
      assertThat(storage.entries(45, 51, Long.MAX_VALUE)).isEqualTo(entries(45, 50, 1));
      long oneEntry = entry(1, 1).getSerializedSize();
      assertThat(storage.entries(1, 51, 0)).hasSize(1);
      assertThat(storage.entries(1, 51, oneEntry * 3)).hasSize(3);
    }
  }

  @Test
  void compactionDropsEntriesAndRemembersTheCompactionPoint() {
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      persist(engine, storage, ready(entries(1, 10, 2), HardState.getDefaultInstance()));
      storage.compact(6);
      assertThat(storage.firstIndex()).isEqualTo(7);
      assertThat(storage.term(6)).isEqualTo(2);
      assertThatThrownBy(() -> storage.entries(6, 8, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
      assertThatThrownBy(() -> storage.term(5)).isInstanceOf(CompactedException.class);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(storage.firstIndex()).isEqualTo(7);
      assertThat(storage.lastIndex()).isEqualTo(10);
      assertThat(storage.entries(7, 11, Long.MAX_VALUE)).isEqualTo(entries(7, 10, 2));
    }
  }

  @Test
  void anIncomingSnapshotReplacesTheLogAndMembership() {
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    Snapshot snap = Snapshot.newBuilder().setMetadata(
        SnapshotMetadata.newBuilder().setIndex(100).setTerm(7).setConfState(cs)).build();
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      persist(engine, storage, ready(entries(1, 10, 2), HardState.getDefaultInstance()));
      Ready rd = new Ready(null, HardState.newBuilder().setTerm(7).setCommit(100).build(), List.of(), snap,
          List.of(), List.of(), List.of(), true);
      persist(engine, storage, rd);
      assertThat(storage.firstIndex()).isEqualTo(101);
      assertThat(storage.lastIndex()).isEqualTo(100);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1)) {
      PeerStorage storage = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(storage.firstIndex()).isEqualTo(101);
      assertThat(storage.lastIndex()).isEqualTo(100);
      assertThat(storage.term(100)).isEqualTo(7);
      assertThat(storage.initialState().confState()).isEqualTo(cs);
    }
  }
}
