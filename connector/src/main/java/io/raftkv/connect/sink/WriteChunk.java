package io.raftkv.connect.sink;

import io.raftkv.api.Op;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The records that go to RaftKV in one atomic write, and the highest offset they hold per partition (which
 * the same write stores).
 */
public record WriteChunk(List<Op> dataOps, Map<TopicPartition, Long> highestOffsets) {
  public WriteChunk {
    dataOps = List.copyOf(dataOps);
    highestOffsets = Map.copyOf(highestOffsets);
  }
}
