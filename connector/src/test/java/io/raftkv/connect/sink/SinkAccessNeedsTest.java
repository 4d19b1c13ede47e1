package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.connect.config.PrefixNeed;
import io.raftkv.connect.config.RaftKvSinkConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** The prefixes a sink config writes, as validation checks its user's permissions on them. */
class SinkAccessNeedsTest {
  private static List<PrefixNeed> needs(Map<String, String> props) {
    Map<String, String> all = new HashMap<>(Map.of("raftkv.endpoints", "127.0.0.1:7001"));
    all.putAll(props);
    Map<String, ConfigValue> values = RaftKvSinkConfig.CONFIG_DEF.validate(all).stream()
        .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
    return SinkAccessNeeds.of(all, values);
  }

  @Test
  void eachListedTopicsPrefixAndTheConnectorsStoredOffsetsNeedReadwrite() {
    assertThat(needs(Map.of("name", "s", "topics", "orders,customers", "key.prefix.overrides", "customers=people/")))
        .containsExactly(
            new PrefixNeed("orders/", true, "key.prefix", "the keys of topic 'orders'"),
            new PrefixNeed("people/", true, "key.prefix.overrides", "the keys of topic 'customers'"),
            new PrefixNeed("__raftkv/connect/sink/s/", true, "name", "the sink's stored offsets"));
  }

  @Test
  void topicsSharingAPrefixNeedItOnce() {
    assertThat(needs(Map.of("topics", "a,b", "key.prefix", "all/"))).containsExactly(
        new PrefixNeed("all/", true, "key.prefix", "the keys of topic 'a'"));
  }

  @Test
  void withATopicRegexOnlyTheOverridesAndATemplateWithoutTheTopicAreKnown() {
    assertThat(needs(Map.of("topics.regex", "events-.*", "key.prefix.overrides", "events-x=x/"))).containsExactly(
        new PrefixNeed("x/", true, "key.prefix.overrides", "the keys of topic 'events-x'"));
    assertThat(needs(Map.of("topics.regex", "events-.*", "key.prefix", "events/"))).containsExactly(
        new PrefixNeed("events/", true, "key.prefix", "the keys of the topics matching topics.regex"));
  }

  @Test
  void anInvalidPrefixOptionContributesNothing() {
    assertThat(needs(Map.of("topics", "a", "key.prefix", "__raftkv/mine/"))).isEmpty();
  }
}
