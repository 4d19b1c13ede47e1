package io.raftkv.connect.source;

import io.raftkv.connect.config.RaftKvSourceConfig;
import org.apache.kafka.common.config.ConfigException;

/** The topic the source writes to: the fixed {@code topic}, or {@code <topic.prefix>.<cluster name>}. */
final class SourceTopic {
  private static final int MAX_LENGTH = 249;

  private SourceTopic() {}

  /** @throws ConfigException if the prefix and cluster name make too long a topic name */
  static String of(RaftKvSourceConfig config, String clusterName) {
    if (config.topic().isPresent()) {
      return config.topic().get();
    }
    String prefix = config.topicPrefix().orElseThrow(() -> new ConfigException("neither "
        + RaftKvSourceConfig.TOPIC + " nor " + RaftKvSourceConfig.TOPIC_PREFIX + " is set"));
    String topic = prefix + "." + clusterName.replaceAll("[^a-zA-Z0-9._-]", "_");
    if (topic.length() > MAX_LENGTH) {
      throw new ConfigException(RaftKvSourceConfig.TOPIC_PREFIX, prefix, "with the cluster name '" + clusterName
          + "' it makes the topic name '" + topic + "', longer than Kafka's " + MAX_LENGTH + " characters: "
          + "shorten it, set " + RaftKvSourceConfig.CLUSTER_NAME + " to a shorter name, or set "
          + RaftKvSourceConfig.TOPIC + " instead");
    }
    return topic;
  }
}
