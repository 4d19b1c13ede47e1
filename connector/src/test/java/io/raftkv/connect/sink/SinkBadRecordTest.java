package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.connect.testing.SinkTestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records the sink cannot write follow errors.tolerance: to the dead-letter queue, or the task fails. */
class SinkBadRecordTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path root;
  static SinkTestEnvironment env;

  @BeforeAll
  static void start() throws InterruptedException {
    env = SinkTestEnvironment.start(root, "sink-bad-records");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static List<String[]> goodAndBadRecords() {
    return List.of(new String[] {"k1", "ok-1"}, new String[] {null, "no key"},
        new String[] {"k2", "x".repeat(2000)}, new String[] {"k3", "ok-3"});
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void badRecordsGoToTheDeadLetterQueueWithTheReasonWhenToleranceIsAll() throws Exception {
    env.connect.kafka().createTopic("with-dlq", 1);
    env.produce("with-dlq", 0, goodAndBadRecords());
    Map<String, String> config = env.sinkConfig("with-dlq");
    config.put("raftkv.value.max.bytes", "1000");
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", "with-dlq-dlq");
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    env.startConnector("dlq-sink", config);

    String offsetKey = OffsetStore.NAMESPACE + "dlq-sink/with-dlq/0";
    SinkTestEnvironment.await(WAIT, "all four records handled",
        () -> env.raftkv.get(offsetKey).map(OffsetStore::decode).orElse(-1L) == 3);
    assertThat(env.raftkv.getUtf8("with-dlq/k1")).isEqualTo("ok-1");
    assertThat(env.raftkv.get("with-dlq/k2")).isEmpty();
    assertThat(env.raftkv.getUtf8("with-dlq/k3")).isEqualTo("ok-3");

    ConsumerRecords<byte[], byte[]> dlq = env.connect.kafka().consume(2, WAIT.toMillis(), "with-dlq-dlq");
    List<ConsumerRecord<byte[], byte[]>> reported = new ArrayList<>();
    dlq.forEach(reported::add);
    assertThat(reported).hasSize(2);
    assertThat(header(reported.get(0), "__connect.errors.offset")).isEqualTo("1");
    assertThat(header(reported.get(0), "__connect.errors.exception.message"))
        .isEqualTo("record topic 'with-dlq' partition 0 offset 1 cannot be written to RaftKV: it has no key "
            + "(RaftKV keys come from record keys)");
    assertThat(header(reported.get(1), "__connect.errors.offset")).isEqualTo("2");
    assertThat(header(reported.get(1), "__connect.errors.exception.message"))
        .isEqualTo("record topic 'with-dlq' partition 0 offset 2 cannot be written to RaftKV: its value is 2000 "
            + "bytes; at most 1000 are allowed");
    assertThat(env.task("dlq-sink").state()).isEqualTo("RUNNING");
  }

  @Test
  void badRecordFailsTheTaskNamingTopicPartitionOffsetAndReasonByDefault() throws Exception {
    env.connect.kafka().createTopic("no-dlq", 1);
    env.produce("no-dlq", 0, List.<String[]>of(new String[] {"k1", "ok-1"}, new String[] {null, "no key"}));
    env.startConnector("failing-sink", env.sinkConfig("no-dlq"));

    env.connect.assertions().assertConnectorIsRunningAndTasksHaveFailed("failing-sink", 1,
        "the task did not fail on a record without a key");
    assertThat(env.task("failing-sink").trace())
        .contains("org.apache.kafka.connect.errors.ConnectException: record topic 'no-dlq' partition 0 offset 1 "
            + "cannot be written to RaftKV: it has no key");
  }

  @Test
  void oversizedValueFailsTheTaskNamingTheRecordAndTheLimitByDefault() throws Exception {
    env.connect.kafka().createTopic("too-big", 1);
    env.produce("too-big", 0, List.<String[]>of(new String[] {"k", "y".repeat(600)}));
    Map<String, String> config = env.sinkConfig("too-big");
    config.put("raftkv.value.max.bytes", "500");
    env.startConnector("too-big-sink", config);

    env.connect.assertions().assertConnectorIsRunningAndTasksHaveFailed("too-big-sink", 1,
        "the task did not fail on an oversized value");
    assertThat(env.task("too-big-sink").trace()).contains("record topic 'too-big' partition 0 offset 0 cannot be "
        + "written to RaftKV: its value is 600 bytes; at most 500 are allowed");
    assertThat(env.raftkv.get("too-big/k")).isEmpty();
  }
}
