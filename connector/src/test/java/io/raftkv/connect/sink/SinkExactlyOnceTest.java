package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.KeyValue;
import io.raftkv.api.Permission;
import io.raftkv.connect.testing.SinkTestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record is applied exactly once although the task, the worker or the RaftKV leader goes away
 * mid-stream. Most records write a key of their own: a second application of such a record would leave the
 * key's version (the log index of its last write) above its create version, which the check catches. The
 * rest overwrite a few shared keys, which must end with their newest record's value (no stale replay).
 */
class SinkExactlyOnceTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int PARTITIONS = 2;
  private static final int RECORDS = 6000;
  private static final int SHARED_KEYS = 8;

  @TempDir
  static Path root;
  static SinkTestEnvironment env;

  @BeforeAll
  static void start() throws InterruptedException {
    env = SinkTestEnvironment.start(root, "sink-exactly-once",
        Map.of("connector.client.config.override.policy", "All"));
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  /** Record i: key r-i (its own) or, every fifth, a shared key s-j; value v-i; partition by key. */
  private static String keyOf(int i) {
    return i % 5 == 0 ? "s-" + (i / 5 % SHARED_KEYS) : "r-" + i;
  }

  private static int partitionOf(String key) {
    return Math.floorMod(key.hashCode(), PARTITIONS);
  }

  /** Produces the records at about 2,000/s, so the sink is mid-stream for a few seconds. */
  private static CompletableFuture<Void> produceInBackground(String topic) {
    return CompletableFuture.runAsync(() -> {
      try (KafkaProducer<byte[], byte[]> producer = env.connect.kafka().createProducer(Map.of())) {
        for (int i = 0; i < RECORDS; i++) {
          String key = keyOf(i);
          producer.send(new ProducerRecord<>(topic, partitionOf(key), bytes(key), bytes("v-" + i)));
          if (i % 100 == 99) {
            producer.flush();
            TimeUnit.MILLISECONDS.sleep(50);
          }
        }
        producer.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The sink config of these tests: it calls as a password user allowed readwrite on the topic's keys and the sink's
   * stored offsets only, not as the admin certificate.
   */
  private static Map<String, String> config(String topic) {
    Map<String, String> config = SinkTestEnvironment.asPasswordUser(env.raftkv, env.sinkConfig(topic),
        "sink-" + topic, Permission.Access.READWRITE, topic + "/", OffsetStore.NAMESPACE);
    config.put("consumer.override.max.poll.records", "100");
    return config;
  }

  private static long stored(String connector, String topic, int partition) {
    return env.raftkv.get(OffsetStore.NAMESPACE + connector + "/" + topic + "/" + partition)
        .map(OffsetStore::decode).orElse(OffsetStore.NONE);
  }

  private static long storedTotal(String connector, String topic) {
    long total = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      total += stored(connector, topic, p) + 1;
    }
    return total;
  }

  /** Waits until the sink has written at least {@code records} records (counted by stored offsets). */
  private static long awaitProgress(String connector, String topic, long records) throws InterruptedException {
    SinkTestEnvironment.await(WAIT, connector + " writing " + records + " records",
        () -> storedTotal(connector, topic) >= records);
    return storedTotal(connector, topic);
  }

  private static void awaitAllWritten(String connector, String topic, CompletableFuture<Void> producing)
      throws Exception {
    producing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    for (int p = 0; p < PARTITIONS; p++) {
      long last = env.endOffset(topic, p) - 1;
      int partition = p;
      SinkTestEnvironment.await(WAIT, connector + " writing " + topic + "-" + p + " up to " + last,
          () -> stored(connector, topic, partition) == last);
    }
  }

  /** Every record's effect is in RaftKV, and none was applied twice. */
  private static void assertEachRecordAppliedExactlyOnce(String topic) {
    Map<String, String> latest = new LinkedHashMap<>();
    for (int i = 0; i < RECORDS; i++) {
      latest.put(topic + "/" + keyOf(i), "v-" + i);
    }
    Map<String, KeyValue> stored = new HashMap<>();
    for (KeyValue kv : env.raftkv.scan(topic + "/")) {
      stored.put(kv.getKey().toStringUtf8(), kv);
    }
    assertThat(stored).hasSize(latest.size());
    long endTotal = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      endTotal += env.endOffset(topic, p);
    }
    assertThat(endTotal).isEqualTo(RECORDS);
    for (Map.Entry<String, String> e : latest.entrySet()) {
      KeyValue kv = stored.get(e.getKey());
      assertThat(kv).as(e.getKey()).isNotNull();
      assertThat(kv.getValue().toStringUtf8()).as(e.getKey()).isEqualTo(e.getValue());
      if (e.getKey().startsWith(topic + "/r-")) {
        assertThat(kv.getVersion()).as("version of %s (a record of its own: written once)", e.getKey())
            .isEqualTo(kv.getCreateVersion());
      }
    }
  }

  @Test
  void stoppedTaskWhoseConsumerOffsetsWereLostWritesEveryRecordExactlyOnce() throws Exception {
    String topic = "eo-stop";
    String connector = "eo-stop-sink";
    env.connect.kafka().createTopic(topic, PARTITIONS);
    env.startConnector(connector, config(topic));
    CompletableFuture<Void> producing = produceInBackground(topic);

    long atStop = awaitProgress(connector, topic, RECORDS / 10);
    env.connect.stopConnector(connector);
    env.connect.assertions().assertConnectorIsStopped(connector, "connector did not stop");
    assertThat(atStop).as("records written when the task stopped").isLessThan(RECORDS);
    // As if the worker died before committing anything: the consumer group starts from the beginning again.
    try (Admin admin = env.connect.kafka().createAdminClient()) {
      Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        zero.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
      }
      admin.alterConsumerGroupOffsets("connect-" + connector, zero).all().get(30, TimeUnit.SECONDS);
    }
    env.connect.resumeConnector(connector);
    env.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "connector did not resume");

    awaitAllWritten(connector, topic, producing);
    assertEachRecordAppliedExactlyOnce(topic);
  }

  @Test
  void restartedWorkerWritesEveryRecordExactlyOnce() throws Exception {
    String topic = "eo-worker";
    String connector = "eo-worker-sink";
    env.connect.kafka().createTopic(topic, PARTITIONS);
    env.startConnector(connector, config(topic));
    CompletableFuture<Void> producing = produceInBackground(topic);

    long atStop = awaitProgress(connector, topic, RECORDS / 10);
    env.connect.removeWorker();
    assertThat(atStop).as("records written when the worker stopped").isLessThan(RECORDS);
    env.connect.addWorker();
    env.connect.assertions().assertAtLeastNumWorkersAreUp(1, "the new worker did not start");
    env.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "connector did not restart");

    awaitAllWritten(connector, topic, producing);
    assertEachRecordAppliedExactlyOnce(topic);
  }

  @Test
  void killedRaftKvLeaderMidStreamLosesAndDuplicatesNoRecord() throws Exception {
    String topic = "eo-leader";
    String connector = "eo-leader-sink";
    env.connect.kafka().createTopic(topic, PARTITIONS);
    env.startConnector(connector, config(topic));
    CompletableFuture<Void> producing = produceInBackground(topic);

    long first = env.raftkv.awaitLeader(WAIT);
    long atKill = awaitProgress(connector, topic, RECORDS / 10);
    env.raftkv.stopInBackground(first);
    assertThat(atKill).as("records written when the leader died").isLessThan(RECORDS);
    long second = env.raftkv.awaitLeader(WAIT);
    long atSecondKill = awaitProgress(connector, topic, atKill + 300);
    env.raftkv.restart(first);
    env.raftkv.stopInBackground(second);
    assertThat(atSecondKill).as("records written when the second leader died").isLessThan(RECORDS);
    env.raftkv.awaitLeader(WAIT);

    awaitAllWritten(connector, topic, producing);
    env.raftkv.restart(second);
    env.raftkv.awaitLeader(WAIT);
    assertEachRecordAppliedExactlyOnce(topic);
    assertThat(env.task(connector).state()).isEqualTo("RUNNING");
  }

  @Test
  void writeAfterAnotherWriterMovedTheStoredOffsetIsRefusedAndItsRecordsAreNotWrittenTwice() throws Exception {
    String topic = "eo-fence";
    String connector = "eo-fence-sink";
    env.connect.kafka().createTopic(topic, 1);
    java.util.List<String[]> first = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      first.add(new String[] {"k" + i, "v" + i});
    }
    env.produce(topic, 0, first);
    env.startConnector(connector, env.sinkConfig(topic));
    SinkTestEnvironment.await(WAIT, "records 0..9 written", () -> stored(connector, topic, 0) == 9);

    // Another writer of the partition (a zombie task, or a write of this task whose answer was lost) has
    // stored records up to offset 14: the task's next write expects 9 and must not apply.
    env.raftkv.client().put(new OffsetStore(connector).key(new TopicPartition(topic, 0)), OffsetStore.encode(14));
    java.util.List<String[]> second = new java.util.ArrayList<>();
    for (int i = 10; i < 20; i++) {
      second.add(new String[] {"k" + i, "v" + i});
    }
    env.produce(topic, 0, second);
    SinkTestEnvironment.await(WAIT, "records 15..19 written", () -> stored(connector, topic, 0) == 19);

    for (int i = 10; i <= 14; i++) {
      assertThat(env.raftkv.get(topic + "/k" + i)).as("record %d, stored by the other writer", i).isEmpty();
    }
    for (int i = 15; i < 20; i++) {
      assertThat(env.raftkv.getUtf8(topic + "/k" + i)).isEqualTo("v" + i);
    }
    assertThat(env.task(connector).state()).isEqualTo("RUNNING");
  }

  @Test
  void offsetsSetThroughRestMoveTheStoredOffsetsAndResetDeletesThem() throws Exception {
    String topic = "eo-rest";
    String connector = "eo-rest-sink";
    env.connect.kafka().createTopic(topic, 1);
    java.util.List<String[]> records = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      records.add(new String[] {"k" + i, "first-" + i});
    }
    env.produce(topic, 0, records);
    env.startConnector(connector, env.sinkConfig(topic));
    SinkTestEnvironment.await(WAIT, "all 20 written", () -> stored(connector, topic, 0) == 19);
    long versionOfK14 = env.raftkv.get(topic + "/k14").orElseThrow().getVersion();
    long versionOfK15 = env.raftkv.get(topic + "/k15").orElseThrow().getVersion();

    env.connect.stopConnector(connector);
    env.connect.assertions().assertConnectorIsStopped(connector, "connector did not stop");
    env.connect.alterSinkConnectorOffset(connector, new TopicPartition(topic, 0), 15L);
    assertThat(stored(connector, topic, 0)).as("stored offset after PATCH to 15").isEqualTo(14);

    // Resumed, the task rewinds to offset 15 and writes records 15..19 again, as asked.
    env.connect.resumeConnector(connector);
    SinkTestEnvironment.await(WAIT, "records 15..19 written again",
        () -> env.raftkv.get(topic + "/k15").orElseThrow().getVersion() > versionOfK15);
    SinkTestEnvironment.await(WAIT, "stored offset back at 19", () -> stored(connector, topic, 0) == 19);
    assertThat(env.raftkv.get(topic + "/k14").orElseThrow().getVersion()).as("record 14, before offset 15")
        .isEqualTo(versionOfK14);

    env.connect.stopConnector(connector);
    env.connect.assertions().assertConnectorIsStopped(connector, "connector did not stop");
    env.connect.resetConnectorOffsets(connector);
    assertThat(env.raftkv.get(OffsetStore.NAMESPACE + connector + "/" + topic + "/0")).isEmpty();
  }
}
