package io.raftkv.connect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RaftKvSourceConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> props = new HashMap<>();
    props.put("raftkv.endpoints", "127.0.0.1:7001");
    props.put("topic", "events");
    return props;
  }

  @Test
  void defaultsSnapshotStartFailOnCompactedStringFormatsAndTombstones() {
    RaftKvSourceConfig config = new RaftKvSourceConfig(minimal());
    assertThat(config.start()).isEqualTo(StartPosition.SNAPSHOT);
    assertThat(config.onCompacted()).isEqualTo(OnCompacted.FAIL);
    assertThat(config.keyFormat()).isEqualTo(ByteFormat.STRING);
    assertThat(config.valueFormat()).isEqualTo(ByteFormat.STRING);
    assertThat(config.tombstonesOnDelete()).isTrue();
    assertThat(config.includeInternal()).isFalse();
    assertThat(config.keyPrefix().isEmpty()).isTrue();
    assertThat(config.clusterName()).isEmpty();
    assertThat(config.topic()).contains("events");
    assertThat(config.topicPrefix()).isEmpty();
    assertThat(config.startIndex()).isEmpty();
    SourceConfigConflicts.requireNone(config);
  }

  @Test
  void choicesAreReadWhateverTheirCase() {
    Map<String, String> props = minimal();
    props.put("raftkv.start", " Index ");
    props.put("raftkv.start.index", "40");
    props.put("raftkv.on.compacted", "SNAPSHOT");
    props.put("raftkv.key.format", "Bytes");
    RaftKvSourceConfig config = new RaftKvSourceConfig(props);
    assertThat(config.start()).isEqualTo(StartPosition.INDEX);
    assertThat(config.startIndex()).hasValue(40);
    assertThat(config.onCompacted()).isEqualTo(OnCompacted.SNAPSHOT);
    assertThat(config.keyFormat()).isEqualTo(ByteFormat.BYTES);
  }

  @Test
  void unknownChoiceIsRefusedListingEveryAllowedValue() {
    Map<String, String> props = minimal();
    props.put("raftkv.on.compacted", "retry");
    assertThatThrownBy(() -> new RaftKvSourceConfig(props)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid value retry for configuration raftkv.on.compacted: 'retry' is not allowed: "
            + "use fail (the task fails, naming the position asked for and how to recover), snapshot (");
  }

  @Test
  void conflictsBetweenOptionsFailTheStartNamingTheOption() {
    Map<String, String> both = minimal();
    both.put("topic.prefix", "raftkv");
    assertThatThrownBy(() -> SourceConfigConflicts.requireNone(new RaftKvSourceConfig(both)))
        .hasMessageContaining("topic: both topic='events' and topic.prefix='raftkv' are set");
    Map<String, String> neither = minimal();
    neither.remove("topic");
    assertThatThrownBy(() -> SourceConfigConflicts.requireNone(new RaftKvSourceConfig(neither)))
        .hasMessageContaining("topic: no topic given");
    Map<String, String> noIndex = minimal();
    noIndex.put("raftkv.start", "index");
    assertThatThrownBy(() -> SourceConfigConflicts.requireNone(new RaftKvSourceConfig(noIndex)))
        .hasMessageContaining("raftkv.start.index: raftkv.start=index needs raftkv.start.index");
    Map<String, String> internal = minimal();
    internal.put("raftkv.key.prefix", "__raftkv/x");
    assertThatThrownBy(() -> SourceConfigConflicts.requireNone(new RaftKvSourceConfig(internal)))
        .hasMessageContaining("lies under __raftkv/");
  }

  @Test
  void topicNamesKafkaWouldRefuseAreRefused() {
    TopicNameValidator v = new TopicNameValidator();
    v.ensureValid("topic", "");
    v.ensureValid("topic", "a.b_c-1");
    assertThatThrownBy(() -> v.ensureValid("topic", "..")).hasMessageContaining("is not a Kafka topic name");
    assertThatThrownBy(() -> v.ensureValid("topic", "x".repeat(250))).hasMessageContaining("1 to 249");
    assertThatThrownBy(() -> v.ensureValid("topic", "a/b")).hasMessageContaining("'a/b' is not a Kafka topic name");
  }
}
