package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.client.RaftKvClient;
import io.raftkv.connect.testing.SinkTestEnvironment;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sink task whose exactly-once client session the cluster evicted goes on with a new one. */
class SinkSessionExpiryTest {
  @TempDir
  Path root;

  private static SinkRecord record(long offset) {
    return new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "k" + offset, Schema.STRING_SCHEMA, "v" + offset, offset);
  }

  @Test
  void aTaskWhoseSessionWasEvictedReconnectsAndWritesEveryRecordOnce() throws Exception {
    // One session at most: any other client's write evicts the task's.
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).clusterId(SinkTestEnvironment.CLUSTER_ID)
        .tls().tuning(c -> c.sessionPolicy(new SessionPolicy(1, 1024))).startWithLeader()) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      RaftKvSinkTask task = new RaftKvSinkTask();
      task.initialize(new QuietContext());
      Map<String, String> config = new HashMap<>(SinkTestEnvironment.sslConfig(cluster));
      config.putAll(Map.of("name", "expiry", "topics", "orders", "raftkv.endpoints", cluster.endpoints(),
          "raftkv.request.timeout.ms", "5000", "raftkv.retry.backoff.ms", "10"));
      task.start(config);
      try {
        task.open(List.of(new TopicPartition("orders", 0)));
        task.put(List.of(record(0), record(1)));
        try (RaftKvClient other = cluster.clientBuilder(List.of(cluster.endpoints().split(","))).build()) {
          other.put(ByteString.copyFromUtf8("someone-else"), ByteString.copyFromUtf8("x"));
        }
        // The task learns its session is gone: that batch is redelivered, through a new client.
        assertThatThrownBy(() -> task.put(List.of(record(2), record(3))))
            .isInstanceOf(RetriableException.class).hasMessageContaining("was evicted");
        task.put(List.of(record(2), record(3)));
      } finally {
        task.stop();
      }
      for (int i = 0; i < 4; i++) {
        assertThat(cluster.getUtf8("orders/k" + i)).as("record %d", i).isEqualTo("v" + i);
      }
    }
  }

  /** A context that records nothing: the test drives the task by hand. */
  private static final class QuietContext implements SinkTaskContext {
    @Override
    public Map<String, String> configs() {
      return new HashMap<>();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {}

    @Override
    public void offset(TopicPartition tp, long offset) {}

    @Override
    public void timeout(long timeoutMs) {}

    @Override
    public Set<TopicPartition> assignment() {
      return Set.of(new TopicPartition("orders", 0));
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    @Override
    public PluginMetrics pluginMetrics() {
      return null;
    }
  }
}
