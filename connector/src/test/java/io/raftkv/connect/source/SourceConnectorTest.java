package io.raftkv.connect.source;

import static io.raftkv.connect.testing.SourceTestEnvironment.json;
import static io.raftkv.connect.testing.SourceTestEnvironment.summary;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.connect.testing.SinkTestEnvironment;
import io.raftkv.connect.testing.SourceTestEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
  static void start() {
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
}
