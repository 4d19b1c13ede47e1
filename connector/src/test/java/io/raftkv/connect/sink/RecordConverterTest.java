package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.Op;
import io.raftkv.connect.config.KeyPrefixes;
import io.raftkv.connect.config.WriteLimits;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class RecordConverterTest {
  private final RecordConverter converter = new RecordConverter(KeyPrefixes.parse("${topic}/", List.of()),
      new WriteLimits(20, 10, 100, 1 << 20), new RecordEncoder());

  private static SinkRecord record(Object key, Object value) {
    return new SinkRecord("t", 2, null, key, null, value, 41);
  }

  @Test
  void recordBecomesAPutOfPrefixedKeyAndValue() {
    Op op = converter.convert(record("k", "v"));
    assertThat(op.getPut().getKey().toStringUtf8()).isEqualTo("t/k");
    assertThat(op.getPut().getValue().toStringUtf8()).isEqualTo("v");
  }

  @Test
  void tombstoneBecomesADelete() {
    assertThat(converter.convert(record("k", null)).getDelete().getKey().toStringUtf8()).isEqualTo("t/k");
  }

  @Test
  void recordWithoutKeyIsBadNamingTopicPartitionAndOffset() {
    assertThatThrownBy(() -> converter.convert(record(null, "v"))).isInstanceOf(BadRecordException.class)
        .hasMessage("record topic 't' partition 2 offset 41 cannot be written to RaftKV: it has no key "
            + "(RaftKV keys come from record keys)");
  }

  @Test
  void keyOrValueOverTheLimitIsBad() {
    assertThatThrownBy(() -> converter.convert(record("k".repeat(19), "v")))
        .hasMessageEndingWith("its key is 21 bytes with the prefix; at most 20 are allowed");
    assertThatThrownBy(() -> converter.convert(record("k", "v".repeat(11))))
        .hasMessageEndingWith("its value is 11 bytes; at most 10 are allowed");
  }

  @Test
  void keyInTheReservedNamespaceIsBad() {
    RecordConverter unprefixed = new RecordConverter(KeyPrefixes.parse("", List.of()),
        WriteLimits.SERVER_DEFAULTS, new RecordEncoder());
    assertThatThrownBy(() -> unprefixed.convert(record("__raftkv/connect/sink/x/t/0", "v")))
        .hasMessageEndingWith("its key starts with __raftkv/, which is reserved for the connectors' own state");
  }

  @Test
  void unconvertibleValueIsBadWithTheConvertersReason() {
    Schema schema = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).build();
    Struct struct = new Struct(schema).put("a", 1);
    // A struct inside a schemaless map cannot be written as JSON without its schema.
    assertThatThrownBy(() -> converter.convert(record("k", Map.of("s", struct))))
        .isInstanceOf(BadRecordException.class)
        .hasMessageStartingWith("record topic 't' partition 2 offset 41 cannot be written to RaftKV: its value "
            + "cannot be converted: ");
  }

  @Test
  void transformedRecordNamesItsOriginalTopicAndItsPrefixFollowsTheNewTopic() {
    SinkRecord original = new SinkRecord("orig", 0, null, null, null, "v", 7);
    SinkRecord renamed = original.newRecord("renamed", 0, null, null, null, "v", null);
    assertThatThrownBy(() -> converter.convert(renamed))
        .hasMessageStartingWith("record topic 'orig' partition 0 offset 7 (topic 'renamed' after transforms)");
    SinkRecord keyed = original.newRecord("renamed", 0, null, "k", null, "v", null);
    assertThat(converter.convert(keyed).getPut().getKey().toStringUtf8()).isEqualTo("renamed/k");
  }
}
