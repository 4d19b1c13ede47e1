package io.raftkv.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.KeyValue;
import io.raftkv.connect.config.ByteFormat;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class ChangeRecordFactoryTest {
  private static final long NOW = 1_700_000_000_000L;

  private static ChangeRecordFactory factory(ByteFormat keys, ByteFormat values, boolean tombstones) {
    return new ChangeRecordFactory(new ChangeRecordFactory.Settings(EnvelopeSchemas.build("prod-1", keys, values),
        keys, values, "events", "my-source", "prod-1", tombstones), () -> NOW);
  }

  private static KeyValue kv(String key, String value, long version, long created) {
    return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))
        .setVersion(version).setCreateVersion(created).build();
  }

  private static ChangeEvent.Builder event(ChangeEvent.Op op, long index, int sub) {
    return ChangeEvent.newBuilder().setOp(op).setIndex(index).setSubSequence(sub).setKey(ByteString.copyFromUtf8("k"))
        .setTerm(3).setProposedAtMs(NOW - 5);
  }

  @Test
  void updateCarriesBeforeAfterAndTheSourceOfTheChange() {
    ChangeEvent e = event(ChangeEvent.Op.UPDATE, 12, 1).setBefore(kv("k", "old", 7, 7)).setAfter(kv("k", "new", 12, 7))
        .build();
    List<SourceRecord> records = factory(ByteFormat.STRING, ByteFormat.STRING, true).records(
        new FeedItem(e, FeedPosition.after(12, 1), SnapshotMarker.FALSE));
    assertThat(records).hasSize(1);
    SourceRecord r = records.get(0);
    assertThat(r.topic()).isEqualTo("events");
    assertThat(r.kafkaPartition()).isNull();
    assertThat(r.key()).isEqualTo("k");
    assertThat(r.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
    assertThat(r.sourcePartition()).isEqualTo(java.util.Map.of("cluster", "prod-1"));
    assertThat(r.sourceOffset()).isEqualTo(java.util.Map.of("index", 12L, "sub", 1L));
    assertThat(r.timestamp()).isEqualTo(NOW - 5);
    assertThat(r.valueSchema().name()).isEqualTo("io.raftkv.prod_1.Envelope");
    Struct v = (Struct) r.value();
    v.validate();
    assertThat(v.getString("op")).isEqualTo("u");
    assertThat(v.getInt64("ts_ms")).isEqualTo(NOW);
    assertThat(v.getStruct("before").getString("value")).isEqualTo("old");
    assertThat(v.getStruct("after").getString("value")).isEqualTo("new");
    assertThat(v.getStruct("after").getInt64("create_version")).isEqualTo(7);
    Struct source = v.getStruct("source");
    assertThat(source.getString("connector")).isEqualTo("raftkv");
    assertThat(source.getString("name")).isEqualTo("my-source");
    assertThat(source.getString("cluster")).isEqualTo("prod-1");
    assertThat(source.getInt64("index")).isEqualTo(12);
    assertThat(source.getInt32("sub_sequence")).isEqualTo(1);
    assertThat(source.getInt64("term")).isEqualTo(3);
    assertThat(source.getInt64("ts_ms")).isEqualTo(NOW - 5);
    assertThat(source.getInt64("key_version")).isEqualTo(12);
    assertThat(source.getString("snapshot")).isEqualTo("false");
  }

  @Test
  void aChangeWhoseBeforeValueTheServerLeftOutHasANullBeforeAndKeepsItsKeyVersion() {
    // Past the server's per-entry budget, before keeps key and versions but not the value (before_omitted).
    KeyValue versionsOnly = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k")).setVersion(15)
        .setCreateVersion(9).build();
    ChangeEvent e = event(ChangeEvent.Op.DELETE, 20, 3).setBefore(versionsOnly).setBeforeOmitted(true).build();
    List<SourceRecord> records = factory(ByteFormat.STRING, ByteFormat.STRING, false).records(
        new FeedItem(e, FeedPosition.after(20, 3), SnapshotMarker.FALSE));
    Struct v = (Struct) records.get(0).value();
    v.validate();
    assertThat(v.getString("op")).isEqualTo("d");
    assertThat(v.getStruct("before")).isNull(); // not a row with an empty value that never was
    assertThat(v.getStruct("source").getInt64("key_version")).isEqualTo(15);
  }

  @Test
  void deleteIsFollowedByATombstoneWithTheSameKeyAndOffsetUnlessTurnedOff() {
    ChangeEvent e = event(ChangeEvent.Op.DELETE, 20, 0).setBefore(kv("k", "v", 15, 9)).build();
    FeedItem item = new FeedItem(e, FeedPosition.after(20, 0), SnapshotMarker.FALSE);
    List<SourceRecord> records = factory(ByteFormat.STRING, ByteFormat.STRING, true).records(item);
    assertThat(records).hasSize(2);
    Struct delete = (Struct) records.get(0).value();
    assertThat(delete.getString("op")).isEqualTo("d");
    assertThat(delete.getStruct("after")).isNull();
    assertThat(delete.getStruct("source").getInt64("key_version")).isEqualTo(15);
    SourceRecord tombstone = records.get(1);
    assertThat(tombstone.key()).isEqualTo("k");
    assertThat(tombstone.value()).isNull();
    assertThat(tombstone.valueSchema()).isNull();
    assertThat(tombstone.sourceOffset()).isEqualTo(records.get(0).sourceOffset());
    assertThat(factory(ByteFormat.STRING, ByteFormat.STRING, false).records(item)).hasSize(1);
  }

  @Test
  void snapshotRowIsAReadStampedWithItsMarkerAndReadTime() {
    ChangeEvent e = ChangeEvent.newBuilder().setOp(ChangeEvent.Op.READ).setIndex(30).setKey(ByteString.copyFromUtf8("k"))
        .setAfter(kv("k", "v", 4, 2)).build();
    SourceRecord r = factory(ByteFormat.STRING, ByteFormat.STRING, true).records(
        new FeedItem(e, FeedPosition.afterEntry(30), SnapshotMarker.LAST)).get(0);
    Struct v = (Struct) r.value();
    assertThat(v.getString("op")).isEqualTo("r");
    assertThat(v.getStruct("source").getString("snapshot")).isEqualTo("last");
    assertThat(v.getStruct("source").getInt64("ts_ms")).isEqualTo(NOW);
    assertThat(v.getStruct("source").getInt64("key_version")).isEqualTo(4);
    assertThat(r.timestamp()).isNull();
    assertThat(r.sourceOffset()).isEqualTo(java.util.Map.of("index", 30L, "sub", (long) Integer.MAX_VALUE));
  }

  @Test
  void bytesFormatKeepsBytesThatAreNotText() {
    byte[] raw = {(byte) 0xff, 0x00};
    ChangeEvent e = event(ChangeEvent.Op.CREATE, 5, 0).setKey(ByteString.copyFrom(raw))
        .setAfter(KeyValue.newBuilder().setKey(ByteString.copyFrom(raw)).setValue(ByteString.copyFrom(raw))
            .setVersion(5).setCreateVersion(5)).build();
    SourceRecord r = factory(ByteFormat.BYTES, ByteFormat.BYTES, true).records(
        new FeedItem(e, FeedPosition.after(5, 0), SnapshotMarker.FALSE)).get(0);
    assertThat(r.keySchema()).isEqualTo(Schema.BYTES_SCHEMA);
    assertThat((byte[]) r.key()).isEqualTo(raw);
    assertThat(((Struct) r.value()).getStruct("after").getBytes("value")).isEqualTo(raw);
  }

  @Test
  void keyThatIsNotTextUnderStringFormatNamesTheChangeAndTheFix() {
    ChangeEvent e = event(ChangeEvent.Op.CREATE, 5, 2).setKey(ByteString.copyFrom(new byte[] {(byte) 0xff}))
        .setAfter(kv("x", "v", 5, 5)).build();
    assertThatThrownBy(() -> factory(ByteFormat.STRING, ByteFormat.STRING, true).records(
        new FeedItem(e, FeedPosition.after(5, 2), SnapshotMarker.FALSE)))
        .isInstanceOf(ConnectException.class)
        .hasMessage("the key of the change at index 5 sub-sequence 2 is not UTF-8 text (hex ff), so raftkv.key.format="
            + "string cannot give it: set raftkv.key.format=bytes, or narrow raftkv.key.prefix to keys that hold text");
  }

  @Test
  void textHoldingTheReplacementCharacterItselfIsStillText() {
    ChangeEvent e = event(ChangeEvent.Op.CREATE, 5, 0).setAfter(kv("k", "a\uFFFDb", 5, 5)).build();
    Struct v = (Struct) factory(ByteFormat.STRING, ByteFormat.STRING, true).records(
        new FeedItem(e, FeedPosition.after(5, 0), SnapshotMarker.FALSE)).get(0).value();
    assertThat(v.getStruct("after").getString("value")).isEqualTo("a\uFFFDb");
  }

  @Test
  void schemaNameKeepsOnlyCharactersASchemaNameMayHold() {
    assertThat(EnvelopeSchemas.schemaNamePart("prod.eu-1")).isEqualTo("prod_eu_1");
    assertThat(EnvelopeSchemas.schemaNamePart("1st")).isEqualTo("_1st");
    assertThat(EnvelopeSchemas.build("a b", ByteFormat.STRING, ByteFormat.BYTES).envelope().name())
        .isEqualTo("io.raftkv.a_b.Envelope");
  }
}
