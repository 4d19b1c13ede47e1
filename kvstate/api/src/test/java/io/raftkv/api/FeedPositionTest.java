package io.raftkv.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedPositionTest {
  private static ChangeEvent event(long index, int sub) {
    return ChangeEvent.newBuilder().setIndex(index).setSubSequence(sub).build();
  }

  @Test
  void afterAChangeTheWatchResumesAtTheNextSubSequenceOfTheSameEntry() {
    WatchRequest r = FeedPosition.after(42, 3).resume().build();
    assertThat(r.getFromIndex()).isEqualTo(42);
    assertThat(r.getFromSubSequence()).isEqualTo(4);
    assertThat(r.getInitialSnapshot()).isFalse();
  }

  @Test
  void afterAWholeEntryTheWatchResumesAtTheNextEntry() {
    WatchRequest r = FeedPosition.afterEntry(42).resume().build();
    assertThat(r.getFromIndex()).isEqualTo(43);
    assertThat(r.getFromSubSequence()).isZero();
  }

  @Test
  void insideASnapshotTheWatchTakesANewSnapshot() {
    WatchRequest r = FeedPosition.snapshot(17).resume().build();
    assertThat(r.getInitialSnapshot()).isTrue();
    assertThat(FeedPosition.snapshot(17).nextIndex()).isZero();
  }

  @Test
  void theOldestPositionAsksForIndexZeroWhileAfterEntryZeroAsksForEntryOne() {
    assertThat(FeedPosition.oldest().resume().build()).isEqualTo(WatchRequest.getDefaultInstance());
    assertThat(FeedPosition.oldest().isOldest()).isTrue();
    assertThat(FeedPosition.afterEntry(0).isOldest()).isFalse();
    assertThat(FeedPosition.afterEntry(0).resume().build().getFromIndex()).isEqualTo(1);
  }

  @Test
  void negativeIndexOrSubSequenceIsRefusedNamingBoth() {
    assertThatThrownBy(() -> FeedPosition.after(-1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feed position (-1, 0) is negative");
    assertThatThrownBy(() -> FeedPosition.after(3, -2)).hasMessageContaining("feed position (3, -2) is negative")
        .hasMessageContaining("sub-sequence 0.." + Integer.MAX_VALUE);
    assertThatThrownBy(() -> FeedPosition.snapshot(-5)).hasMessageContaining("(-5, 0)");
  }

  @Test
  void changesOrderByIndexThenSubSequenceWithTheWholeEntryLast() {
    List<FeedPosition> sorted = List.of(FeedPosition.oldest(), FeedPosition.afterEntry(0), FeedPosition.after(4, 0),
        FeedPosition.after(4, 7), FeedPosition.afterEntry(4), FeedPosition.after(5, 0));
    List<FeedPosition> shuffled = new ArrayList<>(sorted);
    Collections.reverse(shuffled);
    Collections.sort(shuffled);
    assertThat(shuffled).containsExactlyElementsOf(sorted);
  }

  @Test
  void aSnapshotPositionComesBeforeEveryChangePosition() {
    assertThat(FeedPosition.snapshot(100)).isLessThan(FeedPosition.oldest());
    assertThat(FeedPosition.snapshot(0)).isLessThan(FeedPosition.snapshot(100));
    assertThat(FeedPosition.after(3, 1)).isEqualByComparingTo(FeedPosition.after(3, 1));
  }

  @Test
  void aChangeMovesThePositionRightAfterIt() {
    assertThat(FeedPosition.afterEntry(9).afterEvent(event(10, 2))).isEqualTo(FeedPosition.after(10, 2));
    assertThat(FeedPosition.oldest().afterEvent(event(1, 0))).isEqualTo(FeedPosition.after(1, 0));
  }

  @Test
  void aSnapshotRowKeepsThePositionInsideTheSnapshotAtTheRowsIndex() {
    assertThat(FeedPosition.snapshot(0).afterEvent(event(30, 0))).isEqualTo(FeedPosition.snapshot(30));
  }

  @Test
  void theEndOfASnapshotMovesThePositionAfterItsWholeEntry() {
    WatchResponse done = WatchResponse.newBuilder().setSnapshotDone(true).setSnapshotIndex(30).setAppliedIndex(30)
        .build();
    assertThat(FeedPosition.snapshot(30).advancedBy(done)).isEqualTo(FeedPosition.afterEntry(30));
    assertThat(FeedPosition.afterSnapshotDone(30).resume().build().getFromIndex()).isEqualTo(31);
  }

  @Test
  void aResponseMovesThePositionAfterItsLastEvent() {
    WatchResponse page = WatchResponse.newBuilder().addEvents(event(5, 0)).addEvents(event(5, 1))
        .addEvents(event(6, 0)).setAppliedIndex(5).build();
    assertThat(FeedPosition.afterEntry(4).advancedBy(page)).isEqualTo(FeedPosition.after(6, 0));
    WatchResponse rows = WatchResponse.newBuilder().addEvents(event(12, 0)).addEvents(event(12, 0)).build();
    assertThat(FeedPosition.snapshot(0).advancedBy(rows)).isEqualTo(FeedPosition.snapshot(12));
  }

  @Test
  void anAppliedIndexHeartbeatAloneLeavesThePositionWhereItIs() {
    WatchResponse heartbeat = WatchResponse.newBuilder().setAppliedIndex(50).build();
    assertThat(FeedPosition.after(7, 2).advancedBy(heartbeat)).isEqualTo(FeedPosition.after(7, 2));
    assertThat(FeedPosition.oldest().advancedBy(heartbeat)).isEqualTo(FeedPosition.oldest());
  }

  @Test
  void everyPositionRoundTripsThroughItsWatchRequest() {
    for (FeedPosition p : new FeedPosition[] {FeedPosition.after(5, 0), FeedPosition.after(5, 9),
        FeedPosition.afterEntry(9), FeedPosition.afterEntry(0), FeedPosition.oldest(), FeedPosition.snapshot(0),
        FeedPosition.after(8, FeedPosition.ENTRY_END - 1)}) {
      assertThat(FeedPosition.fromRequest(p.resume().build())).isEqualTo(p);
    }
  }

  @Test
  void oldStyleRequestsNameTheFirstChangeWantedAndMeanTheSameAsBefore() {
    assertThat(FeedPosition.fromRequest(WatchRequest.newBuilder().setFromIndex(7).build()))
        .isEqualTo(FeedPosition.afterEntry(6));
    FeedPosition mid = FeedPosition.fromRequest(WatchRequest.newBuilder().setFromIndex(7).setFromSubSequence(3).build());
    assertThat(mid).isEqualTo(FeedPosition.after(7, 2));
    assertThat(mid.nextIndex()).isEqualTo(7);
    assertThat(mid.nextSubSequence()).isEqualTo(3);
    // from_index 0 is the oldest change held, whatever sub-sequence comes with it.
    assertThat(FeedPosition.fromRequest(WatchRequest.newBuilder().setFromSubSequence(5).build()))
        .isEqualTo(FeedPosition.oldest());
    // initial_snapshot ignores from_index.
    assertThat(FeedPosition.fromRequest(WatchRequest.newBuilder().setInitialSnapshot(true).setFromIndex(9).build()))
        .isEqualTo(FeedPosition.snapshot(0));
  }

  @Test
  void aSubSequencePast2To31OnTheWireLiesAfterTheWholeEntry() {
    WatchRequest r = WatchRequest.newBuilder().setFromIndex(7).setFromSubSequence(-1).build();
    assertThat(FeedPosition.fromRequest(r)).isEqualTo(FeedPosition.afterEntry(7));
  }

  @Test
  void aFromIndexPast2To63IsRefusedNamingItUnsigned() {
    WatchRequest r = WatchRequest.newBuilder().setFromIndex(-2).build();
    assertThatThrownBy(() -> FeedPosition.fromRequest(r)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from_index 18446744073709551614 is too large");
  }
}
