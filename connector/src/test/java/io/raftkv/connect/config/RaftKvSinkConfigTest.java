package io.raftkv.connect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RaftKvSinkConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> props = new HashMap<>();
    props.put("name", "s");
    props.put("raftkv.endpoints", "127.0.0.1:7001, 127.0.0.1:7002");
    return props;
  }

  @Test
  void defaultsMatchTheServerLimitsAndPrefixEachKeyWithItsTopic() {
    RaftKvSinkConfig config = new RaftKvSinkConfig(minimal());
    assertThat(RaftKvClusterConfig.endpoints(config)).containsExactly("127.0.0.1:7001", "127.0.0.1:7002");
    assertThat(config.writeLimits()).isEqualTo(WriteLimits.SERVER_DEFAULTS);
    assertThat(config.keyPrefixes().prefixFor("orders")).isEqualTo("orders/");
    assertThat(config.toleratesBadRecords()).isFalse();
    assertThat(config.connectorName()).isEqualTo("s");
  }

  @Test
  void overrideReplacesTheTemplateForItsTopicOnly() {
    KeyPrefixes prefixes = KeyPrefixes.parse("t/${topic}/${topic}:", List.of("a=", "b=bee/"));
    assertThat(prefixes.prefixFor("a")).isEmpty();
    assertThat(prefixes.prefixFor("b")).isEqualTo("bee/");
    assertThat(prefixes.prefixFor("c")).isEqualTo("t/c/c:");
  }

  @Test
  void missingEndpointsAreRefusedByName() {
    Map<String, String> props = minimal();
    props.remove("raftkv.endpoints");
    assertThatThrownBy(() -> new RaftKvSinkConfig(props)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("raftkv.endpoints");
  }

  @Test
  void malformedEndpointIsRefusedNamingItAndTheExpectedForm() {
    Map<String, String> props = minimal();
    props.put("raftkv.endpoints", "127.0.0.1:7001,node2");
    assertThatThrownBy(() -> new RaftKvSinkConfig(props)).isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 127.0.0.1:7001,node2 for configuration raftkv.endpoints: 'node2' is not an "
            + "address: expected host:port");
  }

  @Test
  void badOverrideEntryIsRefusedNamingIt() {
    Map<String, String> props = minimal();
    props.put("key.prefix.overrides", "ok=x/,bad topic=y/");
    assertThatThrownBy(() -> new RaftKvSinkConfig(props)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry 'bad topic=y/' names topic 'bad topic': a topic name is 1 or more of "
            + "a-z A-Z 0-9 . _ -");
  }

  @Test
  void taskWithoutConnectorNameIsRefused() {
    Map<String, String> props = minimal();
    props.remove("name");
    assertThatThrownBy(() -> new RaftKvSinkConfig(props).connectorName()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("it keys the stored offsets");
  }

  @Test
  void toleranceAllIsReadFromConnectsOwnOption() {
    Map<String, String> props = minimal();
    props.put("errors.tolerance", "all");
    assertThat(new RaftKvSinkConfig(props).toleratesBadRecords()).isTrue();
  }
}
