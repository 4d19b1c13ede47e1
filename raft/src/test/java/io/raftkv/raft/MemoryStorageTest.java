package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.bytes;
import static io.raftkv.raft.TestCluster.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MemoryStorage: entries/term/firstIndex/lastIndex, compaction, snapshots and append semantics. */
class MemoryStorageTest {

  private static final ConfState VOTERS_123 = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

  private static Snapshot snapshot(long index, long term, ConfState cs) {
    return Snapshot.newBuilder()
        .setData(bytes("state@" + index))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(cs))
        .build();
  }

  /** Compaction point at index 3 (term 3), then entries 4 (t4), 5 (t5), 6 (t5). */
  private static MemoryStorage storage3456() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(3, 3, VOTERS_123));
    s.append(List.of(entry(4, 4, "a"), entry(5, 5, "b"), entry(6, 5, "c")));
    return s;
  }

  @Test
  void emptyStorageHasFirstIndexOneAndLastIndexZero() {
    MemoryStorage s = new MemoryStorage();
    assertThat(s.firstIndex()).isEqualTo(1);
    assertThat(s.lastIndex()).isZero();
    assertThat(s.term(0)).isZero();
    assertThat(s.snapshot().getMetadata().getIndex()).isZero();
    assertThat(s.initialState().hardState()).isEqualTo(HardState.getDefaultInstance());
    assertThat(s.initialState().confState().getVotersList()).isEmpty();
  }

  @Test
  void firstAndLastIndexFollowCompactionPointAndAppends() {
    MemoryStorage s = storage3456();
    assertThat(s.firstIndex()).isEqualTo(4);
    assertThat(s.lastIndex()).isEqualTo(6);
  }

  @Test
  void termIsKnownFromCompactionPointToLastIndex() {
    MemoryStorage s = storage3456();
    assertThat(s.term(3)).isEqualTo(3);
    assertThat(s.term(4)).isEqualTo(4);
    assertThat(s.term(6)).isEqualTo(5);
  }

  @Test
  void termBelowCompactionPointThrowsCompacted() {
    assertThatThrownBy(() -> storage3456().term(2)).isInstanceOf(CompactedException.class);
  }

  @Test
  void termAboveLastIndexThrowsUnavailable() {
    assertThatThrownBy(() -> storage3456().term(7)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void entriesReturnsHalfOpenRange() {
    MemoryStorage s = storage3456();
    assertThat(s.entries(4, 7, Long.MAX_VALUE)).containsExactly(entry(4, 4, "a"), entry(5, 5, "b"), entry(6, 5, "c"));
    assertThat(s.entries(5, 6, Long.MAX_VALUE)).containsExactly(entry(5, 5, "b"));
  }

  @Test
  void entriesAtOrBelowCompactionPointThrowsCompacted() {
    MemoryStorage s = storage3456();
    assertThatThrownBy(() -> s.entries(3, 5, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> s.entries(2, 5, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
  }

  @Test
  void entriesPastLastIndexThrowsUnavailable() {
    assertThatThrownBy(() -> storage3456().entries(4, 8, Long.MAX_VALUE)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void entriesMaxSizeLimitsButKeepsAtLeastOneEntry() {
    MemoryStorage s = storage3456();
    Entry e4 = entry(4, 4, "a");
    Entry e5 = entry(5, 5, "b");
    assertThat(s.entries(4, 7, 0)).containsExactly(e4);
    assertThat(s.entries(4, 7, 1)).containsExactly(e4);
    assertThat(s.entries(4, 7, e4.getSerializedSize())).containsExactly(e4);
    assertThat(s.entries(4, 7, e4.getSerializedSize() + e5.getSerializedSize())).containsExactly(e4, e5);
    assertThat(s.entries(4, 7, e4.getSerializedSize() + e5.getSerializedSize() - 1)).containsExactly(e4);
  }

  @Test
  void compactMovesFirstIndexAndKeepsTermAtCompactionPoint() {
    MemoryStorage s = storage3456();
    s.compact(5);
    assertThat(s.firstIndex()).isEqualTo(6);
    assertThat(s.lastIndex()).isEqualTo(6);
    assertThat(s.term(5)).isEqualTo(5);
    assertThat(s.entries(6, 7, Long.MAX_VALUE)).containsExactly(entry(6, 5, "c"));
    assertThatThrownBy(() -> s.entries(5, 7, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> s.term(4)).isInstanceOf(CompactedException.class);
  }

  @Test
  void compactAtOrBelowCompactionPointThrowsCompacted() {
    MemoryStorage s = storage3456();
    assertThatThrownBy(() -> s.compact(3)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> s.compact(2)).isInstanceOf(CompactedException.class);
    s.compact(4);
    assertThatThrownBy(() -> s.compact(4)).isInstanceOf(CompactedException.class);
  }

  @Test
  void compactPastLastIndexThrowsIllegalArgument() {
    assertThatThrownBy(() -> storage3456().compact(7)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compactUpToLastIndexLeavesEmptyLogThatStillKnowsLastTerm() {
    MemoryStorage s = storage3456();
    s.compact(6);
    assertThat(s.firstIndex()).isEqualTo(7);
    assertThat(s.lastIndex()).isEqualTo(6);
    assertThat(s.term(6)).isEqualTo(5);
    s.append(List.of(entry(7, 6)));
    assertThat(s.lastIndex()).isEqualTo(7);
  }

  @Test
  void createSnapshotRecordsIndexTermConfStateAndData() {
    MemoryStorage s = storage3456();
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addLearners(4).build();
    Snapshot snap = s.createSnapshot(5, cs, bytes("data"));
    assertThat(snap.getMetadata().getIndex()).isEqualTo(5);
    assertThat(snap.getMetadata().getTerm()).isEqualTo(5);
    assertThat(snap.getMetadata().getConfState()).isEqualTo(cs);
    assertThat(snap.getData()).isEqualTo(bytes("data"));
    assertThat(s.snapshot()).isEqualTo(snap);
    // the log is not compacted by createSnapshot
    assertThat(s.firstIndex()).isEqualTo(4);
    assertThat(s.lastIndex()).isEqualTo(6);
  }

  @Test
  void createSnapshotDoesNotChangeInitialConfState() {
    MemoryStorage s = storage3456();
    ConfState other = ConfState.newBuilder().addVoters(9).build();
    s.createSnapshot(5, other, bytes("x"));
    assertThat(s.initialState().confState()).isEqualTo(VOTERS_123);
  }

  @Test
  void createSnapshotAtOrBelowCurrentSnapshotThrowsOutOfDate() {
    MemoryStorage s = storage3456();
    assertThatThrownBy(() -> s.createSnapshot(3, VOTERS_123, bytes("x")))
        .isInstanceOf(SnapshotOutOfDateException.class);
    s.createSnapshot(5, VOTERS_123, bytes("x"));
    assertThatThrownBy(() -> s.createSnapshot(5, VOTERS_123, bytes("x")))
        .isInstanceOf(SnapshotOutOfDateException.class);
    assertThatThrownBy(() -> s.createSnapshot(4, VOTERS_123, bytes("x")))
        .isInstanceOf(SnapshotOutOfDateException.class);
  }

  @Test
  void createSnapshotPastLastIndexThrowsIllegalArgument() {
    assertThatThrownBy(() -> storage3456().createSnapshot(7, VOTERS_123, bytes("x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void applySnapshotReplacesLogAndSetsConfState() {
    MemoryStorage s = storage3456();
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(5).build();
    Snapshot snap = snapshot(10, 7, cs);
    s.applySnapshot(snap);
    assertThat(s.firstIndex()).isEqualTo(11);
    assertThat(s.lastIndex()).isEqualTo(10);
    assertThat(s.term(10)).isEqualTo(7);
    assertThat(s.snapshot()).isEqualTo(snap);
    assertThat(s.initialState().confState()).isEqualTo(cs);
    assertThatThrownBy(() -> s.term(9)).isInstanceOf(CompactedException.class);
  }

  @Test
  void applySnapshotNotNewerThanHeldThrowsOutOfDate() {
    MemoryStorage s = storage3456();
    assertThatThrownBy(() -> s.applySnapshot(snapshot(3, 3, VOTERS_123)))
        .isInstanceOf(SnapshotOutOfDateException.class);
    assertThatThrownBy(() -> s.applySnapshot(snapshot(2, 2, VOTERS_123)))
        .isInstanceOf(SnapshotOutOfDateException.class);
  }

  @Test
  void appendReplacesEverythingFromFirstAppendedIndex() {
    MemoryStorage s = storage3456();
    s.append(List.of(entry(5, 6, "x")));
    assertThat(s.lastIndex()).isEqualTo(5);
    assertThat(s.term(5)).isEqualTo(6);
    assertThat(s.entries(4, 6, Long.MAX_VALUE)).containsExactly(entry(4, 4, "a"), entry(5, 6, "x"));
  }

  @Test
  void appendOfSameEntriesIsIdempotent() {
    MemoryStorage s = storage3456();
    s.append(List.of(entry(4, 4, "a"), entry(5, 5, "b"), entry(6, 5, "c")));
    assertThat(s.entries(4, 7, Long.MAX_VALUE)).containsExactly(entry(4, 4, "a"), entry(5, 5, "b"), entry(6, 5, "c"));
  }

  @Test
  void appendExtendsAfterLastIndex() {
    MemoryStorage s = storage3456();
    s.append(List.of(entry(7, 5, "d"), entry(8, 6, "e")));
    assertThat(s.lastIndex()).isEqualTo(8);
    assertThat(s.term(8)).isEqualTo(6);
  }

  @Test
  void appendSkipsEntriesAtOrBelowCompactionPoint() {
    MemoryStorage s = storage3456();
    s.append(List.of(entry(3, 3), entry(4, 6, "y"), entry(5, 6, "z")));
    assertThat(s.firstIndex()).isEqualTo(4);
    assertThat(s.lastIndex()).isEqualTo(5);
    assertThat(s.term(3)).isEqualTo(3);
    assertThat(s.entries(4, 6, Long.MAX_VALUE)).containsExactly(entry(4, 6, "y"), entry(5, 6, "z"));
  }

  @Test
  void appendEntirelyBelowCompactionPointIsIgnored() {
    MemoryStorage s = storage3456();
    s.append(List.of(entry(2, 2), entry(3, 3)));
    assertThat(s.lastIndex()).isEqualTo(6);
    assertThat(s.entries(4, 7, Long.MAX_VALUE)).hasSize(3);
  }

  @Test
  void appendEmptyListIsNoOp() {
    MemoryStorage s = storage3456();
    s.append(List.of());
    assertThat(s.lastIndex()).isEqualTo(6);
  }

  @Test
  void setHardStateAndSetConfStateShowInInitialState() {
    MemoryStorage s = new MemoryStorage();
    HardState hs = HardState.newBuilder().setTerm(3).setVote(2).setCommit(5).build();
    s.setHardState(hs);
    s.setConfState(VOTERS_123);
    assertThat(s.initialState().hardState()).isEqualTo(hs);
    assertThat(s.initialState().confState()).isEqualTo(VOTERS_123);
  }

  @Test
  void storageExceptionsAreUnchecked() {
    assertThat(RuntimeException.class).isAssignableFrom(StorageException.class);
    assertThat(StorageException.class)
        .isAssignableFrom(CompactedException.class)
        .isAssignableFrom(UnavailableException.class)
        .isAssignableFrom(SnapshotOutOfDateException.class)
        .isAssignableFrom(SnapshotTemporarilyUnavailableException.class);
  }
}
