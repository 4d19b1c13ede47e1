package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unit tests of {@link RaftLog}: stable storage plus unstable tail, cursors, conflicts, appends and slices. */
class RaftLogTest {

  static Entry ent(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  static Entry ent(long index, long term, int dataBytes) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setData(ByteString.copyFrom(new byte[dataBytes])).build();
  }

  /** Entries from {@code first} on, one per term given. */
  static List<Entry> ents(long first, long... terms) {
    List<Entry> list = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      list.add(ent(first + i, terms[i]));
    }
    return list;
  }

  static MemoryStorage storageWith(List<Entry> entries) {
    MemoryStorage storage = new MemoryStorage();
    storage.append(entries);
    return storage;
  }

  /** A storage holding {@code entries} (from index 1) with everything up to {@code compactIndex} compacted. */
  static MemoryStorage compactedStorage(List<Entry> entries, long compactIndex) {
    MemoryStorage storage = storageWith(entries);
    storage.createSnapshot(compactIndex, ConfState.newBuilder().addVoters(1).build(), ByteString.EMPTY);
    storage.compact(compactIndex);
    return storage;
  }

  static RaftLog log(Storage storage) {
    return new RaftLog(storage, Long.MAX_VALUE);
  }

  static Snapshot snapshot(long index, long term) {
    return Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
            .setConfState(ConfState.newBuilder().addVoters(1)))
        .build();
  }

  static List<Long> indexes(List<Entry> entries) {
    return entries.stream().map(Entry::getIndex).toList();
  }

  // ---- Construction ----

  @Test
  void newLogOverEmptyStorageStartsAtIndexOneWithNothingCommitted() {
    RaftLog log = log(new MemoryStorage());

    assertThat(log.firstIndex()).isEqualTo(1);
    assertThat(log.lastIndex()).isZero();
    assertThat(log.lastTerm()).isZero();
    assertThat(log.committed()).isZero();
    assertThat(log.applying()).isZero();
    assertThat(log.applied()).isZero();
    assertThat(log.hasNextUnstableEntries()).isFalse();
    assertThat(log.nextUnstableEntries()).isEmpty();
    assertThat(log.hasNextCommittedEntries()).isFalse();
    assertThat(log.nextCommittedEntries()).isEmpty();
    assertThat(log.hasPendingSnapshot()).isFalse();
    assertThat(log.nextUnstableSnapshot()).isNull();
  }

  @Test
  void newLogOverCompactedStorageStartsCursorsAtTheCompactionPoint() {
    RaftLog log = log(compactedStorage(ents(1, 1, 1, 2, 3, 3), 3));

    assertThat(log.firstIndex()).isEqualTo(4);
    assertThat(log.lastIndex()).isEqualTo(5);
    assertThat(log.lastTerm()).isEqualTo(3);
    assertThat(log.committed()).isEqualTo(3);
    assertThat(log.applying()).isEqualTo(3);
    assertThat(log.applied()).isEqualTo(3);
    // Entries already in storage are stable: nothing to hand out for persisting.
    assertThat(log.nextUnstableEntries()).isEmpty();
  }

  @Test
  void newLogOverStorageRestoredFromSnapshotHasNoEntriesYet() {
    MemoryStorage storage = new MemoryStorage();
    storage.applySnapshot(snapshot(10, 4));
    RaftLog log = log(storage);

    assertThat(log.firstIndex()).isEqualTo(11);
    assertThat(log.lastIndex()).isEqualTo(10);
    assertThat(log.lastTerm()).isEqualTo(4);
    assertThat(log.committed()).isEqualTo(10);
    assertThat(log.termOrNegative(10)).isEqualTo(4);
    assertThat(log.termOrNegative(9)).isEqualTo(-1);
  }

  // ---- Terms ----

  @Test
  void termIsKnownFromTheCompactionPointToTheLastIndex() {
    RaftLog log = log(compactedStorage(ents(1, 1, 2, 3, 4, 5), 3));
    log.append(ents(6, 6, 6));

    assertThat(log.termOrNegative(3)).as("compaction point").isEqualTo(3);
    assertThat(log.termOrNegative(4)).isEqualTo(4);
    assertThat(log.termOrNegative(5)).isEqualTo(5);
    assertThat(log.termOrNegative(6)).as("unstable").isEqualTo(6);
    assertThat(log.termOrNegative(7)).as("unstable").isEqualTo(6);
  }

  @Test
  void termIsMinusOneBelowTheCompactionPointAndPastTheEnd() {
    RaftLog log = log(compactedStorage(ents(1, 1, 2, 3, 4, 5), 3));

    assertThat(log.termOrNegative(0)).isEqualTo(-1);
    assertThat(log.termOrNegative(2)).isEqualTo(-1);
    assertThat(log.termOrNegative(6)).isEqualTo(-1);
    assertThat(log.matchTerm(2, 2)).isFalse();
    assertThat(log.matchTerm(6, 0)).isFalse();
  }

  @Test
  void termOfIndexZeroInAnEmptyLogIsZero() {
    RaftLog log = log(new MemoryStorage());

    assertThat(log.termOrNegative(0)).isZero();
    assertThat(log.matchTerm(0, 0)).isTrue();
    assertThat(log.termOrNegative(1)).isEqualTo(-1);
  }

  @Test
  void termWithPendingSnapshotIsKnownOnlyAtTheSnapshotIndex() {
    RaftLog log = log(storageWith(ents(1, 1, 1, 1)));
    log.restore(snapshot(10, 4));

    assertThat(log.termOrNegative(10)).isEqualTo(4);
    assertThat(log.termOrNegative(9)).isEqualTo(-1);
    assertThat(log.termOrNegative(2)).as("stored entries before the snapshot are being replaced")
        .isEqualTo(-1);
    assertThat(log.termOrNegative(11)).isEqualTo(-1);
  }

  @ParameterizedTest(name = "candidate last {0}/{1} up to date: {2}")
  @CsvSource({
      "2, 4, true", // higher last term wins whatever the index
      "5, 2, false", // lower last term loses whatever the index
      "3, 3, true", // same term, same index
      "2, 3, false", // same term, shorter log
      "4, 3, true", // same term, longer log
  })
  void isUpToDateComparesLastTermThenLastIndex(long lastIndex, long term, boolean expected) {
    RaftLog log = log(storageWith(ents(1, 1, 2, 3)));

    assertThat(log.isUpToDate(lastIndex, term)).isEqualTo(expected);
  }

  // ---- FindConflict ----

  /** Index: 1 2 3, terms 1 2 3. */
  private static RaftLog conflictLog() {
    return log(storageWith(ents(1, 1, 2, 3)));
  }

  @Test
  void findConflictOfNoEntriesIsZero() {
    RaftLog log = conflictLog();
    assertThat(log.findConflict(List.of())).isZero();
  }

  @Test
  void findConflictReturnsZeroWhenEveryEntryIsAlreadyInTheLog() {
    RaftLog log = conflictLog();
    assertThat(log.findConflict(ents(1, 1, 2, 3))).isZero();
    assertThat(log.findConflict(ents(2, 2, 3))).isZero();
    assertThat(log.findConflict(ents(3, 3))).isZero();
  }

  @Test
  void findConflictReturnsFirstNewIndexWhenEntriesExtendTheLog() {
    RaftLog log = conflictLog();
    assertThat(log.findConflict(ents(2, 2, 3, 4, 4))).isEqualTo(4);
    assertThat(log.findConflict(ents(4, 4, 4))).isEqualTo(4);
  }

  @Test
  void findConflictReturnsFirstIndexWhoseTermDiffers() {
    RaftLog log = conflictLog();
    assertThat(log.findConflict(ents(1, 4, 4))).isEqualTo(1);
    assertThat(log.findConflict(ents(2, 1, 4))).isEqualTo(2);
    assertThat(log.findConflict(ents(2, 2, 4, 4))).isEqualTo(3);
  }

  @Test
  void findConflictSeesUnstableEntries() {
    RaftLog log = conflictLog();
    log.append(ents(4, 4, 4));

    assertThat(log.findConflict(ents(4, 4, 4))).isZero();
    assertThat(log.findConflict(ents(4, 4, 5))).isEqualTo(5);
  }

  // ---- FindConflictByTerm ----

  /** Index: 1 2 3 4 5 6, terms 2 2 5 5 5 7. */
  private static RaftLog termsLog() {
    return log(storageWith(ents(1, 2, 2, 5, 5, 5, 7)));
  }

  @ParameterizedTest(name = "from {0} at term {1} -> {2}")
  @CsvSource({
      "6, 7, 6", // the term matches at once
      "6, 6, 5", // skips the term-7 entry
      "6, 5, 5",
      "6, 4, 2", // skips the whole of term 5
      "5, 3, 2",
      "2, 9, 2",
      "6, 1, 0", // every term is above: probe from the start
      "0, 0, 0",
  })
  void findConflictByTermReturnsLargestIndexAtOrBelowWithTermNoGreater(long index, long term, long expected) {
    RaftLog log = termsLog();
    assertThat(log.findConflictByTerm(index, term)).isEqualTo(expected);
  }

  @Test
  void findConflictByTermPastTheLastIndexReturnsTheIndexUnchanged() {
    RaftLog log = termsLog();
    assertThat(log.findConflictByTerm(9, 1)).isEqualTo(9);
  }

  @Test
  void findConflictByTermSeesUnstableEntries() {
    RaftLog log = termsLog();
    log.append(ents(7, 8, 8));

    assertThat(log.findConflictByTerm(8, 7)).isEqualTo(6);
    assertThat(log.findConflictByTerm(8, 8)).isEqualTo(8);
  }

  @Test
  void findConflictByTermStopsAtACompactedIndexWhoseTermIsUnknown() {
    // Index: (1 2 compacted) 3 4 5 6, with terms 5 5 5 7 from 3 on.
    RaftLog compacted = log(compactedStorage(ents(1, 2, 2, 5, 5, 5, 7), 3));

    assertThat(compacted.findConflictByTerm(6, 4))
        .as("term at 3 (compaction point) is 5 > 4; term at 2 is unknown, so 2 may match")
        .isEqualTo(2);
    assertThat(compacted.findConflictByTerm(6, 5)).isEqualTo(5);
  }

  // ---- MaybeAppend ----

  @Test
  void maybeAppendRefusesWhenPrevTermDoesNotMatch() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(3, 2, 3, ents(4, 4))).isEqualTo(-1);

    assertThat(log.lastIndex()).isEqualTo(3);
    assertThat(log.committed()).isZero();
    assertThat(log.nextUnstableEntries()).isEmpty();
  }

  @Test
  void maybeAppendRefusesWhenPrevIndexIsBeyondTheLog() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(4, 3, 4, ents(5, 3))).isEqualTo(-1);

    assertThat(log.lastIndex()).isEqualTo(3);
    assertThat(log.committed()).isZero();
  }

  @Test
  void maybeAppendRefusesWhenPrevIndexIsCompacted() {
    RaftLog compacted = log(compactedStorage(ents(1, 1, 2, 3, 4), 3));

    assertThat(compacted.maybeAppend(2, 2, 2, ents(3, 3, 4))).isEqualTo(-1);
    assertThat(compacted.lastIndex()).isEqualTo(4);
  }

  @Test
  void maybeAppendOfNoEntriesCommitsUpToThePrevIndexOnly() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(2, 2, 3, List.of())).isEqualTo(2);

    assertThat(log.committed()).as("entry 3 is not known to match the leader").isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(3);
  }

  @Test
  void maybeAppendAppendsNewEntriesAndReturnsTheLastNewIndex() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(3, 3, 5, ents(4, 4, 4))).isEqualTo(5);

    assertThat(log.lastIndex()).isEqualTo(5);
    assertThat(log.committed()).isEqualTo(5);
    assertThat(indexes(log.nextUnstableEntries())).containsExactly(4L, 5L);
  }

  @Test
  void maybeAppendCommitsNoFurtherThanTheLeaderCommit() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(3, 3, 4, ents(4, 4, 4))).isEqualTo(5);

    assertThat(log.committed()).isEqualTo(4);
  }

  @Test
  void maybeAppendCommitIsCappedAtTheLastNewEntryNotTheLogEnd() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(1, 1, 3, ents(2, 2))).isEqualTo(2);

    assertThat(log.committed()).isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(3);
  }

  @Test
  void maybeAppendIgnoresEntriesAlreadyInTheLogAndKeepsTheSuffix() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(0, 0, 0, ents(1, 1, 2))).isEqualTo(2);

    assertThat(log.lastIndex()).as("a stale append must not truncate entry 3").isEqualTo(3);
    assertThat(log.termOrNegative(3)).isEqualTo(3);
    assertThat(log.nextUnstableEntries()).isEmpty();
  }

  @Test
  void maybeAppendTruncatesTheConflictingSuffix() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(1, 1, 0, ents(2, 4))).isEqualTo(2);

    assertThat(log.lastIndex()).isEqualTo(2);
    assertThat(log.termOrNegative(2)).isEqualTo(4);
    assertThat(log.termOrNegative(3)).isEqualTo(-1);
    assertThat(log.nextUnstableEntries()).containsExactly(ent(2, 4));
  }

  @Test
  void maybeAppendAppendsOnlyFromTheFirstConflict() {
    RaftLog log = conflictLog();
    assertThat(log.maybeAppend(0, 0, 0, ents(1, 1, 2, 4, 4))).isEqualTo(4);

    assertThat(log.nextUnstableEntries()).containsExactly(ent(3, 4), ent(4, 4));
    assertThat(log.termOrNegative(2)).isEqualTo(2);
  }

  @Test
  void maybeAppendNeverLowersTheCommitIndex() {
    RaftLog log = conflictLog();
    log.commitTo(3);

    assertThat(log.maybeAppend(1, 1, 1, List.of())).isEqualTo(1);
    assertThat(log.committed()).isEqualTo(3);
  }

  @Test
  void maybeAppendRefusesToRewriteCommittedEntries() {
    RaftLog log = conflictLog();
    log.commitTo(2);

    assertThat(log.maybeAppend(1, 1, 2, ents(2, 4))).isEqualTo(-1);
    assertThat(log.termOrNegative(2)).isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(3);
    assertThat(log.committed()).isEqualTo(2);
  }

  @Test
  void maybeAppendMayReplaceEntriesRightAfterTheCommitIndex() {
    RaftLog log = conflictLog();
    log.commitTo(2);

    assertThat(log.maybeAppend(2, 2, 2, ents(3, 4))).isEqualTo(3);
    assertThat(log.termOrNegative(3)).isEqualTo(4);
  }

  // ---- Append ----

  @Test
  void appendToAnEmptyLogGoesToTheUnstableTail() {
    RaftLog log = log(new MemoryStorage());

    assertThat(log.append(ents(1, 1, 1))).isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(2);
    assertThat(log.firstIndex()).isEqualTo(1);
    assertThat(log.nextUnstableEntries()).containsExactly(ent(1, 1), ent(2, 1));
  }

  @Test
  void appendOfNothingReturnsTheLastIndex() {
    RaftLog log = log(storageWith(ents(1, 1, 2)));

    assertThat(log.append(List.of())).isEqualTo(2);
    assertThat(log.nextUnstableEntries()).isEmpty();
  }

  @Test
  void appendOverlappingStorageShadowsTheStoredSuffix() {
    RaftLog log = log(storageWith(ents(1, 1, 2)));

    assertThat(log.append(ents(2, 3, 3))).isEqualTo(3);
    assertThat(log.termOrNegative(1)).isEqualTo(1);
    assertThat(log.termOrNegative(2)).isEqualTo(3);
    assertThat(log.slice(1, 4, Long.MAX_VALUE)).containsExactly(ent(1, 1), ent(2, 3), ent(3, 3));
    assertThat(log.nextUnstableEntries()).containsExactly(ent(2, 3), ent(3, 3));
  }

  @Test
  void appendThatWouldRewriteCommittedEntriesThrows() {
    RaftLog log = log(storageWith(ents(1, 1, 2, 3)));
    log.commitTo(2);

    assertThatThrownBy(() -> log.append(ents(2, 4))).isInstanceOf(IllegalStateException.class);
    assertThat(log.termOrNegative(2)).isEqualTo(2);
    assertThat(log.lastIndex()).isEqualTo(3);
  }

  // ---- Commit ----

  @Test
  void commitToRaisesButNeverLowersTheCommitIndex() {
    RaftLog log = log(storageWith(ents(1, 1, 2, 3)));

    log.commitTo(2);
    assertThat(log.committed()).isEqualTo(2);
    log.commitTo(1);
    assertThat(log.committed()).isEqualTo(2);
    log.commitTo(3);
    assertThat(log.committed()).isEqualTo(3);
  }

  @Test
  void commitToPastTheLastIndexThrows() {
    RaftLog log = log(storageWith(ents(1, 1, 2, 3)));

    assertThatThrownBy(() -> log.commitTo(4)).isInstanceOf(IllegalStateException.class);
    assertThat(log.committed()).isZero();
  }

  @Test
  void maybeCommitCommitsOnlyAnEntryOfTheGivenTerm() {
    RaftLog log = log(storageWith(ents(1, 1, 2, 2)));

    assertThat(log.maybeCommit(3, 1)).as("entry 3 is of term 2").isFalse();
    assertThat(log.committed()).isZero();
    assertThat(log.maybeCommit(3, 2)).isTrue();
    assertThat(log.committed()).isEqualTo(3);
  }

  @Test
  void maybeCommitIgnoresAnIndexAtOrBelowTheCommitIndex() {
    RaftLog log = log(storageWith(ents(1, 1, 2, 2)));
    log.commitTo(3);

    assertThat(log.maybeCommit(2, 2)).isFalse();
    assertThat(log.maybeCommit(3, 2)).isFalse();
    assertThat(log.committed()).isEqualTo(3);
  }

  @Test
  void maybeCommitPastTheLastIndexDoesNothing() {
    RaftLog log = log(storageWith(ents(1, 1, 2, 2)));

    assertThat(log.maybeCommit(5, 2)).isFalse();
    assertThat(log.committed()).isZero();
  }

  // ---- CommittedEntries ----

  /** Compacted up to 3; stable 4..6 with terms 4 5 6. */
  private static RaftLog committedLog() {
    return log(compactedStorage(ents(1, 1, 2, 3, 4, 5, 6), 3));
  }

  @Test
  void committedEntriesAreHandedOutFromAfterApplyingUpToCommit() {
    RaftLog log = committedLog();
    log.commitTo(5);

    assertThat(log.hasNextCommittedEntries()).isTrue();
    assertThat(log.nextCommittedEntries()).containsExactly(ent(4, 4), ent(5, 5));
  }

  @Test
  void committedEntriesAreNotHandedOutTwiceWhileBeingApplied() {
    RaftLog log = committedLog();
    log.commitTo(5);
    log.acceptApplying(5);

    assertThat(log.hasNextCommittedEntries()).isFalse();
    assertThat(log.nextCommittedEntries()).isEmpty();
    assertThat(log.applied()).as("applying is not applied").isEqualTo(3);

    log.commitTo(6);
    assertThat(log.nextCommittedEntries()).containsExactly(ent(6, 6));
  }

  @Test
  void committedEntriesResumeAfterAPartlyAcceptedBatch() {
    RaftLog log = committedLog();
    log.commitTo(6);
    log.acceptApplying(4);

    assertThat(log.nextCommittedEntries()).containsExactly(ent(5, 5), ent(6, 6));
  }

  @Test
  void acceptApplyingNeverMovesBack() {
    RaftLog log = committedLog();
    log.commitTo(6);
    log.acceptApplying(5);
    log.acceptApplying(4);

    assertThat(log.applying()).isEqualTo(5);
    assertThat(log.nextCommittedEntries()).containsExactly(ent(6, 6));
  }

  @Test
  void appliedToRaisesApplyingAsWell() {
    RaftLog log = committedLog();
    log.commitTo(5);
    log.appliedTo(5);

    assertThat(log.applied()).isEqualTo(5);
    assertThat(log.applying()).isEqualTo(5);
    assertThat(log.hasNextCommittedEntries()).isFalse();
  }

  @Test
  void appliedToNeverLowersApplied() {
    RaftLog log = committedLog();
    log.commitTo(5);
    log.appliedTo(5);
    log.appliedTo(4);

    assertThat(log.applied()).isEqualTo(5);
  }

  @Test
  void appliedToBelowApplyingKeepsApplying() {
    RaftLog log = committedLog();
    log.commitTo(6);
    log.acceptApplying(6);
    log.appliedTo(5);

    assertThat(log.applied()).isEqualTo(5);
    assertThat(log.applying()).isEqualTo(6);
    assertThat(log.nextCommittedEntries()).isEmpty();
  }

  @Test
  void committedEntriesIncludeCommittedUnstableEntries() {
    RaftLog log = committedLog();
    log.append(ents(7, 7, 7));
    log.commitTo(8);
    log.acceptApplying(5);

    assertThat(log.nextCommittedEntries()).containsExactly(ent(6, 6), ent(7, 7), ent(8, 7));
  }

  @Test
  void noCommittedEntriesWhileASnapshotIsPending() {
    RaftLog log = committedLog();
    log.commitTo(5);
    log.restore(snapshot(10, 7));

    assertThat(log.committed()).isEqualTo(10);
    assertThat(log.hasNextCommittedEntries()).isFalse();
    assertThat(log.nextCommittedEntries()).isEmpty();
  }

  @Test
  void committedEntriesAreLimitedBySizeButIncludeAtLeastOne() {
    List<Entry> big = List.of(ent(1, 1, 100), ent(2, 1, 100), ent(3, 1, 100), ent(4, 1, 100));
    int size = big.get(0).getSerializedSize();
    RaftLog limited = new RaftLog(storageWith(big), 2L * size);
    limited.commitTo(4);

    assertThat(indexes(limited.nextCommittedEntries())).containsExactly(1L, 2L);
    limited.acceptApplying(2);
    assertThat(indexes(limited.nextCommittedEntries())).containsExactly(3L, 4L);

    RaftLog tiny = new RaftLog(storageWith(big), 1);
    tiny.commitTo(4);
    assertThat(indexes(tiny.nextCommittedEntries())).containsExactly(1L);
  }

  // ---- Slice ----

  /** Compacted up to 3; stable 4..6; unstable 7..9. All entries have the same encoded size. */
  private static RaftLog sliceLog() {
    RaftLog log = log(compactedStorage(
        List.of(ent(1, 1, 10), ent(2, 1, 10), ent(3, 1, 10), ent(4, 1, 10), ent(5, 2, 10), ent(6, 2, 10)), 3));
    log.append(List.of(ent(7, 3, 10), ent(8, 3, 10), ent(9, 3, 10)));
    return log;
  }

  private static final long SLICE_ENTRY_SIZE = ent(4, 1, 10).getSerializedSize();

  @Test
  void sliceBelowTheFirstIndexThrowsCompacted() {
    RaftLog log = sliceLog();
    assertThatThrownBy(() -> log.slice(3, 5, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> log.slice(1, 2, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
  }

  @Test
  void slicePastTheLastIndexThrows() {
    RaftLog log = sliceLog();
    assertThatThrownBy(() -> log.slice(8, 11, Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sliceOfAnEmptyRangeIsEmpty() {
    RaftLog log = sliceLog();
    assertThat(log.slice(5, 5, Long.MAX_VALUE)).isEmpty();
    assertThat(log.slice(10, 10, Long.MAX_VALUE)).isEmpty();
  }

  @ParameterizedTest(name = "[{0},{1}) -> {2}")
  @CsvSource({
      "4, 5, 4-4", // storage only
      "4, 7, 4-6", // all of storage
      "7, 10, 7-9", // unstable only
      "8, 9, 8-8",
      "5, 9, 5-8", // across the boundary
      "4, 10, 4-9", // everything
  })
  void sliceWithoutLimitReturnsTheWholeRange(long lo, long hi, String expected) {
    RaftLog log = sliceLog();
    String[] bounds = expected.split("-");
    List<Long> want = new ArrayList<>();
    for (long i = Long.parseLong(bounds[0]); i <= Long.parseLong(bounds[1]); i++) {
      want.add(i);
    }

    assertThat(indexes(log.slice(lo, hi, Long.MAX_VALUE))).isEqualTo(want);
  }

  @ParameterizedTest(name = "from {0} within {1} entries'' bytes (+{2}) -> {3} entries")
  @CsvSource({
      "4, 0, 0, 1", // limit below one entry still yields one (from storage)
      "7, 0, 0, 1", // ... and from the unstable tail
      "4, 1, 0, 1",
      "4, 1, -1, 1",
      "4, 2, 0, 2", // stopped in storage
      "4, 2, -1, 1",
      "4, 3, 0, 3", // exactly all of storage
      "4, 4, 0, 4", // continues from storage into the unstable tail
      "4, 4, -1, 3",
      "5, 3, 0, 3", // 5 6 | 7
      "5, 3, 1, 3",
      "7, 2, 0, 2", // unstable only
      "7, 2, -1, 1",
      "4, 100, 0, 6",
  })
  void sliceRespectsTheSizeLimitButReturnsAtLeastOneEntry(long lo, long entries, long extra, int expectedCount) {
    RaftLog log = sliceLog();
    assertThat(log.slice(4, 10, Long.MAX_VALUE)).allMatch(e -> e.getSerializedSize() == SLICE_ENTRY_SIZE);
    long maxSize = entries * SLICE_ENTRY_SIZE + extra;

    List<Entry> got = log.slice(lo, 10, maxSize);

    assertThat(got).hasSize(expectedCount);
    assertThat(got.get(0).getIndex()).isEqualTo(lo);
    assertThat(indexes(got)).isSorted();
    if (expectedCount > 1) {
      assertThat(got.stream().mapToLong(Entry::getSerializedSize).sum()).isLessThanOrEqualTo(maxSize);
    }
  }

  @Test
  void sliceStoppedShortInStorageDoesNotSkipAheadToSmallerUnstableEntries() {
    // Stable: 4 small, 5 big, 6 small; unstable: 7 small.
    RaftLog log = log(compactedStorage(
        List.of(ent(1, 1), ent(2, 1), ent(3, 1), ent(4, 1), ent(5, 1, 100), ent(6, 1)), 3));
    log.append(List.of(ent(7, 2)));
    long small = ent(4, 1).getSerializedSize();

    assertThat(indexes(log.slice(4, 8, 3 * small))).as("entry 5 does not fit, so nothing after it is taken")
        .containsExactly(4L);
  }

  @Test
  void sliceReturnsAListIndependentOfTheLog() {
    RaftLog log = sliceLog();
    List<Entry> unstableOnly = log.slice(7, 10, Long.MAX_VALUE);
    List<Entry> mixed = log.slice(5, 9, Long.MAX_VALUE);
    List<Entry> copyUnstable = List.copyOf(unstableOnly);
    List<Entry> copyMixed = List.copyOf(mixed);

    log.append(List.of(ent(8, 4, 10)));

    assertThat(unstableOnly).isEqualTo(copyUnstable);
    assertThat(mixed).isEqualTo(copyMixed);
    assertThat(log.slice(7, 9, Long.MAX_VALUE)).containsExactly(ent(7, 3, 10), ent(8, 4, 10));
  }

  @Test
  void entriesFromAnIndexRunToTheEndOfTheLog() {
    RaftLog log = sliceLog();
    assertThat(indexes(log.entries(6, Long.MAX_VALUE))).containsExactly(6L, 7L, 8L, 9L);
    assertThat(indexes(log.entries(6, 2 * SLICE_ENTRY_SIZE))).containsExactly(6L, 7L);
    assertThat(log.entries(10, Long.MAX_VALUE)).isEmpty();
    assertThatThrownBy(() -> log.entries(3, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
  }

  // ---- UnstableTail ----

  @Test
  void nextUnstableEntriesAreNotHandedOutTwice() {
    RaftLog log = log(new MemoryStorage());
    log.append(ents(1, 1, 1));

    assertThat(log.nextUnstableEntries()).containsExactly(ent(1, 1), ent(2, 1));
    log.acceptUnstable();
    assertThat(log.hasNextUnstableEntries()).isFalse();
    assertThat(log.nextUnstableEntries()).isEmpty();

    log.append(ents(3, 1));
    assertThat(log.nextUnstableEntries()).containsExactly(ent(3, 1));
  }

  @Test
  void stableToMovesPersistedEntriesIntoTheStorageView() {
    MemoryStorage storage = new MemoryStorage();
    RaftLog log = log(storage);
    log.append(ents(1, 1, 1, 2));
    List<Entry> toPersist = log.nextUnstableEntries();
    log.acceptUnstable();

    storage.append(toPersist);
    log.stableTo(3, 2);

    assertThat(log.nextUnstableEntries()).isEmpty();
    assertThat(log.lastIndex()).isEqualTo(3);
    assertThat(log.lastTerm()).isEqualTo(2);
    assertThat(log.slice(1, 4, Long.MAX_VALUE)).isEqualTo(toPersist);
  }

  @Test
  void entriesReplacedWhilePersistingAreHandedOutAgain() {
    MemoryStorage storage = new MemoryStorage();
    RaftLog log = log(storage);
    log.append(ents(1, 1, 1, 1));
    List<Entry> firstBatch = log.nextUnstableEntries();
    log.acceptUnstable();

    log.append(ents(2, 2)); // a new leader replaces 2..3 while 1..3 are being persisted
    storage.append(firstBatch);
    log.stableTo(3, 1); // the persisted entry 3 is gone: ignored

    assertThat(log.nextUnstableEntries()).containsExactly(ent(2, 2));
    assertThat(log.lastIndex()).isEqualTo(2);
    assertThat(log.termOrNegative(2)).isEqualTo(2);
  }

  @Test
  void restoreResetsOffsetsAndCommitToTheSnapshot() {
    MemoryStorage storage = storageWith(ents(1, 1, 1, 2));
    RaftLog log = log(storage);
    log.append(ents(4, 2, 2));
    Snapshot snap = snapshot(10, 3);

    log.restore(snap);

    assertThat(log.firstIndex()).isEqualTo(11);
    assertThat(log.lastIndex()).isEqualTo(10);
    assertThat(log.lastTerm()).isEqualTo(3);
    assertThat(log.committed()).isEqualTo(10);
    assertThat(log.hasPendingSnapshot()).isTrue();
    assertThat(log.nextUnstableSnapshot()).isEqualTo(snap);
    assertThat(log.snapshot()).isEqualTo(snap);
    assertThat(log.nextUnstableEntries()).isEmpty();
    assertThatThrownBy(() -> log.slice(4, 5, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
  }

  @Test
  void pendingSnapshotIsHandedOutOnceAndClearedWhenStable() {
    MemoryStorage storage = storageWith(ents(1, 1, 1, 2));
    RaftLog log = log(storage);
    Snapshot snap = snapshot(10, 3);
    log.restore(snap);

    log.acceptUnstable();
    assertThat(log.nextUnstableSnapshot()).as("in progress").isNull();
    assertThat(log.hasPendingSnapshot()).isTrue();
    assertThat(log.hasNextCommittedEntries()).isFalse();

    storage.applySnapshot(snap);
    log.stableSnapTo(10);
    log.appliedTo(10);

    assertThat(log.hasPendingSnapshot()).isFalse();
    assertThat(log.firstIndex()).isEqualTo(11);
    assertThat(log.lastIndex()).isEqualTo(10);
    assertThat(log.lastTerm()).isEqualTo(3);
    assertThat(log.snapshot()).isEqualTo(snap);

    log.append(ents(11, 3, 4));
    log.commitTo(12);
    assertThat(log.nextUnstableEntries()).containsExactly(ent(11, 3), ent(12, 4));
    assertThat(log.nextCommittedEntries()).containsExactly(ent(11, 3), ent(12, 4));
  }

  @Test
  void appendAfterRestoreContinuesFromTheSnapshot() {
    RaftLog log = log(storageWith(ents(1, 1)));
    log.restore(snapshot(5, 2));

    assertThat(log.append(ents(6, 2, 3))).isEqualTo(7);
    assertThat(log.termOrNegative(5)).isEqualTo(2);
    assertThat(log.termOrNegative(7)).isEqualTo(3);
    assertThat(log.matchTerm(5, 2)).isTrue();
  }

  @Test
  void snapshotPrefersThePendingOneOverTheStoredOne() {
    MemoryStorage storage = compactedStorage(ents(1, 1, 1, 2), 2);
    RaftLog log = log(storage);
    assertThat(log.snapshot().getMetadata().getIndex()).isEqualTo(2);

    log.restore(snapshot(8, 3));
    assertThat(log.snapshot().getMetadata().getIndex()).isEqualTo(8);
  }

  // ---- Compaction ----

  @Test
  void compactingTheStorageMovesTheFirstIndexAndKeepsTheRestReadable() {
    MemoryStorage storage = storageWith(ents(1, 1, 1, 2, 2, 3, 3));
    RaftLog log = log(storage);
    log.commitTo(6);
    log.appliedTo(6);
    log.append(ents(7, 4));

    storage.createSnapshot(4, ConfState.newBuilder().addVoters(1).build(), ByteString.EMPTY);
    storage.compact(4);

    assertThat(log.firstIndex()).isEqualTo(5);
    assertThat(log.lastIndex()).isEqualTo(7);
    assertThat(log.termOrNegative(4)).isEqualTo(2);
    assertThat(log.termOrNegative(3)).isEqualTo(-1);
    assertThat(indexes(log.entries(5, Long.MAX_VALUE))).containsExactly(5L, 6L, 7L);
    assertThatThrownBy(() -> log.entries(4, Long.MAX_VALUE)).isInstanceOf(CompactedException.class);
    assertThat(log.nextUnstableEntries()).containsExactly(ent(7, 4));
  }

  @Test
  void committedEntriesStartAtTheFirstIndexWhenTheStorageWasCompactedPastApplying() {
    MemoryStorage storage = storageWith(ents(1, 1, 1, 2, 2));
    RaftLog log = log(storage);
    log.commitTo(4);
    storage.createSnapshot(2, ConfState.newBuilder().addVoters(1).build(), ByteString.EMPTY);
    storage.compact(2);

    assertThat(log.hasNextCommittedEntries()).isTrue();
    assertThat(log.nextCommittedEntries()).containsExactly(ent(3, 2), ent(4, 2));
  }

  // ---- Sizes ----

  @Test
  void logSizesLimitKeepsTheLongestPrefixWithinTheLimit() {
    List<Entry> list = List.of(ent(1, 1, 10), ent(2, 1, 10), ent(3, 1, 10));
    long one = list.get(0).getSerializedSize();

    assertThat(LogSizes.limit(list, 3 * one)).hasSize(3);
    assertThat(LogSizes.limit(list, 3 * one - 1)).hasSize(2);
    assertThat(LogSizes.limit(list, 2 * one)).hasSize(2);
    assertThat(LogSizes.limit(list, one)).hasSize(1);
  }

  @Test
  void logSizesLimitKeepsAtLeastOneEntry() {
    List<Entry> list = List.of(ent(1, 1, 100), ent(2, 1));

    assertThat(LogSizes.limit(list, 0)).containsExactly(ent(1, 1, 100));
    assertThat(LogSizes.limit(List.of(), 0)).isEmpty();
  }

  @Test
  void logSizesLimitStopsAtTheFirstEntryThatDoesNotFit() {
    List<Entry> list = List.of(ent(1, 1), ent(2, 1, 100), ent(3, 1));
    long small = ent(1, 1).getSerializedSize();

    assertThat(LogSizes.limit(list, 10 * small)).as("a smaller entry after the big one is not taken")
        .containsExactly(ent(1, 1));
  }
}
