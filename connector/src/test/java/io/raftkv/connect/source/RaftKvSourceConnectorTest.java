package io.raftkv.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

/** The connector's answers that need no cluster: one task, exactly-once support, offsets it refuses offline. */
class RaftKvSourceConnectorTest {
  private static final Map<String, String> CONFIG = Map.of("name", "s", "raftkv.endpoints", "127.0.0.1:1",
      "raftkv.ssl.ca.location", "/etc/raftkv/certs/ca.crt", "topic", "events", "raftkv.cluster.name", "prod");

  @Test
  void oneTaskWhateverTasksMaxSaysBecauseTheFeedIsOneOrderedStream() {
    RaftKvSourceConnector connector = new RaftKvSourceConnector();
    connector.start(CONFIG);
    assertThat(connector.taskConfigs(8)).containsExactly(CONFIG);
    assertThat(connector.taskClass()).isEqualTo(RaftKvSourceTask.class);
  }

  @Test
  void supportsExactlyOnceWithTheWorkersPerPollTransactions() {
    RaftKvSourceConnector connector = new RaftKvSourceConnector();
    assertThat(connector.exactlyOnceSupport(CONFIG)).isEqualTo(ExactlyOnceSupport.SUPPORTED);
    assertThat(connector.canDefineTransactionBoundaries(CONFIG)).isEqualTo(ConnectorTransactionBoundaries.UNSUPPORTED);
  }

  @Test
  void startRefusesConflictingOptionsNamingThem() {
    Map<String, String> both = new java.util.HashMap<>(CONFIG);
    both.put("topic.prefix", "raftkv");
    assertThatThrownBy(() -> new RaftKvSourceConnector().start(both)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("both topic='events' and topic.prefix='raftkv' are set");
  }

  @Test
  void offsetsForAnotherClusterOrOfAnotherShapeAreRefusedWithoutAskingTheCluster() {
    RaftKvSourceConnector connector = new RaftKvSourceConnector();
    assertThat(connector.alterOffsets(CONFIG, Map.of(Map.of("cluster", "prod"), Map.of("index", 7L, "sub", 0L))))
        .isTrue();
    Map<Map<String, ?>, Map<String, ?>> reset = new java.util.HashMap<>();
    reset.put(Map.of("cluster", "prod"), null);
    assertThat(connector.alterOffsets(CONFIG, reset)).isTrue();
    assertThatThrownBy(() -> connector.alterOffsets(CONFIG, Map.of(Map.of("cluster", "test"),
        Map.of("index", 7L, "sub", 0L)))).isInstanceOf(ConnectException.class)
        .hasMessageContaining("names cluster 'test', but this connector reads cluster 'prod' (raftkv.cluster.name)");
    assertThatThrownBy(() -> connector.alterOffsets(CONFIG, Map.of(Map.of("db", "prod"),
        Map.of("index", 7L, "sub", 0L)))).hasMessageContaining("is not a RaftKV one");
    assertThatThrownBy(() -> connector.alterOffsets(CONFIG, Map.of(Map.of("cluster", "prod"),
        Map.of("lsn", 7L)))).hasMessageContaining("it has the unknown field 'lsn'");
  }
}
