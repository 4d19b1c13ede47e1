package io.raftkv.connect.sink;

import io.raftkv.connect.config.KeyPrefixes;
import io.raftkv.connect.config.PrefixNeed;
import io.raftkv.connect.config.RaftKvSinkConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The key prefixes a sink config writes, as validation can tell them before any record: each listed topic's prefix
 * (with {@code topics.regex}, the overrides' and a template without {@code ${topic}}), and the connector's stored
 * offsets. The sink needs readwrite on each.
 */
final class SinkAccessNeeds {
  private SinkAccessNeeds() {}

  /** The prefixes of {@code props}; none of an option whose value is invalid ({@code values} carry its error). */
  static List<PrefixNeed> of(Map<String, String> props, Map<String, ConfigValue> values) {
    Map<String, PrefixNeed> out = new LinkedHashMap<>();
    ConfigValue template = values.get(RaftKvSinkConfig.KEY_PREFIX);
    ConfigValue overrides = values.get(RaftKvSinkConfig.KEY_PREFIX_OVERRIDES);
    if (template.errorMessages().isEmpty() && overrides.errorMessages().isEmpty()) {
      @SuppressWarnings("unchecked")
      KeyPrefixes prefixes = KeyPrefixes.parse((String) template.value(), (List<String>) overrides.value());
      for (String topic : listed(props.get("topics"))) {
        boolean overridden = prefixes.overrides().containsKey(topic);
        String prefix = prefixes.prefixFor(topic);
        out.putIfAbsent(prefix, new PrefixNeed(prefix, true, overridden ? RaftKvSinkConfig.KEY_PREFIX_OVERRIDES
            : RaftKvSinkConfig.KEY_PREFIX, "the keys of topic '" + topic + "'"));
      }
      if (!props.getOrDefault("topics.regex", "").isBlank()) {
        prefixes.overrides().forEach((topic, prefix) -> out.putIfAbsent(prefix, new PrefixNeed(prefix, true,
            RaftKvSinkConfig.KEY_PREFIX_OVERRIDES, "the keys of topic '" + topic + "'")));
        if (!prefixes.templateNamesTopic()) {
          out.putIfAbsent(prefixes.template(), new PrefixNeed(prefixes.template(), true, RaftKvSinkConfig.KEY_PREFIX,
              "the keys of the topics matching topics.regex"));
        }
      }
    }
    String name = props.get(RaftKvSinkConfig.NAME);
    if (name != null && !name.isBlank()) {
      String offsets = OffsetStore.NAMESPACE + name + "/";
      out.putIfAbsent(offsets, new PrefixNeed(offsets, true, RaftKvSinkConfig.NAME, "the sink's stored offsets"));
    }
    return List.copyOf(out.values());
  }

  private static List<String> listed(String commaSeparated) {
    List<String> out = new ArrayList<>();
    if (commaSeparated != null) {
      for (String t : commaSeparated.split(",")) {
        if (!t.isBlank()) {
          out.add(t.trim());
        }
      }
    }
    return out;
  }
}
