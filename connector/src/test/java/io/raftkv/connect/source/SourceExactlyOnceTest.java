package io.raftkv.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.raftkv.api.Permission;
import io.raftkv.client.RaftKvClient;
import io.raftkv.connect.testing.SinkTestEnvironment;
import io.raftkv.connect.testing.SourceTestEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read_committed consumer sees every change exactly once, in order, although the task, the worker or the
 * RaftKV nodes go away mid-stream. One writer makes every change under the test's prefix and records what
 * the stream must hold (creates, updates, deletes with their tombstones, each value unique); the topic must
 * hold exactly that list: a repeated change or a lost one makes it differ.
 */
class SourceExactlyOnceTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  /** Changes between two disruptions. */
  private static final int STEP = 500;
  /** The most changes one test makes. */
  private static final int MAX_CHANGES = 30_000;

  @TempDir
  static Path root;
  static SourceTestEnvironment env;

  @BeforeAll
  static void start() throws InterruptedException {
    // A task that does not stop at once is abandoned (its transaction aborted), as on a crash.
    env = SourceTestEnvironment.start(root, "source-exactly-once", Map.of("task.shutdown.graceful.timeout.ms", "100"),
        b -> b);
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  /**
   * Makes changes under a prefix in the background, one at a time, until told to stop: mostly new keys, every
   * tenth an update of the key before and every tenth a delete of it. It records the summaries the topic must
   * hold.
   */
  private static final class ChangeWriter {
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger written = new AtomicInteger();
    private final CompletableFuture<List<String>> done;

    private ChangeWriter(String prefix) {
      done = CompletableFuture.supplyAsync(() -> write(prefix));
    }

    static ChangeWriter start(String prefix) {
      return new ChangeWriter(prefix);
    }

    private List<String> write(String prefix) {
      List<String> expected = new ArrayList<>();
      Map<String, String> present = new HashMap<>();
      RaftKvClient client = env.raftkv.client();
      for (int i = 0; !stopping.get() && i < MAX_CHANGES; i++) {
        String previous = prefix + "k" + (i - 1);
        String value = "v" + i;
        if (i % 10 == 4 && present.containsKey(previous)) {
          client.put(ByteString.copyFromUtf8(previous), ByteString.copyFromUtf8(value));
          expected.add("u " + previous + "=" + value + " (was " + present.put(previous, value) + ")");
        } else if (i % 10 == 9 && present.containsKey(previous)) {
          client.delete(ByteString.copyFromUtf8(previous));
          expected.add("d " + previous + " (was " + present.remove(previous) + ")");
          expected.add("tombstone " + previous);
        } else {
          String key = prefix + "k" + i;
          client.put(ByteString.copyFromUtf8(key), ByteString.copyFromUtf8(value));
          expected.add("c " + key + "=" + value);
          present.put(key, value);
        }
        written.incrementAndGet();
      }
      return expected;
    }

    /** Fails if the writer already stopped (a write failed, or it wrote its most): the test is no longer mid-stream. */
    void assertStillWriting(String when) {
      assertThat(done).as("the writer still writing %s", when).isNotDone();
    }

    /** Lets {@code more} changes through, stops, and returns what the topic must hold. */
    List<String> finishAfter(int more) throws Exception {
      int target = written.get() + more;
      SinkTestEnvironment.await(WAIT, more + " more changes written", () -> written.get() >= target || done.isDone());
      stopping.set(true);
      return done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /**
   * Starts the connector and waits until its task watches the change feed: a task reports RUNNING before its
   * first poll, and the writer's changes must all come after the task's initial snapshot (an empty one) to be
   * the create, update and delete events the test expects rather than snapshot rows. The node takes the snapshot
   * as it accepts the watch.
   */
  private static void startWatching(String connector, Map<String, String> config) throws InterruptedException {
    SinkTestEnvironment.await(WAIT, "the watches of earlier connectors closed", () -> env.watchesInUse() == 0);
    env.startConnector(connector, config);
    SinkTestEnvironment.await(WAIT, connector + "'s task watching the change feed", () -> env.watchesInUse() > 0);
  }

  /** The source config of these tests: it calls as a password user allowed to read the watched prefix only. */
  private static Map<String, String> config(String topic, String prefix) {
    Map<String, String> config = SinkTestEnvironment.asPasswordUser(env.raftkv, env.sourceConfig(topic, prefix),
        "source-" + topic, Permission.Access.READ, prefix);
    // Small transactions, so a restart always finds some committed and some not.
    config.put("batch.max.events", "50");
    return config;
  }

  /**
   * Waits until the topic holds at least {@code records} records (transaction markers count too). A task
   * that the broker's transaction coordinator failed is restarted meanwhile: under load the embedded
   * broker sometimes answers a retried EndTxn of a transaction it has already committed with
   * INVALID_TXN_STATE ("state is COMPLETE_COMMIT, but received transaction marker result to send:
   * COMMIT"), which is fatal to the producer, so Connect fails the task. That is Kafka's doing, an
   * operator restarts such a task, and exactly-once must hold across that restart as across the test's
   * own, which the test then checks. Any other failure still fails the test.
   */
  private static void awaitProgress(String connector, String topic, long records) throws InterruptedException {
    SinkTestEnvironment.await(WAIT, topic + " reaching " + records + " records", () -> {
      restartIfTheBrokerFailedTheTask(connector);
      return env.endOffset(topic) >= records;
    });
  }

  private static void restartIfTheBrokerFailedTheTask(String connector) {
    org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo.TaskState task;
    try {
      task = env.task(connector);
    } catch (RuntimeException noStatusYet) {
      return; // a rebalance is under way: look again on the next round
    }
    if ("FAILED".equals(task.state())) {
      assertThat(task.trace()).as("trace of the failed task of %s", connector).contains("InvalidTxnStateException");
      env.connect.restartTask(connector, 0);
    }
  }

  /** The topic holds exactly the changes written, in order, and their feed positions rise. */
  private static void assertEachChangeExactlyOnce(String topic, ChangeWriter writer) throws Exception {
    List<String> expected = writer.finishAfter(STEP);
    List<ConsumerRecord<byte[], byte[]>> records = env.readCommitted(topic, expected.size(), WAIT);
    List<String> seen = records.stream().map(SourceTestEnvironment::summary).toList();
    assertThat(seen).as("changes in the topic").hasSize(expected.size()).containsExactlyElementsOf(expected);
    long lastIndex = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      JsonNode value = SourceTestEnvironment.json(r.value());
      if (value != null) {
        long index = value.get("source").get("index").asLong();
        assertThat(index).as("feed index of %s", SourceTestEnvironment.summary(r)).isGreaterThan(lastIndex);
        lastIndex = index;
      }
    }
  }

  @Test
  void restartedTaskEmitsEveryChangeExactlyOnce() throws Exception {
    String topic = "eo-task";
    env.connect.kafka().createTopic(topic, 1);
    startWatching("eo-task-source", config(topic, "eo-task/"));
    ChangeWriter writer = ChangeWriter.start("eo-task/");

    for (int restart = 1; restart <= 2; restart++) {
      awaitProgress("eo-task-source", topic, env.endOffset(topic) + STEP);
      writer.assertStillWriting("at restart " + restart);
      env.connect.restartTask("eo-task-source", 0);
      env.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("eo-task-source", 1, "task did not restart");
    }

    assertEachChangeExactlyOnce(topic, writer);
    env.connect.deleteConnector("eo-task-source");
  }

  @Test
  void restartedWorkerEmitsEveryChangeExactlyOnce() throws Exception {
    String topic = "eo-worker";
    env.connect.kafka().createTopic(topic, 1);
    startWatching("eo-worker-source", config(topic, "eo-worker/"));
    ChangeWriter writer = ChangeWriter.start("eo-worker/");

    awaitProgress("eo-worker-source", topic, STEP);
    writer.assertStillWriting("when the worker stopped");
    env.connect.removeWorker();
    env.connect.addWorker();
    env.connect.assertions().assertAtLeastNumWorkersAreUp(1, "the new worker did not start");
    env.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("eo-worker-source", 1,
        "connector did not restart");

    assertEachChangeExactlyOnce(topic, writer);
    env.connect.deleteConnector("eo-worker-source");
  }

  @Test
  void killedRaftKvNodesMidStreamLoseAndRepeatNoChange() throws Exception {
    String topic = "eo-nodes";
    env.connect.kafka().createTopic(topic, 1);
    startWatching("eo-nodes-source", config(topic, "eo-nodes/"));
    ChangeWriter writer = ChangeWriter.start("eo-nodes/");

    // Each node in turn, so both the node the task watches and the leader die mid-stream.
    for (long node = 1; node <= 3; node++) {
      awaitProgress("eo-nodes-source", topic, env.endOffset(topic) + STEP);
      writer.assertStillWriting("when node " + node + " stopped");
      env.raftkv.stopInBackground(node);
      env.raftkv.awaitLeader(WAIT);
      awaitProgress("eo-nodes-source", topic, env.endOffset(topic) + STEP);
      env.raftkv.restart(node);
      env.raftkv.awaitLeader(WAIT);
    }

    assertEachChangeExactlyOnce(topic, writer);
    assertThat(env.task("eo-nodes-source").state()).isEqualTo("RUNNING");
    env.connect.deleteConnector("eo-nodes-source");
  }
}
