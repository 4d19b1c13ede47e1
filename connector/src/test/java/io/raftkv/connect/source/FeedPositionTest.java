package io.raftkv.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.WatchRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedPositionTest {
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
  void offsetsRoundTripWhateverIntegralTypeTheOffsetStoreGivesBack() {
    for (FeedPosition p : new FeedPosition[] {FeedPosition.after(5, 0), FeedPosition.afterEntry(9),
        FeedPosition.snapshot(12)}) {
      assertThat(FeedPosition.fromOffset(p.toOffset())).isEqualTo(p);
    }
    assertThat(FeedPosition.after(5, 2).toOffset()).isEqualTo(Map.of("index", 5L, "sub", 2L));
    assertThat(FeedPosition.snapshot(12).toOffset()).isEqualTo(Map.of("snapshot", true, "index", 12L));
    assertThat(FeedPosition.fromOffset(Map.of("index", 5, "sub", 2))).isEqualTo(FeedPosition.after(5, 2));
    assertThat(FeedPosition.fromOffset(Map.of("index", 5L, "sub", 2L, "snapshot", false)))
        .isEqualTo(FeedPosition.after(5, 2));
  }

  @Test
  void malformedOffsetsAreRefusedNamingTheProblemAndTheShapeOfAGoodOne() {
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("sub", 0)))
        .hasMessageContaining("it has no 'index'").hasMessageContaining("An offset is {\"index\": I, \"sub\": S}");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("index", 1.5, "sub", 0)))
        .hasMessageContaining("'index' is 1.5, not a whole number");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("index", 0, "sub", 0)))
        .hasMessageContaining("'index' is 0, outside 1..");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("index", 3, "sub", -1)))
        .hasMessageContaining("'sub' is -1, outside 0..2147483647");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("index", 3, "sub", 1L << 40)))
        .hasMessageContaining("outside 0..2147483647");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("index", 3)))
        .hasMessageContaining("it has no 'sub'");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("snapshot", "yes", "index", 3)))
        .hasMessageContaining("'snapshot' is yes, not true or false");
    assertThatThrownBy(() -> FeedPosition.fromOffset(Map.of("snapshot", true, "index", 3, "sub", 1)))
        .hasMessageContaining("the unknown field 'sub'");
  }

  @Test
  void sourcePartitionNamesOneCluster() {
    assertThat(SourcePartition.clusterOf(SourcePartition.of("prod"))).isEqualTo("prod");
    assertThatThrownBy(() -> SourcePartition.clusterOf(Map.of("cluster", "a", "x", 1)))
        .hasMessageContaining("it must be {\"cluster\": \"<cluster name>\"}");
    assertThatThrownBy(() -> SourcePartition.clusterOf(Map.of("cluster", 7)))
        .hasMessageContaining("is not a RaftKV one");
  }
}
