package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log is compacted once enough entries or bytes are past it, keeping the newest applied entries. */
class LogCompactionTest {
  private final LogCompaction compaction = new LogCompaction(100, 1_000, 10);

  @Test
  void nothingIsDueBelowBothThresholds() {
    compaction.appended(List.of(Entry.newBuilder().setIndex(1).setData(ByteString.copyFromUtf8("x")).build()));
    assertThat(compaction.compactionPoint(99, 0)).isZero();
  }

  @Test
  void enoughAppliedEntriesCompactAllButTheNewestKept() {
    assertThat(compaction.compactionPoint(100, 0)).isEqualTo(90);
  }

  @Test
  void enoughAppendedBytesCompactAndStartANewCount() {
    compaction.appended(List.of(Entry.newBuilder().setIndex(1).setData(ByteString.copyFrom(new byte[1_000])).build()));
    assertThat(compaction.compactionPoint(50, 20)).isEqualTo(40);
    assertThat(compaction.compactionPoint(51, 40)).isZero();
  }

  @Test
  void neverCompactsAtOrBehindTheTruncationPoint() {
    compaction.appended(List.of(Entry.newBuilder().setIndex(1).setData(ByteString.copyFrom(new byte[2_000])).build()));
    assertThat(compaction.compactionPoint(15, 5)).isZero();
    assertThat(compaction.compactionPoint(16, 5)).isEqualTo(6);
  }
}
