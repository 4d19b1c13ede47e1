package io.raftkv.connect.sink;

import io.raftkv.api.Op;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.connect.Version;
import io.raftkv.connect.config.AuthSettings;
import io.raftkv.connect.config.ClusterProbe;
import io.raftkv.connect.config.RaftKvClusterConfig;
import io.raftkv.connect.config.RaftKvSinkConfig;
import io.raftkv.connect.config.SinkConfigConflicts;
import io.raftkv.connect.config.SslSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kafka Connect sink that writes each record to RaftKV as a put (a tombstone as a delete), exactly once. */
public final class RaftKvSinkConnector extends SinkConnector {
  private static final Logger log = LoggerFactory.getLogger(RaftKvSinkConnector.class);
  /** The longest validate() waits for the cluster to answer. */

  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    RaftKvSinkConfig config = new RaftKvSinkConfig(props);
    config.keyPrefixes();
    config.connectorName();
    // A missing TLS option, or a user without a password, fails the connector itself, before any task connects.
    SslSettings.of(config).tlsFiles();
    AuthSettings.of(config).requireValid();
    this.props = Map.copyOf(props);
    log.info("RaftKV sink connector {} started for {}", config.connectorName(),
        RaftKvClusterConfig.endpoints(config));
  }

  @Override
  public Class<? extends Task> taskClass() {
    return RaftKvSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return Collections.nCopies(maxTasks, props);
  }

  @Override
  public void stop() {
    // Tasks own the clients; the connector holds nothing open.
  }

  @Override
  public ConfigDef config() {
    return RaftKvSinkConfig.CONFIG_DEF;
  }

  /**
   * Each option's own checks, then conflicts between options, then whether the cluster answers and lets the
   * connector's user read the prefixes it writes (write permission shows at the first write: see AccessProbe).
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = config.configValues().stream()
        .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
    SinkConfigConflicts.check(connectorConfigs, values);
    ClusterProbe.check(values, SinkAccessNeeds.of(connectorConfigs, values));
    return config;
  }

  /**
   * Keeps the stored offsets in RaftKV in step with the offsets set through the worker's REST API
   * (PATCH or DELETE /connectors/{name}/offsets, connector stopped): the task rewinds to them.
   */
  @Override
  public boolean alterOffsets(Map<String, String> connectorConfig, Map<TopicPartition, Long> offsets) {
    RaftKvSinkConfig config = new RaftKvSinkConfig(connectorConfig);
    OffsetStore store = new OffsetStore(config.connectorName());
    List<Op> ops = new ArrayList<>();
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      Long next = e.getValue();
      // A consumer offset is the next record to read; the store holds the last one written.
      ops.add(next == null || next == 0 ? store.delete(e.getKey()) : store.put(e.getKey(), next - 1));
    }
    int perWrite = config.writeLimits().maxOpsPerWrite();
    try (RaftKvClient client = RaftKvClusterConfig.connect(config)) {
      for (int from = 0; from < ops.size(); from += perWrite) {
        client.write(ops.subList(from, Math.min(ops.size(), from + perWrite)));
      }
    } catch (RaftKvException e) {
      throw new ConnectException("could not store the new offsets " + offsets + " in RaftKV at "
          + config.getString(RaftKvClusterConfig.ENDPOINTS) + ": " + e.getMessage(), e);
    }
    log.info("Stored offsets of connector {} set to {} (next offset to read; null: reset)", config.connectorName(),
        offsets);
    return true;
  }
}
