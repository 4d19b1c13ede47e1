package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteRequest;
import io.raftkv.connect.config.WriteLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class WritePlannerTest {
  private static final TopicPartition A = new TopicPartition("a", 0);
  private static final TopicPartition B = new TopicPartition("b", 3);
  private static final OffsetStore STORE = new OffsetStore("sink");

  private static WritePlanner planner(int maxOps, int maxBytes) {
    return new WritePlanner(new WriteLimits(4096, 1 << 20, maxOps, maxBytes),
        tp -> WritePlanner.bytesInRequest(STORE.advance(tp, Long.MAX_VALUE, Long.MAX_VALUE)));
  }

  private static RecordOp put(TopicPartition tp, long offset, int valueBytes) {
    return new RecordOp(tp, offset, Op.newBuilder().setPut(PutOp.newBuilder()
        .setKey(ByteString.copyFromUtf8("k" + offset)).setValue(ByteString.copyFrom(new byte[valueBytes]))).build());
  }

  /** The request a chunk becomes, as the task sends it. */
  private static WriteRequest request(WriteChunk chunk) {
    WriteRequest.Builder b = WriteRequest.newBuilder().setClientId(Long.MAX_VALUE).setSequence(Long.MAX_VALUE)
        .setAcknowledgedSequence(Long.MAX_VALUE).addAllOps(chunk.dataOps());
    chunk.highestOffsets().forEach((tp, offset) -> b.addOps(STORE.advance(tp, Long.MAX_VALUE, offset)));
    return b.build();
  }

  @Test
  void batchWithinTheLimitsIsOneWriteCarryingTheHighestOffsetOfEachPartition() {
    List<WriteChunk> chunks = planner(10_000, 8 << 20).plan(List.of(put(A, 5, 10), put(B, 9, 10), put(A, 6, 10)));
    assertThat(chunks).singleElement().satisfies(c -> {
      assertThat(c.dataOps()).hasSize(3);
      assertThat(c.highestOffsets()).isEqualTo(Map.of(A, 6L, B, 9L));
    });
  }

  @Test
  void operationLimitCountsTheOffsetOperationOfEachPartition() {
    List<RecordOp> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(put(i % 2 == 0 ? A : B, i, 1));
    }
    List<WriteChunk> chunks = planner(5, 8 << 20).plan(records);
    for (WriteChunk c : chunks) {
      assertThat(c.dataOps().size() + c.highestOffsets().size()).isLessThanOrEqualTo(5);
    }
    assertThat(chunks.stream().mapToInt(c -> c.dataOps().size()).sum()).isEqualTo(10);
    assertThat(chunks.get(0).dataOps()).hasSize(3);
    assertThat(chunks.get(0).highestOffsets()).isEqualTo(Map.of(A, 2L, B, 1L));
    assertThat(chunks.get(chunks.size() - 1).highestOffsets()).containsEntry(B, 9L);
  }

  @Test
  void byteLimitSplitsTheBatchAndEveryRequestFitsIt() {
    int maxBytes = 10_000;
    List<RecordOp> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(put(i % 3 == 0 ? A : B, i, 900));
    }
    List<WriteChunk> chunks = planner(10_000, maxBytes).plan(records);
    assertThat(chunks).hasSizeGreaterThan(3);
    for (WriteChunk c : chunks) {
      assertThat(request(c).getSerializedSize()).isLessThanOrEqualTo(maxBytes);
    }
    List<Op> all = chunks.stream().flatMap(c -> c.dataOps().stream()).toList();
    assertThat(all).containsExactlyElementsOf(records.stream().map(RecordOp::op).toList());
  }

  @Test
  void skippedBadRecordAdvancesTheOffsetWithoutAnOperation() {
    List<WriteChunk> chunks = planner(10_000, 8 << 20).plan(List.of(put(A, 1, 1), new RecordOp(A, 2, null)));
    assertThat(chunks).singleElement().satisfies(c -> {
      assertThat(c.dataOps()).hasSize(1);
      assertThat(c.highestOffsets()).isEqualTo(Map.of(A, 2L));
    });
    assertThat(planner(10_000, 8 << 20).plan(List.of(new RecordOp(B, 7, null)))).singleElement()
        .satisfies(c -> assertThat(c.highestOffsets()).isEqualTo(Map.of(B, 7L)));
  }
}
