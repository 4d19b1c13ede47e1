package io.raftkv.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.FeedPosition;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The source offset encoding of a feed position, which stored offsets depend on. */
class SourceOffsetTest {
  @Test
  void offsetsRoundTripWhateverIntegralTypeTheOffsetStoreGivesBack() {
    for (FeedPosition p : new FeedPosition[] {FeedPosition.after(5, 0), FeedPosition.afterEntry(9),
        FeedPosition.snapshot(12)}) {
      assertThat(SourceOffset.toPosition(SourceOffset.of(p))).isEqualTo(p);
    }
    assertThat(SourceOffset.of(FeedPosition.after(5, 2))).isEqualTo(Map.of("index", 5L, "sub", 2L));
    assertThat(SourceOffset.of(FeedPosition.snapshot(12))).isEqualTo(Map.of("snapshot", true, "index", 12L));
    assertThat(SourceOffset.toPosition(Map.of("index", 5, "sub", 2))).isEqualTo(FeedPosition.after(5, 2));
    assertThat(SourceOffset.toPosition(Map.of("index", 5L, "sub", 2L, "snapshot", false)))
        .isEqualTo(FeedPosition.after(5, 2));
  }

  @Test
  void malformedOffsetsAreRefusedNamingTheProblemAndTheShapeOfAGoodOne() {
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("sub", 0)))
        .hasMessageContaining("it has no 'index'").hasMessageContaining("An offset is {\"index\": I, \"sub\": S}");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("index", 1.5, "sub", 0)))
        .hasMessageContaining("'index' is 1.5, not a whole number");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("index", 0, "sub", 0)))
        .hasMessageContaining("'index' is 0, outside 1..");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("index", 3, "sub", -1)))
        .hasMessageContaining("'sub' is -1, outside 0..2147483647");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("index", 3, "sub", 1L << 40)))
        .hasMessageContaining("outside 0..2147483647");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("index", 3)))
        .hasMessageContaining("it has no 'sub'");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("snapshot", "yes", "index", 3)))
        .hasMessageContaining("'snapshot' is yes, not true or false");
    assertThatThrownBy(() -> SourceOffset.toPosition(Map.of("snapshot", true, "index", 3, "sub", 1)))
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
