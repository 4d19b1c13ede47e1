package io.raftkv.connect.source;

import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.connect.Version;
import io.raftkv.connect.config.AuthSettings;
import io.raftkv.connect.config.ClusterProbe;
import io.raftkv.connect.config.PrefixNeed;
import io.raftkv.connect.config.RaftKvClusterConfig;
import io.raftkv.connect.config.RaftKvSourceConfig;
import io.raftkv.connect.config.SourceConfigConflicts;
import io.raftkv.connect.config.SslSettings;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect source that emits every change applied in RaftKV as a Debezium-style change event, from one
 * task (the change feed is one ordered stream), exactly once under a worker with exactly-once support.
 */
public final class RaftKvSourceConnector extends SourceConnector {
  private static final Logger log = LoggerFactory.getLogger(RaftKvSourceConnector.class);
  /** The longest validate() waits for the cluster to answer. */

  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    RaftKvSourceConfig config = new RaftKvSourceConfig(props);
    SourceConfigConflicts.requireNone(config);
    // A missing TLS option, or a user without a password, fails the connector itself, before any task connects.
    SslSettings.of(config).tlsFiles();
    AuthSettings.of(config).requireValid();
    this.props = Map.copyOf(props);
    log.info("RaftKV source connector {} started for {}", config.connectorName(),
        RaftKvClusterConfig.endpoints(config));
  }

  @Override
  public Class<? extends Task> taskClass() {
    return RaftKvSourceTask.class;
  }

  /** One task whatever tasks.max says: the change feed is one ordered stream. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return List.of(props);
  }

  @Override
  public void stop() {
    // The task owns the client; the connector holds nothing open.
  }

  @Override
  public ConfigDef config() {
    return RaftKvSourceConfig.CONFIG_DEF;
  }

  /**
   * Each option's own checks, then conflicts between options, then whether the cluster answers and lets the
   * connector's user read the prefix it watches.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = config.configValues().stream()
        .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
    SourceConfigConflicts.check(values);
    ConfigValue prefix = values.get(RaftKvSourceConfig.KEY_PREFIX);
    ClusterProbe.check(values, prefix.errorMessages().isEmpty() ? List.of(new PrefixNeed((String) prefix.value(),
        false, RaftKvSourceConfig.KEY_PREFIX, "the keys it watches")) : List.of());
    return config;
  }

  /** Each change is written once per poll transaction with its offset, so a worker can run this exactly once. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED;
  }

  /**
   * Accepts offsets set through the worker's REST API (connector stopped) only if they are ones this connector
   * writes, for this connector's cluster: the task resumes right after them.
   */
  @Override
  public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
    RaftKvSourceConfig config = new RaftKvSourceConfig(connectorConfig);
    String cluster = null;
    for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
      String named;
      try {
        named = SourcePartition.clusterOf(e.getKey());
        if (e.getValue() != null) {
          SourceOffset.toPosition(e.getValue());
        }
      } catch (IllegalArgumentException bad) {
        throw new ConnectException(bad.getMessage(), bad);
      }
      if (cluster == null) {
        cluster = clusterName(config);
      }
      if (!named.equals(cluster)) {
        throw new ConnectException("source partition " + e.getKey() + " names cluster '" + named + "', but this "
            + "connector reads cluster '" + cluster + "' (" + (config.clusterName().isPresent()
            ? RaftKvSourceConfig.CLUSTER_NAME : "the id its nodes report") + "): use {\"cluster\": \"" + cluster
            + "\"}");
      }
    }
    log.info("Offsets of source connector {} set to {} (null: reset)", config.connectorName(), offsets);
    return true;
  }

  private static String clusterName(RaftKvSourceConfig config) {
    if (config.clusterName().isPresent()) {
      return config.clusterName().get();
    }
    try (RaftKvClient client = RaftKvClusterConfig.connect(config)) {
      return ClusterStatus.clusterId(client);
    } catch (RaftKvException e) {
      throw new ConnectException("cannot check the offsets' cluster name: " + e.getMessage() + ". Start the "
          + "cluster, or set " + RaftKvSourceConfig.CLUSTER_NAME + " so the name is known without asking it", e);
    }
  }
}
