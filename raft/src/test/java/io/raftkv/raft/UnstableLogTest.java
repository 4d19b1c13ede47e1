package io.raftkv.raft;

import static io.raftkv.raft.RaftLogTest.ent;
import static io.raftkv.raft.RaftLogTest.ents;
import static io.raftkv.raft.RaftLogTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link UnstableLog}: the unpersisted tail, its in-progress mark, stableTo, restore and truncation. */
class UnstableLogTest {

  /** An unstable log holding {@code entries} (non-empty) from their first index on. */
  private static UnstableLog withEntries(List<Entry> entries) {
    UnstableLog u = new UnstableLog(entries.get(0).getIndex());
    u.truncateAndAppend(entries);
    return u;
  }

  private static UnstableLog withSnapshotAndEntries(Snapshot snap, List<Entry> entries) {
    UnstableLog u = new UnstableLog(1);
    u.restore(snap);
    if (!entries.isEmpty()) {
      u.truncateAndAppend(entries);
    }
    return u;
  }

  @Test
  void emptyUnstableLogKnowsNoIndexOrTerm() {
    UnstableLog u = new UnstableLog(5);

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.maybeFirstIndex()).isEqualTo(-1);
    assertThat(u.maybeLastIndex()).isEqualTo(-1);
    assertThat(u.maybeTerm(4)).isEqualTo(-1);
    assertThat(u.maybeTerm(5)).isEqualTo(-1);
    assertThat(u.nextEntries()).isEmpty();
    assertThat(u.hasNextEntries()).isFalse();
    assertThat(u.nextSnapshot()).isNull();
    assertThat(u.hasSnapshot()).isFalse();
  }

  @Test
  void firstIndexIsKnownOnlyWithASnapshot() {
    assertThat(withEntries(ents(5, 1)).maybeFirstIndex()).as("entries alone do not tell the first index")
        .isEqualTo(-1);
    assertThat(withSnapshotAndEntries(snapshot(4, 1), List.of()).maybeFirstIndex()).isEqualTo(5);
    assertThat(withSnapshotAndEntries(snapshot(4, 1), ents(5, 1)).maybeFirstIndex()).isEqualTo(5);
  }

  @Test
  void lastIndexIsTheLastEntryElseTheSnapshotIndex() {
    assertThat(withEntries(ents(5, 1)).maybeLastIndex()).isEqualTo(5);
    assertThat(withEntries(ents(5, 1, 1, 2)).maybeLastIndex()).isEqualTo(7);
    assertThat(withSnapshotAndEntries(snapshot(4, 1), List.of()).maybeLastIndex()).isEqualTo(4);
    assertThat(withSnapshotAndEntries(snapshot(4, 1), ents(5, 1, 2)).maybeLastIndex()).isEqualTo(6);
  }

  @Test
  void termIsKnownForHeldEntriesAndTheSnapshotIndexOnly() {
    UnstableLog entriesOnly = withEntries(ents(5, 1, 2));
    assertThat(entriesOnly.maybeTerm(4)).isEqualTo(-1);
    assertThat(entriesOnly.maybeTerm(5)).isEqualTo(1);
    assertThat(entriesOnly.maybeTerm(6)).isEqualTo(2);
    assertThat(entriesOnly.maybeTerm(7)).isEqualTo(-1);

    UnstableLog withSnap = withSnapshotAndEntries(snapshot(4, 1), ents(5, 3));
    assertThat(withSnap.maybeTerm(3)).isEqualTo(-1);
    assertThat(withSnap.maybeTerm(4)).isEqualTo(1);
    assertThat(withSnap.maybeTerm(5)).isEqualTo(3);
    assertThat(withSnap.maybeTerm(6)).isEqualTo(-1);

    UnstableLog snapOnly = withSnapshotAndEntries(snapshot(4, 1), List.of());
    assertThat(snapOnly.maybeTerm(4)).isEqualTo(1);
    assertThat(snapOnly.maybeTerm(5)).isEqualTo(-1);
  }

  @Test
  void nextEntriesHandsOutEveryEntryNotYetInProgress() {
    UnstableLog u = withEntries(ents(5, 1, 1));

    assertThat(u.hasNextEntries()).isTrue();
    assertThat(u.nextEntries()).containsExactly(ent(5, 1), ent(6, 1));
    assertThat(u.nextEntries()).as("asking twice without accepting hands the same out again")
        .containsExactly(ent(5, 1), ent(6, 1));
  }

  @Test
  void acceptedEntriesAreNotHandedOutTwice() {
    UnstableLog u = withEntries(ents(5, 1, 1));
    u.acceptInProgress();

    assertThat(u.hasNextEntries()).isFalse();
    assertThat(u.nextEntries()).isEmpty();

    u.truncateAndAppend(ents(7, 1, 2));
    assertThat(u.nextEntries()).containsExactly(ent(7, 1), ent(8, 2));
    u.acceptInProgress();
    assertThat(u.nextEntries()).isEmpty();
  }

  @Test
  void acceptInProgressOnAnEmptyLogChangesNothing() {
    UnstableLog u = new UnstableLog(5);
    u.acceptInProgress();
    u.truncateAndAppend(ents(5, 1));

    assertThat(u.nextEntries()).containsExactly(ent(5, 1));
  }

  @Test
  void nextEntriesIsACopyUnaffectedByLaterChanges() {
    UnstableLog u = withEntries(ents(5, 1, 1, 1));
    List<Entry> handedOut = u.nextEntries();

    u.truncateAndAppend(ents(6, 2));

    assertThat(handedOut).containsExactly(ent(5, 1), ent(6, 1), ent(7, 1));
  }

  @Test
  void snapshotIsHandedOutUntilAcceptedButStaysPending() {
    Snapshot snap = snapshot(4, 1);
    UnstableLog u = withSnapshotAndEntries(snap, List.of());

    assertThat(u.nextSnapshot()).isEqualTo(snap);
    assertThat(u.snapshot()).isEqualTo(snap);

    u.acceptInProgress();
    assertThat(u.nextSnapshot()).isNull();
    assertThat(u.hasSnapshot()).isTrue();
    assertThat(u.snapshot()).isEqualTo(snap);
  }

  @Test
  void stableToDropsEntriesUpToTheIndexAndAdvancesTheOffset() {
    UnstableLog u = withEntries(ents(5, 1, 1, 1));
    u.acceptInProgress();

    u.stableTo(6, 1);

    assertThat(u.offset()).isEqualTo(7);
    assertThat(u.entries()).containsExactly(ent(7, 1));
    assertThat(u.maybeTerm(6)).isEqualTo(-1);
    assertThat(u.maybeLastIndex()).isEqualTo(7);
    assertThat(u.nextEntries()).as("entry 7 is still in progress").isEmpty();
  }

  @Test
  void stableToOfTheLastEntryEmptiesTheLog() {
    UnstableLog u = withEntries(ents(5, 1, 1));
    u.acceptInProgress();

    u.stableTo(6, 1);

    assertThat(u.entries()).isEmpty();
    assertThat(u.offset()).isEqualTo(7);
    assertThat(u.maybeLastIndex()).isEqualTo(-1);
    u.truncateAndAppend(ents(7, 2));
    assertThat(u.nextEntries()).containsExactly(ent(7, 2));
  }

  @Test
  void stableToPastTheInProgressMarkRaisesIt() {
    UnstableLog u = withEntries(ents(5, 1, 1, 1, 1));

    u.stableTo(6, 1);

    assertThat(u.nextEntries()).containsExactly(ent(7, 1), ent(8, 1));
  }

  @Test
  void stableToIgnoresEntryReplacedByNewerTerm() {
    UnstableLog u = withEntries(ents(5, 1, 1, 1));
    u.acceptInProgress();
    u.truncateAndAppend(ents(6, 2, 2)); // a new leader replaced 6..7 while 5..7 of term 1 were persisted

    u.stableTo(7, 1);

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.entries()).containsExactly(ent(5, 1), ent(6, 2), ent(7, 2));
    assertThat(u.nextEntries()).containsExactly(ent(6, 2), ent(7, 2));
  }

  @Test
  void stableToIgnoresAnIndexTheLogDoesNotHold() {
    UnstableLog u = withEntries(ents(5, 1, 1));

    u.stableTo(4, 1);
    u.stableTo(7, 1);
    u.stableTo(8, 1);

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.entries()).containsExactly(ent(5, 1), ent(6, 1));
  }

  @Test
  void stableToIgnoresTheSnapshotIndex() {
    UnstableLog u = withSnapshotAndEntries(snapshot(4, 1), ents(5, 1));

    u.stableTo(4, 1);

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.entries()).containsExactly(ent(5, 1));
    assertThat(u.hasSnapshot()).isTrue();
  }

  @Test
  void stableSnapToClearsOnlyTheMatchingSnapshot() {
    UnstableLog u = withSnapshotAndEntries(snapshot(4, 1), ents(5, 1));
    u.acceptInProgress();

    u.stableSnapTo(3);
    assertThat(u.hasSnapshot()).isTrue();
    u.stableSnapTo(5);
    assertThat(u.hasSnapshot()).isTrue();

    u.stableSnapTo(4);
    assertThat(u.hasSnapshot()).isFalse();
    assertThat(u.nextSnapshot()).isNull();
    assertThat(u.maybeFirstIndex()).isEqualTo(-1);
    assertThat(u.maybeTerm(4)).isEqualTo(-1);
    assertThat(u.maybeTerm(5)).isEqualTo(1);
  }

  @Test
  void restoreDropsEntriesAndResetsOffsetsToTheSnapshot() {
    UnstableLog u = withEntries(ents(5, 1, 1, 1));
    u.acceptInProgress();
    Snapshot snap = snapshot(10, 2);

    u.restore(snap);

    assertThat(u.offset()).isEqualTo(11);
    assertThat(u.entries()).isEmpty();
    assertThat(u.maybeFirstIndex()).isEqualTo(11);
    assertThat(u.maybeLastIndex()).isEqualTo(10);
    assertThat(u.maybeTerm(10)).isEqualTo(2);
    assertThat(u.maybeTerm(6)).isEqualTo(-1);
    assertThat(u.nextSnapshot()).as("a new snapshot is not in progress").isEqualTo(snap);
    assertThat(u.nextEntries()).isEmpty();

    u.truncateAndAppend(ents(11, 2));
    assertThat(u.nextEntries()).containsExactly(ent(11, 2));
  }

  @Test
  void restoreOverAnInProgressSnapshotHandsOutTheNewOne() {
    UnstableLog u = withSnapshotAndEntries(snapshot(4, 1), List.of());
    u.acceptInProgress();

    Snapshot newer = snapshot(9, 2);
    u.restore(newer);

    assertThat(u.nextSnapshot()).isEqualTo(newer);
  }

  @Test
  void truncateAndAppendDirectlyAfterTheTailAppendsAndKeepsTheInProgressMark() {
    UnstableLog u = withEntries(ents(5, 1, 1));
    u.acceptInProgress();

    u.truncateAndAppend(ents(7, 1, 2));

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.entries()).containsExactly(ent(5, 1), ent(6, 1), ent(7, 1), ent(8, 2));
    assertThat(u.nextEntries()).containsExactly(ent(7, 1), ent(8, 2));
  }

  @Test
  void truncateAndAppendAtTheOffsetReplacesEverything() {
    UnstableLog u = withEntries(ents(5, 1, 1));
    u.acceptInProgress();

    u.truncateAndAppend(ents(5, 2));

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.entries()).containsExactly(ent(5, 2));
    assertThat(u.nextEntries()).containsExactly(ent(5, 2));
  }

  @Test
  void truncateAndAppendBeforeTheOffsetMovesTheOffsetBack() {
    UnstableLog u = withEntries(ents(5, 1, 1));
    u.acceptInProgress();

    u.truncateAndAppend(ents(4, 2, 2));

    assertThat(u.offset()).isEqualTo(4);
    assertThat(u.entries()).containsExactly(ent(4, 2), ent(5, 2));
    assertThat(u.maybeTerm(6)).isEqualTo(-1);
    assertThat(u.nextEntries()).containsExactly(ent(4, 2), ent(5, 2));
  }

  @Test
  void truncateAndAppendInsideTheTailTruncatesAndPullsTheInProgressMarkBack() {
    UnstableLog u = withEntries(ents(5, 1, 1, 1));
    u.acceptInProgress();

    u.truncateAndAppend(ents(6, 2));

    assertThat(u.offset()).isEqualTo(5);
    assertThat(u.entries()).containsExactly(ent(5, 1), ent(6, 2));
    assertThat(u.nextEntries()).as("entry 5 stays in progress; the new 6 is handed out")
        .containsExactly(ent(6, 2));
  }

  @Test
  void truncateAndAppendAfterTheInProgressMarkKeepsTheMark() {
    UnstableLog u = withEntries(ents(5, 1, 1));
    u.acceptInProgress(); // 5..6 in progress
    u.truncateAndAppend(ents(7, 1, 1)); // 7..8 not yet handed out

    u.truncateAndAppend(ents(8, 2));

    assertThat(u.entries()).containsExactly(ent(5, 1), ent(6, 1), ent(7, 1), ent(8, 2));
    assertThat(u.nextEntries()).containsExactly(ent(7, 1), ent(8, 2));
  }

  @Test
  void truncateAndAppendCopiesTheCallersEntries() {
    UnstableLog u = new UnstableLog(5);
    List<Entry> mine = new ArrayList<>(ents(5, 1, 1));
    u.truncateAndAppend(mine);
    List<Entry> more = new ArrayList<>(ents(4, 2));
    u.truncateAndAppend(more);

    mine.clear();
    more.set(0, ent(4, 9));

    assertThat(u.entries()).containsExactly(ent(4, 2));
  }

  @Test
  void truncateAndAppendRefusesAGapAfterTheTail() {
    UnstableLog u = withEntries(ents(5, 1, 1));

    assertThatThrownBy(() -> u.truncateAndAppend(ents(8, 1))).isInstanceOf(RuntimeException.class);
  }

  @Test
  void sliceReturnsTheRequestedRangeWithinTheLog() {
    UnstableLog u = withEntries(ents(5, 1, 2, 3));

    assertThat(u.slice(5, 8)).containsExactly(ent(5, 1), ent(6, 2), ent(7, 3));
    assertThat(u.slice(6, 7)).containsExactly(ent(6, 2));
    assertThat(u.slice(6, 6)).isEmpty();
  }

  @Test
  void sliceOutOfBoundsThrows() {
    UnstableLog u = withEntries(ents(5, 1, 2, 3));

    assertThatThrownBy(() -> u.slice(4, 6)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> u.slice(6, 9)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> u.slice(7, 6)).isInstanceOf(IllegalStateException.class);
  }
}
