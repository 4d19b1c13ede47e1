package io.raftkv.connect.config;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The sink connector's options: the cluster, how record keys map to RaftKV keys, and write sizes. */
public final class RaftKvSinkConfig extends AbstractConfig {
  public static final String KEYS_GROUP = "Keys";
  public static final String WRITES_GROUP = "Writes";

  public static final String KEY_PREFIX = "key.prefix";
  public static final String KEY_PREFIX_DEFAULT = KeyPrefixes.TOPIC_PLACEHOLDER + "/";
  private static final String KEY_PREFIX_DOC = "Prepended to each record's key to make its RaftKV key, so "
      + "topics keep apart. " + KeyPrefixes.TOPIC_PLACEHOLDER + " is replaced by the record's topic (after "
      + "transforms). Empty: the record key is the RaftKV key. Keys under " + KeyPrefixes.RESERVED_NAMESPACE
      + " are reserved.";

  public static final String KEY_PREFIX_OVERRIDES = "key.prefix.overrides";
  private static final String KEY_PREFIX_OVERRIDES_DOC = "Per-topic prefixes that replace " + KEY_PREFIX
      + " for the topics they name: a comma-separated list of topic=prefix (prefix may be empty).";

  public static final String WRITE_MAX_OPS = "raftkv.write.max.ops";
  private static final String WRITE_MAX_OPS_DOC = "Most operations in one RaftKV write (one Raft entry), the "
      + "stored offsets included: a larger batch of records is split into several writes. At most the server's "
      + "limit (10000 by default).";

  public static final String WRITE_MAX_BYTES = "raftkv.write.max.bytes";
  private static final String WRITE_MAX_BYTES_DOC = "Largest RaftKV write request in bytes: a larger batch of "
      + "records is split. At most the server's limit (8 MiB by default).";

  public static final String KEY_MAX_BYTES = "raftkv.key.max.bytes";
  private static final String KEY_MAX_BYTES_DOC = "Longest RaftKV key in bytes, prefix included; a record "
      + "with a longer key is a bad record (see errors.tolerance). The server's limit (4096 by default).";

  public static final String VALUE_MAX_BYTES = "raftkv.value.max.bytes";
  private static final String VALUE_MAX_BYTES_DOC = "Longest value in bytes; a record with a longer value is "
      + "a bad record (see errors.tolerance). The server's limit (1 MiB by default).";

  public static final String RETRY_BACKOFF_MS = "raftkv.retry.backoff.ms";
  private static final String RETRY_BACKOFF_MS_DOC = "How long Kafka Connect waits before redelivering a "
      + "batch whose write failed for a transient reason (no leader, timeout).";

  /** Kafka Connect's own option; the task reads it to choose between the dead-letter queue and failing. */
  public static final String ERRORS_TOLERANCE = "errors.tolerance";
  /** Kafka Connect's connector name; it keys the stored offsets. */
  public static final String NAME = "name";

  public static final ConfigDef CONFIG_DEF = configDef();

  public RaftKvSinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
  }

  private static ConfigDef configDef() {
    WriteLimits limits = WriteLimits.SERVER_DEFAULTS;
    return RaftKvClusterConfig.define(new ConfigDef())
        .define(KEY_PREFIX, ConfigDef.Type.STRING, KEY_PREFIX_DEFAULT, new KeyPrefixTemplateValidator(),
            ConfigDef.Importance.MEDIUM, KEY_PREFIX_DOC, KEYS_GROUP, 1, ConfigDef.Width.MEDIUM, "Key prefix")
        .define(KEY_PREFIX_OVERRIDES, ConfigDef.Type.LIST, "", new PrefixOverridesValidator(),
            ConfigDef.Importance.LOW, KEY_PREFIX_OVERRIDES_DOC, KEYS_GROUP, 2, ConfigDef.Width.LONG,
            "Per-topic key prefixes")
        .define(WRITE_MAX_OPS, ConfigDef.Type.INT, limits.maxOpsPerWrite(), ConfigDef.Range.atLeast(2),
            ConfigDef.Importance.LOW, WRITE_MAX_OPS_DOC, WRITES_GROUP, 1, ConfigDef.Width.SHORT,
            "Operations per write")
        .define(WRITE_MAX_BYTES, ConfigDef.Type.INT, limits.maxWriteBytes(), ConfigDef.Range.atLeast(1024),
            ConfigDef.Importance.LOW, WRITE_MAX_BYTES_DOC, WRITES_GROUP, 2, ConfigDef.Width.SHORT, "Bytes per write")
        .define(KEY_MAX_BYTES, ConfigDef.Type.INT, limits.maxKeyBytes(), ConfigDef.Range.atLeast(1),
            ConfigDef.Importance.LOW, KEY_MAX_BYTES_DOC, WRITES_GROUP, 3, ConfigDef.Width.SHORT, "Key size limit")
        .define(VALUE_MAX_BYTES, ConfigDef.Type.INT, limits.maxValueBytes(), ConfigDef.Range.atLeast(0),
            ConfigDef.Importance.LOW, VALUE_MAX_BYTES_DOC, WRITES_GROUP, 4, ConfigDef.Width.SHORT,
            "Value size limit")
        .define(RETRY_BACKOFF_MS, ConfigDef.Type.LONG, 1000L, ConfigDef.Range.between(0, 60_000),
            ConfigDef.Importance.LOW, RETRY_BACKOFF_MS_DOC, WRITES_GROUP, 5, ConfigDef.Width.SHORT,
            "Retry backoff (ms)");
  }

  public KeyPrefixes keyPrefixes() {
    return KeyPrefixes.parse(getString(KEY_PREFIX), getList(KEY_PREFIX_OVERRIDES));
  }

  public WriteLimits writeLimits() {
    return new WriteLimits(getInt(KEY_MAX_BYTES), getInt(VALUE_MAX_BYTES), getInt(WRITE_MAX_OPS),
        getInt(WRITE_MAX_BYTES));
  }

  public Duration retryBackoff() {
    return Duration.ofMillis(getLong(RETRY_BACKOFF_MS));
  }

  /** The connector's name, which keys its stored offsets. */
  public String connectorName() {
    String name = originalsStrings().get(NAME);
    if (name == null || name.isBlank()) {
      throw new ConfigException(NAME, name, "the sink needs its connector name: it keys the stored offsets");
    }
    return name;
  }

  /** Whether bad records are skipped (errors.tolerance=all) rather than failing the task. */
  public boolean toleratesBadRecords() {
    return "all".equalsIgnoreCase(String.valueOf(originals().get(ERRORS_TOLERANCE)).trim());
  }
}
