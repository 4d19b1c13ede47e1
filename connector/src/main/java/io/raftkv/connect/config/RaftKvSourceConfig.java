package io.raftkv.connect.config;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The source connector's options: the cluster, which changes to read and from where, the topic, the
 * record format and the size of each poll.
 */
public final class RaftKvSourceConfig extends AbstractConfig {
  public static final String FEED_GROUP = "Change feed";
  public static final String TOPIC_GROUP = "Topic";
  public static final String FORMAT_GROUP = "Record format";
  public static final String POLL_GROUP = "Polling";

  public static final String CLUSTER_NAME = "raftkv.cluster.name";
  private static final String CLUSTER_NAME_DOC = "Logical name of the RaftKV cluster. It keys the connector's "
      + "offsets (source partition {\"cluster\": name}), fills source.cluster in each event, names the topic "
      + "with topic.prefix and the envelope's schema (io.raftkv.<name>.Envelope). Empty: the cluster id the "
      + "nodes report. Changing it later makes the connector start afresh (its offsets are under the old name).";

  public static final String KEY_PREFIX = "raftkv.key.prefix";
  private static final String KEY_PREFIX_DOC = "Only changes of keys that start with this (UTF-8) are read; "
      + "empty: every key. Filtered on the server.";

  public static final String INCLUDE_INTERNAL = "raftkv.include.internal";
  private static final String INCLUDE_INTERNAL_DOC = "Whether changes of keys under "
      + KeyPrefixes.RESERVED_NAMESPACE + " (the RaftKV connectors' own state, e.g. the sink's stored offsets) "
      + "are emitted too. Off by default: they are skipped.";

  public static final String START = "raftkv.start";
  private static final String START_DOC = "Where to begin when the connector has no stored offset yet: "
      + "snapshot (every existing key as an 'r' event at one applied index, then the changes after it), now "
      + "(changes applied after the task first starts) or index (changes from " + "raftkv.start.index"
      + " on). Once the connector has an offset it resumes right after it and this is not looked at.";

  public static final String START_INDEX = "raftkv.start.index";
  private static final String START_INDEX_DOC = "With raftkv.start=index: the first log index to read changes "
      + "from (1 or more). The change feed must still hold it.";

  public static final String ON_COMPACTED = "raftkv.on.compacted";
  private static final String ON_COMPACTED_DOC = "What to do when the change feed no longer holds the position "
      + "to resume from (its retention dropped it): fail (the task fails naming the position and how to "
      + "recover) or snapshot (take a new snapshot of every key, then stream; the changes in between are "
      + "lost as changes but their result is in the snapshot).";

  public static final String TOPIC = "topic";
  private static final String TOPIC_DOC = "The topic every change event is written to. Set this or "
      + "topic.prefix, not both.";

  public static final String TOPIC_PREFIX = "topic.prefix";
  private static final String TOPIC_PREFIX_DOC = "Change events go to the topic <topic.prefix>.<cluster name> "
      + "(see raftkv.cluster.name). Set this or topic, not both.";

  public static final String KEY_FORMAT = "raftkv.key.format";
  private static final String KEY_FORMAT_DOC = "How RaftKV keys appear in records (the record key and the "
      + "key field of before/after): string (UTF-8 text; a key that is not UTF-8 fails the task) or bytes.";

  public static final String VALUE_FORMAT = "raftkv.value.format";
  private static final String VALUE_FORMAT_DOC = "How RaftKV values appear in before/after: string (UTF-8 text; "
      + "a value that is not UTF-8 fails the task) or bytes.";

  public static final String TOMBSTONES_ON_DELETE = "tombstones.on.delete";
  private static final String TOMBSTONES_ON_DELETE_DOC = "Whether each delete event is followed by a tombstone "
      + "(same key, null value), so a compacted topic forgets the key, as Debezium does.";

  public static final String BATCH_MAX_EVENTS = "batch.max.events";
  private static final String BATCH_MAX_EVENTS_DOC = "Most change events one poll hands to Kafka Connect (a "
      + "delete's tombstone comes along with it). With exactly-once support each poll is one transaction.";

  public static final String POLL_INTERVAL_MS = "poll.interval.ms";
  private static final String POLL_INTERVAL_MS_DOC = "Longest a poll waits for the first change when none is "
      + "ready; it returns as soon as one is.";

  /** Kafka Connect's connector name; it is source.name in each event. */
  public static final String NAME = "name";

  public static final ConfigDef CONFIG_DEF = configDef();

  public RaftKvSourceConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
  }

  private static ConfigDef configDef() {
    return RaftKvClusterConfig.define(new ConfigDef())
        .define(CLUSTER_NAME, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM, CLUSTER_NAME_DOC,
            RaftKvClusterConfig.GROUP, 3, ConfigDef.Width.MEDIUM, "Cluster name")
        .define(KEY_PREFIX, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM, KEY_PREFIX_DOC, FEED_GROUP, 1,
            ConfigDef.Width.MEDIUM, "Key prefix")
        .define(INCLUDE_INTERNAL, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW, INCLUDE_INTERNAL_DOC,
            FEED_GROUP, 2, ConfigDef.Width.SHORT, "Include internal keys")
        .define(START, ConfigDef.Type.STRING, StartPosition.SNAPSHOT.configValue(),
            ChoiceValidator.of(StartPosition.class), ConfigDef.Importance.HIGH, START_DOC, FEED_GROUP, 3,
            ConfigDef.Width.SHORT, "Start position")
        .define(START_INDEX, ConfigDef.Type.LONG, null, new OptionalAtLeast(1), ConfigDef.Importance.MEDIUM,
            START_INDEX_DOC, FEED_GROUP, 4, ConfigDef.Width.SHORT, "Start index")
        .define(ON_COMPACTED, ConfigDef.Type.STRING, OnCompacted.FAIL.configValue(),
            ChoiceValidator.of(OnCompacted.class), ConfigDef.Importance.MEDIUM, ON_COMPACTED_DOC, FEED_GROUP, 5,
            ConfigDef.Width.SHORT, "On compacted feed")
        .define(TOPIC, ConfigDef.Type.STRING, "", new TopicNameValidator(), ConfigDef.Importance.HIGH, TOPIC_DOC,
            TOPIC_GROUP, 1, ConfigDef.Width.MEDIUM, "Topic")
        .define(TOPIC_PREFIX, ConfigDef.Type.STRING, "", new TopicNameValidator(), ConfigDef.Importance.HIGH,
            TOPIC_PREFIX_DOC, TOPIC_GROUP, 2, ConfigDef.Width.MEDIUM, "Topic prefix")
        .define(KEY_FORMAT, ConfigDef.Type.STRING, ByteFormat.STRING.configValue(),
            ChoiceValidator.of(ByteFormat.class), ConfigDef.Importance.MEDIUM, KEY_FORMAT_DOC, FORMAT_GROUP, 1,
            ConfigDef.Width.SHORT, "Key format")
        .define(VALUE_FORMAT, ConfigDef.Type.STRING, ByteFormat.STRING.configValue(),
            ChoiceValidator.of(ByteFormat.class), ConfigDef.Importance.MEDIUM, VALUE_FORMAT_DOC, FORMAT_GROUP, 2,
            ConfigDef.Width.SHORT, "Value format")
        .define(TOMBSTONES_ON_DELETE, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.MEDIUM,
            TOMBSTONES_ON_DELETE_DOC, FORMAT_GROUP, 3, ConfigDef.Width.SHORT, "Tombstones on delete")
        .define(BATCH_MAX_EVENTS, ConfigDef.Type.INT, 2048, ConfigDef.Range.between(1, 100_000),
            ConfigDef.Importance.LOW, BATCH_MAX_EVENTS_DOC, POLL_GROUP, 1, ConfigDef.Width.SHORT, "Events per poll")
        .define(POLL_INTERVAL_MS, ConfigDef.Type.LONG, 500L, ConfigDef.Range.between(1, 60_000),
            ConfigDef.Importance.LOW, POLL_INTERVAL_MS_DOC, POLL_GROUP, 2, ConfigDef.Width.SHORT,
            "Poll wait (ms)");
  }

  /** The configured logical cluster name, or empty to use the cluster id the nodes report. */
  public Optional<String> clusterName() {
    String name = getString(CLUSTER_NAME).trim();
    return name.isEmpty() ? Optional.empty() : Optional.of(name);
  }

  public ByteString keyPrefix() {
    return ByteString.copyFromUtf8(getString(KEY_PREFIX));
  }

  public boolean includeInternal() {
    return getBoolean(INCLUDE_INTERNAL);
  }

  public StartPosition start() {
    return ConfigChoice.find(StartPosition.class, getString(START));
  }

  public OptionalLong startIndex() {
    Long index = getLong(START_INDEX);
    return index == null ? OptionalLong.empty() : OptionalLong.of(index);
  }

  public OnCompacted onCompacted() {
    return ConfigChoice.find(OnCompacted.class, getString(ON_COMPACTED));
  }

  /** The fixed topic, if one is set. */
  public Optional<String> topic() {
    return nonEmpty(getString(TOPIC));
  }

  /** The topic prefix, if one is set. */
  public Optional<String> topicPrefix() {
    return nonEmpty(getString(TOPIC_PREFIX));
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  public ByteFormat keyFormat() {
    return ConfigChoice.find(ByteFormat.class, getString(KEY_FORMAT));
  }

  public ByteFormat valueFormat() {
    return ConfigChoice.find(ByteFormat.class, getString(VALUE_FORMAT));
  }

  public boolean tombstonesOnDelete() {
    return getBoolean(TOMBSTONES_ON_DELETE);
  }

  public int batchMaxEvents() {
    return getInt(BATCH_MAX_EVENTS);
  }

  public Duration pollInterval() {
    return Duration.ofMillis(getLong(POLL_INTERVAL_MS));
  }

  /** The connector's name as Kafka Connect gave it (empty outside a worker). */
  public String connectorName() {
    String name = originalsStrings().get(NAME);
    return name == null ? "" : name;
  }
}
