package io.raftkv.connect.sink;

import com.google.protobuf.CodedOutputStream;
import io.raftkv.api.Op;
import io.raftkv.api.WriteRequest;
import io.raftkv.connect.config.WriteLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Splits a batch of record operations into as few writes as the limits allow (operations and bytes per
 * write, counting the offset operation each partition adds), keeping the batch's order.
 */
public final class WritePlanner {
  private final WriteLimits limits;
  private final ToIntFunction<TopicPartition> offsetOpBytes;

  /**
   * @param offsetOpBytes the most bytes the offset operation of a partition takes in a write request
   */
  public WritePlanner(WriteLimits limits, ToIntFunction<TopicPartition> offsetOpBytes) {
    this.limits = limits;
    this.offsetOpBytes = offsetOpBytes;
  }

  /** Bytes {@code op} takes inside a write request. */
  public static int bytesInRequest(Op op) {
    return CodedOutputStream.computeMessageSize(WriteRequest.OPS_FIELD_NUMBER, op);
  }

  public List<WriteChunk> plan(List<RecordOp> records) {
    List<WriteChunk> chunks = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    Map<TopicPartition, Long> highest = new LinkedHashMap<>();
    long bytes = WriteLimits.REQUEST_OVERHEAD_BYTES;
    for (RecordOp r : records) {
      int opBytes = r.op() == null ? 0 : bytesInRequest(r.op());
      int partitionBytes = highest.containsKey(r.partition()) ? 0 : offsetOpBytes.applyAsInt(r.partition());
      int opCount = ops.size() + highest.size() + (r.op() == null ? 0 : 1) + (partitionBytes == 0 ? 0 : 1);
      boolean empty = highest.isEmpty();
      if (!empty && (opCount > limits.maxOpsPerWrite() || bytes + opBytes + partitionBytes > limits.maxWriteBytes())) {
        chunks.add(new WriteChunk(ops, highest));
        ops = new ArrayList<>();
        highest = new LinkedHashMap<>();
        bytes = WriteLimits.REQUEST_OVERHEAD_BYTES;
        partitionBytes = offsetOpBytes.applyAsInt(r.partition());
      }
      if (r.op() != null) {
        ops.add(r.op());
        bytes += opBytes;
      }
      bytes += partitionBytes;
      highest.merge(r.partition(), r.offset(), Math::max);
    }
    if (!highest.isEmpty()) {
      chunks.add(new WriteChunk(ops, highest));
    }
    return chunks;
  }
}
