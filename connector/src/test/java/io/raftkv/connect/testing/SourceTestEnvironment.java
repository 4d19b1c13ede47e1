package io.raftkv.connect.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.testkit.InProcessCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.coordinator.transaction.TransactionLogConfig;
import org.apache.kafka.server.config.ServerLogConfigs;

/**
 * One Kafka broker and one Connect worker with exactly-once source support, and a 3-node RaftKV cluster serving
 * TLS, shared by the tests of one class; each test uses its own topic, connector name and key prefix.
 */
public final class SourceTestEnvironment implements AutoCloseable {
  /** The RaftKV cluster id the tests see in source partitions and offsets. */
  public static final String CLUSTER_ID = "connect-test";
  private static final ObjectMapper JSON = new ObjectMapper();

  public final InProcessCluster raftkv;
  public final EmbeddedConnectCluster connect;

  private SourceTestEnvironment(InProcessCluster raftkv, EmbeddedConnectCluster connect) {
    this.raftkv = raftkv;
    this.connect = connect;
  }

  public static SourceTestEnvironment start(Path root, String name) throws InterruptedException {
    return start(root, name, Map.of(), UnaryOperator.identity());
  }

  /**
   * Starts both clusters; {@code extraWorkerProps} are added to the worker's properties and {@code tuning}
   * adjusts each RaftKV node's config.
   */
  public static SourceTestEnvironment start(Path root, String name, Map<String, String> extraWorkerProps,
      UnaryOperator<NodeConfig.Builder> tuning) throws InterruptedException {
    InProcessCluster raftkv = InProcessCluster.builder(root.resolve("raftkv"), 3).clusterId(CLUSTER_ID).tls()
        .tuning(tuning).startWithLeader();
    Map<String, String> workerProps = new HashMap<>();
    workerProps.put("exactly.once.source.support", "enabled");
    workerProps.put("offset.flush.interval.ms", "500");
    workerProps.putAll(extraWorkerProps);
    // One broker: the transaction log cannot be replicated.
    Properties brokerProps = new Properties();
    brokerProps.put(TransactionLogConfig.TRANSACTIONS_TOPIC_REPLICATION_FACTOR_CONFIG, "1");
    brokerProps.put(TransactionLogConfig.TRANSACTIONS_TOPIC_MIN_ISR_CONFIG, "1");
    brokerProps.put(ServerLogConfigs.AUTO_CREATE_TOPICS_ENABLE_CONFIG, "false");
    EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(1)
        .numBrokers(1).workerProps(workerProps).brokerProps(brokerProps).build();
    try {
      connect.start();
      connect.assertions().assertAtLeastNumWorkersAreUp(1, "the Connect worker did not start");
    } catch (Exception | AssertionError e) {
      raftkv.close();
      connect.stop();
      throw new IllegalStateException("test environment did not start", e);
    }
    return new SourceTestEnvironment(raftkv, connect);
  }

  /**
   * A source config for the keys under {@code keyPrefix}, into {@code topic}: string keys, schemaless JSON
   * values, exactly-once required.
   */
  public Map<String, String> sourceConfig(String topic, String keyPrefix) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", "io.raftkv.connect.source.RaftKvSourceConnector");
    config.put("tasks.max", "1");
    config.put("raftkv.endpoints", raftkv.endpoints());
    config.putAll(SinkTestEnvironment.sslConfig(raftkv));
    config.put("raftkv.request.timeout.ms", "5000");
    config.put("raftkv.key.prefix", keyPrefix);
    config.put("topic", topic);
    config.put("poll.interval.ms", "200");
    config.put("exactly.once.support", "required");
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "false");
    return config;
  }

  /** Creates the connector and waits until its task runs. */
  public void startConnector(String name, Map<String, String> config) throws InterruptedException {
    connect.configureConnector(name, config);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "connector " + name + " did not start");
  }

  /** The change-feed watches the running RaftKV nodes serve, all connectors' together. */
  public int watchesInUse() {
    return raftkv.servers().stream().mapToInt(RaftKvServer::watchesInUse).sum();
  }

  public ConnectorStateInfo.TaskState task(String connector) {
    return connect.connectorStatus(connector).tasks().get(0);
  }

  /** Waits until the connector's task has failed; returns its trace. */
  public String awaitTaskFailure(String connector, Duration timeout) throws InterruptedException {
    SinkTestEnvironment.await(timeout, connector + "'s task failing", () -> {
      try {
        return "FAILED".equals(task(connector).state());
      } catch (RuntimeException e) {
        return false;
      }
    });
    return task(connector).trace();
  }

  /**
   * Every committed record of {@code topic} from its start, once at least {@code atLeast} were read and the
   * read reached the end of the topic (or {@code timeout} passed: then what was read so far).
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int atLeast, Duration timeout) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
      Set<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
        if (out.size() >= atLeast && reachedEnd(consumer, partitions)) {
          break;
        }
      }
    }
    return out;
  }

  private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> partitions) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
  }

  /** The end offset of partition 0 of {@code topic} (transaction markers count). */
  public long endOffset(String topic) {
    try {
      return connect.kafka().endOffset(new TopicPartition(topic, 0));
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A record value as JSON (null for a tombstone). */
  public static JsonNode json(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + new String(value, StandardCharsets.UTF_8), e);
    }
  }

  public static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * One line per record of a schemaless JSON envelope, for comparing whole streams: "c key=value",
   * "u key=value (was old)", "d key (was old)", "r key=value", "tombstone key".
   */
  public static String summary(ConsumerRecord<byte[], byte[]> record) {
    String key = text(record.key());
    JsonNode v = json(record.value());
    if (v == null || v.isNull()) {
      return "tombstone " + key;
    }
    String op = v.get("op").asText();
    return switch (op) {
      case "c", "r" -> op + " " + key + "=" + v.get("after").get("value").asText();
      case "u" -> "u " + key + "=" + v.get("after").get("value").asText() + " (was "
          + v.get("before").get("value").asText() + ")";
      case "d" -> "d " + key + " (was " + v.get("before").get("value").asText() + ")";
      default -> "unknown op " + op + " for " + key;
    };
  }

  @Override
  public void close() {
    try {
      connect.stop();
    } finally {
      raftkv.close();
    }
  }
}
