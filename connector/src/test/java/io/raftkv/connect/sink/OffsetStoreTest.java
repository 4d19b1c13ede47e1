package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Op;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetStoreTest {
  private final OffsetStore store = new OffsetStore("my-sink");
  private final TopicPartition tp = new TopicPartition("orders", 12);

  @Test
  void offsetIsKeptUnderTheConnectorTopicAndPartitionAsEightBytesBigEndian() {
    assertThat(store.key(tp).toStringUtf8()).isEqualTo("__raftkv/connect/sink/my-sink/orders/12");
    assertThat(OffsetStore.encode(0x0102030405060708L).toByteArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    KeyValue kv = KeyValue.newBuilder().setKey(store.key(tp)).setValue(OffsetStore.encode(1234)).build();
    assertThat(OffsetStore.decode(kv)).isEqualTo(1234);
  }

  @Test
  void valueThatIsNotEightBytesIsRefusedNamingTheKey() {
    KeyValue kv = KeyValue.newBuilder().setKey(store.key(tp)).setValue(ByteString.copyFromUtf8("12")).build();
    assertThatThrownBy(() -> OffsetStore.decode(kv)).hasMessage("stored offset "
        + "__raftkv/connect/sink/my-sink/orders/12 holds 2 bytes, not an 8-byte offset: it was not written by this sink");
  }

  @Test
  void advanceExpectsThePreviousOffsetOrAnAbsentKey() {
    Op first = store.advance(tp, OffsetStore.NONE, 9);
    assertThat(first.getCas().getExpectedVersion()).isZero();
    assertThat(first.getCas().hasExpectedValue()).isFalse();
    Op next = store.advance(tp, 9, 20);
    assertThat(next.getCas().getExpectedValue()).isEqualTo(OffsetStore.encode(9));
    assertThat(next.getCas().getNewValue()).isEqualTo(OffsetStore.encode(20));
  }
}
