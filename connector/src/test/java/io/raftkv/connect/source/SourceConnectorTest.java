package io.raftkv.connect.source;

import static io.raftkv.connect.testing.SourceTestEnvironment.json;
import static io.raftkv.connect.testing.SourceTestEnvironment.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.connect.testing.SinkTestEnvironment;
import io.raftkv.connect.testing.SourceTestEnvironment;
import io.raftkv.server.feed.FeedRetention;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the source emits, read back from Kafka by a read_committed consumer: change events in feed order with
 * the right before/after/op, tombstones, snapshot rows, the start positions and the key filters.
 */
class SourceConnectorTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path root;
  static SourceTestEnvironment env;

  @BeforeAll
  static void start() throws InterruptedException {
    env = SourceTestEnvironment.start(root, "source-delivery");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** Writes key=value; returns the log index it applied at. */
  private static long put(String key, String value) {
    return env.raftkv.client().put(b(key), b(value)).getIndex();
  }

  private static long delete(String key) {
    return env.raftkv.client().delete(b(key)).getIndex();
  }

  private static Op putOp(String key, String value) {
    return Op.newBuilder().setPut(PutOp.newBuilder().setKey(b(key)).setValue(b(value))).build();
  }

  /** The summaries of the first {@code count} records of {@code topic}, once there are that many. */
  private static List<String> summaries(String topic, int count) {
    return env.readCommitted(topic, count, WAIT).stream().map(SourceTestEnvironment::summary).toList();
  }

  /** A config that reads the changes under {@code prefix} from log index {@code from} on. */
  private static Map<String, String> fromIndex(String topic, String prefix, long from) {
    Map<String, String> config = env.sourceConfig(topic, prefix);
    config.put("raftkv.start", "index");
    config.put("raftkv.start.index", String.valueOf(from));
    return config;
  }

  @Test
  void changesAppearInOrderWithBeforeAfterOpAndATombstoneAfterEachDelete() throws Exception {
    env.connect.kafka().createTopic("changes", 1);
    long first = put("changes/a", "1");
    put("changes/a", "2");
    put("other/a", "not under the prefix");
    long deleted = delete("changes/a");
    long batch = env.raftkv.client().write(List.of(putOp("changes/b", "x"), putOp("changes/c", "y"))).getIndex();
    put("changes/b", "z");
    env.startConnector("changes-source", fromIndex("changes", "changes/", first));

    List<ConsumerRecord<byte[], byte[]>> records = env.readCommitted("changes", 7, WAIT);
    assertThat(records.stream().map(SourceTestEnvironment::summary)).containsExactly(
        "c changes/a=1", "u changes/a=2 (was 1)", "d changes/a (was 2)", "tombstone changes/a", "c changes/b=x",
        "c changes/c=y", "u changes/b=z (was x)");

    JsonNode created = json(records.get(0).value());
    assertThat(created.get("before").isNull()).isTrue();
    assertThat(created.get("after").get("key").asText()).isEqualTo("changes/a");
    assertThat(created.get("after").get("version").asLong()).isEqualTo(first);
    assertThat(created.get("after").get("create_version").asLong()).isEqualTo(first);
    JsonNode source = created.get("source");
    assertThat(source.get("connector").asText()).isEqualTo("raftkv");
    assertThat(source.get("name").asText()).isEqualTo("changes-source");
    assertThat(source.get("cluster").asText()).isEqualTo("connect-test");
    assertThat(source.get("version").asText()).isEqualTo(System.getProperty("raftkv.connect.version"));
    assertThat(source.get("snapshot").asText()).isEqualTo("false");
    assertThat(source.get("index").asLong()).isEqualTo(first);
    assertThat(source.get("sub_sequence").asInt()).isZero();
    assertThat(source.get("term").asLong()).isPositive();
    assertThat(source.get("key_version").asLong()).isEqualTo(first);
    assertThat(source.get("ts_ms").asLong()).isBetween(System.currentTimeMillis() - 120_000,
        System.currentTimeMillis());
    assertThat(created.get("ts_ms").asLong()).isGreaterThanOrEqualTo(source.get("ts_ms").asLong());
    assertThat(records.get(0).timestamp()).isEqualTo(source.get("ts_ms").asLong());

    JsonNode delete = json(records.get(2).value());
    assertThat(delete.get("after").isNull()).isTrue();
    assertThat(delete.get("before").get("create_version").asLong()).isEqualTo(first);
    assertThat(delete.get("source").get("index").asLong()).isEqualTo(deleted);
    assertThat(delete.get("source").get("key_version").asLong()).as("the version deleted").isEqualTo(first + 1);
    assertThat(SourceTestEnvironment.text(records.get(3).key())).isEqualTo("changes/a");

    JsonNode b = json(records.get(4).value());
    JsonNode c = json(records.get(5).value());
    assertThat(b.get("source").get("index").asLong()).isEqualTo(batch);
    assertThat(c.get("source").get("index").asLong()).isEqualTo(batch);
    assertThat(b.get("source").get("sub_sequence").asInt()).isZero();
    assertThat(c.get("source").get("sub_sequence").asInt()).isEqualTo(1);

    long last = json(records.get(6).value()).get("source").get("index").asLong();
    SinkTestEnvironment.await(WAIT, "the offset of the last change committed", () -> offsetOf("changes-source")
        .equals(Map.of("index", last, "sub", 0L)));
    env.connect.deleteConnector("changes-source");
  }

  /** The connector's committed source offset for the test cluster, as the REST API shows it. */
  private static Map<String, Object> offsetOf(String connector) {
    var offsets = env.connect.connectorOffsets(connector).offsets();
    if (offsets.isEmpty()) {
      return Map.of();
    }
    assertThat(offsets).hasSize(1);
    assertThat(offsets.get(0).partition()).isEqualTo(Map.of("cluster", "connect-test"));
    Map<String, Object> out = new java.util.HashMap<>();
    offsets.get(0).offset().forEach((k, v) -> out.put(k, v instanceof Number n ? n.longValue() : v));
    return out;
  }

  @Test
  void snapshotEmitsExistingKeysAsReadRowsThenStreamsTheChangesAfterIt() throws Exception {
    env.connect.kafka().createTopic("snap", 1);
    List<Long> versions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      versions.add(put("snap/k" + i, "v" + i));
    }
    delete("snap/k4");
    put("snap/k0", "v0b");
    put("snapx/outside", "x");
    env.startConnector("snap-source", env.sourceConfig("snap", "snap/"));

    List<ConsumerRecord<byte[], byte[]>> rows = env.readCommitted("snap", 4, WAIT);
    assertThat(rows.stream().map(SourceTestEnvironment::summary)).containsExactly("r snap/k0=v0b", "r snap/k1=v1",
        "r snap/k2=v2", "r snap/k3=v3");
    List<String> markers = rows.stream().map(r -> json(r.value()).get("source").get("snapshot").asText()).toList();
    assertThat(markers).containsExactly("true", "true", "true", "last");
    long snapshotIndex = json(rows.get(0).value()).get("source").get("index").asLong();
    for (ConsumerRecord<byte[], byte[]> r : rows) {
      JsonNode v = json(r.value());
      assertThat(v.get("source").get("index").asLong()).isEqualTo(snapshotIndex);
      assertThat(v.get("source").get("key_version").asLong()).isEqualTo(v.get("after").get("version").asLong())
          .isLessThanOrEqualTo(snapshotIndex);
      assertThat(v.get("before").isNull()).isTrue();
      assertThat(r.timestamp()).as("a row's Kafka timestamp is when it was read").isPositive();
    }
    assertThat(json(rows.get(1).value()).get("after").get("version").asLong()).isEqualTo(versions.get(1));
    SinkTestEnvironment.await(WAIT, "the snapshot's end committed as the offset", () -> offsetOf("snap-source")
        .equals(Map.of("index", snapshotIndex, "sub", (long) FeedPosition.ENTRY_END)));

    put("snap/k5", "v5");
    delete("snap/k1");
    assertThat(summaries("snap", 7).subList(4, 7)).containsExactly("c snap/k5=v5", "d snap/k1 (was v1)",
        "tombstone snap/k1");
    env.connect.deleteConnector("snap-source");
  }

  @Test
  void startNowSkipsTheChangesMadeBeforeTheTaskStarted() throws Exception {
    env.connect.kafka().createTopic("now", 1);
    put("now/old", "1");
    put("now/old", "2");
    Map<String, String> config = env.sourceConfig("now", "now/");
    config.put("raftkv.start", "now");
    env.startConnector("now-source", config);
    // The task reads the applied index at its first poll: write markers until one comes through.
    int marker = 0;
    while (env.readCommitted("now", 1, Duration.ofMillis(500)).isEmpty()) {
      assertThat(marker).as("markers written before the source streamed").isLessThan(60);
      put("now/marker", "m" + marker++);
    }
    put("now/new", "1");
    delete("now/old");
    List<String> all = summaries("now", 3);
    List<String> afterMarkers = all.stream().filter(s -> !s.contains("now/marker")).toList();
    assertThat(afterMarkers).containsExactly("c now/new=1", "d now/old (was 2)", "tombstone now/old");
    env.connect.deleteConnector("now-source");
  }

  @Test
  void keyPrefixFilterKeepsOtherKeysOutAndInternalKeysAreSkippedUnlessIncluded() throws Exception {
    for (String topic : List.of("flt-prefix", "flt-all", "flt-internal")) {
      env.connect.kafka().createTopic(topic, 1);
    }
    long from = put("flt/a", "1");
    put("fltx/b", "2");
    put("__raftkv/flt", "3");
    put("flt/d", "4");
    env.startConnector("flt-prefix-source", fromIndex("flt-prefix", "flt/", from));
    env.startConnector("flt-all-source", fromIndex("flt-all", "", from));
    Map<String, String> internal = fromIndex("flt-internal", "", from);
    internal.put("raftkv.include.internal", "true");
    env.startConnector("flt-internal-source", internal);

    assertThat(summaries("flt-prefix", 2)).containsExactly("c flt/a=1", "c flt/d=4");
    // Later tests' writes may follow: compare the start of the unfiltered streams.
    assertThat(summaries("flt-all", 3).subList(0, 3)).containsExactly("c flt/a=1", "c fltx/b=2", "c flt/d=4");
    assertThat(summaries("flt-internal", 4).subList(0, 4)).containsExactly("c flt/a=1", "c fltx/b=2",
        "c __raftkv/flt=3", "c flt/d=4");
    for (String name : List.of("flt-prefix-source", "flt-all-source", "flt-internal-source")) {
      env.connect.deleteConnector(name);
    }
  }

  @Test
  void bytesFormatGivesKeysAndValuesThatAreNotTextAsBase64() throws Exception {
    env.connect.kafka().createTopic("bin", 1);
    byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
    long from = env.raftkv.client().put(b("bin/k"), ByteString.copyFrom(binary)).getIndex();
    Map<String, String> config = fromIndex("bin", "bin/", from);
    config.put("raftkv.key.format", "bytes");
    config.put("raftkv.value.format", "bytes");
    config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    env.startConnector("bin-source", config);

    ConsumerRecord<byte[], byte[]> record = env.readCommitted("bin", 1, WAIT).get(0);
    assertThat(record.key()).isEqualTo("bin/k".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    JsonNode after = json(record.value()).get("after");
    assertThat(after.get("value").binaryValue()).isEqualTo(binary);
    assertThat(after.get("key").binaryValue()).isEqualTo("bin/k".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    env.connect.deleteConnector("bin-source");
  }

  @Test
  void valueThatIsNotTextUnderStringFormatFailsTheTaskNamingTheChangeAndTheFix() throws Exception {
    long from = env.raftkv.client().put(b("badtext/k"), ByteString.copyFrom(new byte[] {(byte) 0xc3, 0x28}))
        .getIndex();
    env.connect.kafka().createTopic("badtext", 1);
    env.connect.configureConnector("badtext-source", fromIndex("badtext", "badtext/", from));
    String trace = env.awaitTaskFailure("badtext-source", WAIT);
    assertThat(trace).contains("the value of the change at index " + from + " sub-sequence 0 is not UTF-8 text (hex c328)")
        .contains("set raftkv.value.format=bytes");
    env.connect.deleteConnector("badtext-source");
  }

  @Test
  void jsonConverterWithSchemasWritesTheEnvelopeSchemaAndPayload() throws Exception {
    env.connect.kafka().createTopic("json", 1);
    long from = put("json/a", "1");
    delete("json/a");
    Map<String, String> config = fromIndex("json", "json/", from);
    config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("key.converter.schemas.enable", "true");
    config.put("value.converter.schemas.enable", "true");
    env.startConnector("json-source", config);

    List<ConsumerRecord<byte[], byte[]>> records = env.readCommitted("json", 3, WAIT);
    assertThat(records).hasSize(3);
    JsonNode key = json(records.get(0).key());
    assertThat(key.get("schema").get("type").asText()).isEqualTo("string");
    assertThat(key.get("payload").asText()).isEqualTo("json/a");
    JsonNode value = json(records.get(0).value());
    JsonNode schema = value.get("schema");
    assertThat(schema.get("name").asText()).isEqualTo("io.raftkv.connect_test.Envelope");
    assertThat(schema.get("type").asText()).isEqualTo("struct");
    List<String> fields = new ArrayList<>();
    schema.get("fields").forEach(f -> fields.add(f.get("field").asText()));
    assertThat(fields).containsExactly("before", "after", "source", "op", "ts_ms");
    JsonNode before = schema.get("fields").get(0);
    assertThat(before.get("name").asText()).isEqualTo("io.raftkv.connect_test.Value");
    assertThat(before.get("optional").asBoolean()).isTrue();
    List<String> rowFields = new ArrayList<>();
    before.get("fields").forEach(f -> rowFields.add(f.get("field").asText() + ":" + f.get("type").asText()));
    assertThat(rowFields).containsExactly("key:string", "value:string", "version:int64", "create_version:int64");
    JsonNode sourceSchema = schema.get("fields").get(2);
    assertThat(sourceSchema.get("name").asText()).isEqualTo("io.raftkv.connect.Source");
    List<String> sourceFields = new ArrayList<>();
    sourceSchema.get("fields").forEach(f -> sourceFields.add(f.get("field").asText()));
    assertThat(sourceFields).containsExactly("version", "connector", "name", "ts_ms", "snapshot", "cluster",
        "index", "sub_sequence", "term", "key_version");
    JsonNode payload = value.get("payload");
    assertThat(payload.get("op").asText()).isEqualTo("c");
    assertThat(payload.get("after").get("value").asText()).isEqualTo("1");
    assertThat(payload.get("after").get("version").asLong()).isEqualTo(from);
    assertThat(json(records.get(1).value()).get("payload").get("op").asText()).isEqualTo("d");
    assertThat(records.get(2).value()).as("the tombstone after the delete").isNull();
    env.connect.deleteConnector("json-source");
  }

  @Test
  void extractNewRecordStateTurnsEventsIntoTheKeysNewStateAndDeletesIntoTombstones() throws Exception {
    env.connect.kafka().createTopic("flat", 1);
    long created = put("flat/a", "1");
    long updated = put("flat/a", "2");
    delete("flat/a");
    put("flat/b", "3");
    Map<String, String> config = fromIndex("flat", "flat/", created);
    config.put("transforms", "unwrap");
    config.put("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState");
    config.put("transforms.unwrap.add.fields", "op,source.index");
    env.startConnector("flat-source", config);

    List<ConsumerRecord<byte[], byte[]>> records = env.readCommitted("flat", 4, WAIT);
    List<String> flat = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      flat.add(SourceTestEnvironment.text(r.key()) + " -> " + (r.value() == null ? "null" : json(r.value())));
    }
    assertThat(flat).containsExactly(
        "flat/a -> {\"key\":\"flat/a\",\"value\":\"1\",\"version\":" + created + ",\"create_version\":" + created
            + ",\"__op\":\"c\",\"__source_index\":" + created + "}",
        "flat/a -> {\"key\":\"flat/a\",\"value\":\"2\",\"version\":" + updated + ",\"create_version\":" + created
            + ",\"__op\":\"u\",\"__source_index\":" + updated + "}",
        "flat/a -> null",
        "flat/b -> {\"key\":\"flat/b\",\"value\":\"3\",\"version\":" + (updated + 2) + ",\"create_version\":"
            + (updated + 2) + ",\"__op\":\"c\",\"__source_index\":" + (updated + 2) + "}");
    env.connect.deleteConnector("flat-source");
  }

  @Test
  void taskRestartedMidSnapshotTakesTheSnapshotAgainThenStreamsEachChangeOnce() throws Exception {
    env.connect.kafka().createTopic("big", 1);
    int keys = 3000;
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      ops.add(putOp(String.format("big/k%05d", i), "v" + i));
      if (ops.size() == 500) {
        env.raftkv.client().write(ops);
        ops.clear();
      }
    }
    Map<String, String> config = env.sourceConfig("big", "big/");
    config.put("batch.max.events", "10");
    env.startConnector("big-source", config);
    SinkTestEnvironment.await(WAIT, "some snapshot rows committed", () -> env.endOffset("big") >= 100);
    env.connect.restartTask("big-source", 0);
    env.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("big-source", 1, "task did not restart");
    SinkTestEnvironment.await(WAIT, "the snapshot's end committed", () -> offsetOf("big-source").get("sub") != null);
    put("big/new", "1");

    List<ConsumerRecord<byte[], byte[]>> records = env.readCommitted("big", keys + 101, WAIT);
    List<String> markers = records.stream().map(r -> json(r.value()).get("source").get("snapshot").asText()).toList();
    int last = markers.lastIndexOf("last");
    assertThat(markers.indexOf("last")).as("one snapshot ended").isEqualTo(last);
    assertThat(last).as("rows of the cut-off snapshot, then a whole one").isGreaterThanOrEqualTo(keys + 99);
    List<String> wholeSnapshot = records.subList(last + 1 - keys, last + 1).stream()
        .map(SourceTestEnvironment::summary).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      expected.add(String.format("r big/k%05d=v%d", i, i));
    }
    assertThat(wholeSnapshot).containsExactlyElementsOf(expected);
    assertThat(records.subList(last + 1, records.size()).stream().map(SourceTestEnvironment::summary))
        .containsExactly("c big/new=1");
    env.connect.deleteConnector("big-source");
  }

  @Test
  void offsetsSetThroughRestAreCheckedAndTheTaskResumesRightAfterThem() throws Exception {
    env.connect.kafka().createTopic("rest", 1);
    List<Long> indexes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      indexes.add(put("rest/k" + i, "v" + i));
    }
    env.startConnector("rest-source", fromIndex("rest", "rest/", indexes.get(0)));
    SinkTestEnvironment.await(WAIT, "the offset of the fifth change committed",
        () -> offsetOf("rest-source").equals(Map.of("index", indexes.get(4), "sub", 0L)));
    env.connect.stopConnector("rest-source");
    env.connect.assertions().assertConnectorIsStopped("rest-source", "connector did not stop");

    Map<String, Object> partition = Map.of("cluster", "connect-test");
    assertThatThrownBy(() -> env.connect.alterSourceConnectorOffset("rest-source", Map.of("cluster", "elsewhere"),
        Map.of("index", 3, "sub", 0))).hasMessageContaining("names cluster 'elsewhere', but this connector reads "
            + "cluster 'connect-test'");
    assertThatThrownBy(() -> env.connect.alterSourceConnectorOffset("rest-source", partition,
        Map.of("index", "three", "sub", 0))).hasMessageContaining("'index' is three, not a whole number");
    assertThatThrownBy(() -> env.connect.alterSourceConnectorOffset("rest-source", partition,
        Map.of("index", 3, "position", 0))).hasMessageContaining("it has the unknown field 'position'");
    env.connect.alterSourceConnectorOffset("rest-source", partition, Map.of("index", indexes.get(2), "sub", 0));

    env.connect.resumeConnector("rest-source");
    assertThat(summaries("rest", 7)).containsExactly("c rest/k0=v0", "c rest/k1=v1", "c rest/k2=v2", "c rest/k3=v3",
        "c rest/k4=v4", "c rest/k3=v3", "c rest/k4=v4");
    env.connect.deleteConnector("rest-source");
  }

  @Test
  void resumingFromAnOffsetTheFeedNoLongerHoldsFailsNamingItOrTakesANewSnapshotIfAsked() throws Exception {
    try (InProcessCluster small = InProcessCluster.builder(root.resolve("short-feed"), 3)
        .clusterId(SourceTestEnvironment.CLUSTER_ID).tls()
        .tuning(b -> b.feedRetention(new FeedRetention(5, Duration.ZERO)).feedGcInterval(Duration.ofMillis(50)))
        .startWithLeader()) {
      env.connect.kafka().createTopic("cmp", 1);
      Map<String, String> config = env.sourceConfig("cmp", "cmp/");
      config.put("raftkv.endpoints", small.endpoints());
      config.putAll(SinkTestEnvironment.sslConfig(small));
      small.client().put(b("cmp/a"), b("1"));
      env.startConnector("cmp-source", config);
      assertThat(summaries("cmp", 1)).containsExactly("r cmp/a=1");
      long b = small.client().put(b("cmp/b"), b("2")).getIndex();
      SinkTestEnvironment.await(WAIT, "the offset of cmp/b committed",
          () -> offsetOf("cmp-source").equals(Map.of("index", b, "sub", 0L)));
      env.connect.stopConnector("cmp-source");
      env.connect.assertions().assertConnectorIsStopped("cmp-source", "connector did not stop");
      for (int i = 0; i < 30; i++) {
        small.client().put(b("cmp/c" + i), b("3"));
      }
      SinkTestEnvironment.await(WAIT, "the feed truncated past the offset",
          () -> small.oldestFeedIndexHeldEverywhere() > b + 1);

      env.connect.resumeConnector("cmp-source");
      String trace = env.awaitTaskFailure("cmp-source", WAIT);
      assertThat(trace).contains("the RaftKV change feed no longer holds index " + b + ", which connector "
          + "cmp-source must resume from (the stored offset, offset {index=" + b + ", sub=0}): the oldest index it "
          + "holds is ").contains("set raftkv.on.compacted=snapshot")
          .contains("reset its offsets (DELETE /connectors/cmp-source/offsets) and start it with raftkv.start=snapshot");

      config.put("raftkv.on.compacted", "snapshot");
      env.connect.configureConnector("cmp-source", config);
      env.connect.restartConnectorAndTasks("cmp-source", true, true, false);
      env.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("cmp-source", 1, "task did not recover");
      List<String> expected = new ArrayList<>(List.of("r cmp/a=1", "c cmp/b=2", "r cmp/a=1", "r cmp/b=2"));
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        keys.add("cmp/c" + i);
      }
      keys.sort(null); // snapshot rows come in key order
      keys.forEach(k -> expected.add("r " + k + "=3"));
      SinkTestEnvironment.await(WAIT, "the new snapshot's end committed",
          () -> offsetOf("cmp-source").get("sub") instanceof Long sub && sub == FeedPosition.ENTRY_END);
      small.client().put(b("cmp/after"), b("4"));
      expected.add("c cmp/after=4");
      assertThat(summaries("cmp", expected.size())).containsExactlyElementsOf(expected);
      env.connect.deleteConnector("cmp-source");
    }
  }

  /** One bad config: the options changed from a good one, the options that must get an error, and its words. */
  record BadConfig(Map<String, String> changes, List<String> options, String message) {
    BadConfig(Map<String, String> changes, String option, String message) {
      this(changes, List.of(option), message);
    }
  }

  @Test
  void restValidateNamesEachBadOptionItsValueAndWhatIsAllowed() throws Exception {
    String unreachable;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      unreachable = "127.0.0.1:" + s.getLocalPort();
    }
    List<BadConfig> table = List.of(
        new BadConfig(Map.of("raftkv.endpoints", "localhost"), "raftkv.endpoints",
            "'localhost' is not an address: expected host:port"),
        new BadConfig(Map.of("raftkv.endpoints", unreachable), "raftkv.endpoints",
            "no RaftKV node answered within 5000 ms at " + unreachable),
        new BadConfig(Map.of("raftkv.ssl.ca.location", root.resolve("missing-ca.crt").toString()),
            "raftkv.ssl.ca.location", "trusted CA " + root.resolve("missing-ca.crt") + ": missing (no such file)"),
        new BadConfig(Map.of("raftkv.ssl.ca.location", ""), "raftkv.ssl.ca.location",
            "raftkv.ssl.enabled is true (the default) but no CA is given"),
        new BadConfig(Map.of("raftkv.ssl.enabled", "false"), "raftkv.ssl.enabled",
            "refused the connection: it closed the connection without an answer"),
        new BadConfig(Map.of("raftkv.start", "yesterday"), "raftkv.start",
            "Invalid value yesterday for configuration raftkv.start: 'yesterday' is not allowed: use snapshot (every "
                + "existing key as a read event, then the changes after it), now (only the changes applied after the "
                + "task starts), index (the changes from the log index in raftkv.start.index on)"),
        new BadConfig(Map.of("raftkv.start", "index"), "raftkv.start.index",
            "raftkv.start=index needs raftkv.start.index: the first log index to read changes from (1 or more)"),
        new BadConfig(Map.of("raftkv.start.index", "5"), "raftkv.start.index",
            "raftkv.start.index=5 is only read with raftkv.start=index, but raftkv.start is 'snapshot'"),
        new BadConfig(Map.of("raftkv.start", "index", "raftkv.start.index", "0"), "raftkv.start.index",
            "Invalid value 0 for configuration raftkv.start.index: 0 is too small: use 1 or more"),
        new BadConfig(Map.of("raftkv.on.compacted", "ignore"), "raftkv.on.compacted",
            "'ignore' is not allowed: use fail ("),
        new BadConfig(Map.of("raftkv.key.format", "utf16"), "raftkv.key.format",
            "'utf16' is not allowed: use string (UTF-8 text, a string schema; bytes that are not UTF-8 fail the "
                + "task), bytes (the raw bytes, a bytes schema)"),
        new BadConfig(Map.of("raftkv.value.format", ""), "raftkv.value.format", "'' is not allowed: use string"),
        new BadConfig(Map.of("topic.prefix", "raftkv"), List.of("topic", "topic.prefix"),
            "both topic='events' and topic.prefix='raftkv' are set: set only one"),
        new BadConfig(Map.of("topic", ""), "topic", "no topic given: set topic (one fixed topic for every change) "
            + "or topic.prefix (the topic <prefix>.<cluster name>)"),
        new BadConfig(Map.of("topic", "bad topic!"), "topic",
            "'bad topic!' is not a Kafka topic name: use 1 to 249 of a-z A-Z 0-9 . _ -"),
        new BadConfig(Map.of("raftkv.key.prefix", "__raftkv/sink/"), "raftkv.key.prefix",
            "raftkv.key.prefix='__raftkv/sink/' lies under __raftkv/, whose keys are skipped unless "
                + "raftkv.include.internal=true"),
        new BadConfig(Map.of("batch.max.events", "0"), "batch.max.events", "Value must be at least 1"),
        new BadConfig(Map.of("poll.interval.ms", "often"), "poll.interval.ms",
            "Invalid value often for configuration poll.interval.ms"));

    Map<String, String> good = env.sourceConfig("events", "");
    good.put("name", "validated-source");
    assertThat(errors(good)).as("a good config").isEmpty();
    Map<String, String> internal = new java.util.HashMap<>(good);
    internal.put("raftkv.key.prefix", "__raftkv/sink/");
    internal.put("raftkv.include.internal", "true");
    assertThat(errors(internal)).as("internal keys asked for").isEmpty();
    for (BadConfig bad : table) {
      Map<String, String> config = new java.util.HashMap<>(good);
      config.putAll(bad.changes());
      Map<String, List<String>> errors = errors(config);
      assertThat(errors).as("errors for %s", bad.changes()).containsOnlyKeys(bad.options());
      for (String option : bad.options()) {
        assertThat(errors.get(option)).as("errors for %s", bad.changes())
            .anySatisfy(m -> assertThat(m).contains(bad.message()));
      }
    }
  }

  @Test
  void exampleConfigsInDeployValidateWithoutErrors() throws Exception {
    for (String example : List.of("raftkv-source.json", "raftkv-source-unwrapped.json")) {
      JsonNode file = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          Path.of(System.getProperty("user.dir"), "..", "deploy", "connectors", example).toFile());
      Map<String, String> config = new java.util.HashMap<>();
      file.get("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
      config.put("raftkv.endpoints", env.raftkv.endpoints());
      // The example's TLS files stand for a deployment's; this cluster's own take their place, as its address does.
      config.putAll(SinkTestEnvironment.sslConfig(env.raftkv));
      config.put("name", file.get("name").asText());
      assertThat(errors(config)).as(example).isEmpty();
    }
  }

  /** The options with errors and their messages, as the worker's REST validate endpoint answers. */
  private static Map<String, List<String>> errors(Map<String, String> config) {
    ConfigInfos infos = env.connect.validateConnectorConfig("RaftKvSourceConnector", config);
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (ConfigInfo info : infos.configs()) {
      if (!info.configValue().errors().isEmpty()) {
        out.put(info.configValue().name(), info.configValue().errors());
      }
    }
    assertThat(infos.errorCount()).isEqualTo(out.values().stream().mapToInt(List::size).sum());
    return out;
  }
}
