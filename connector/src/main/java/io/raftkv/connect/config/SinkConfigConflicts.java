package io.raftkv.connect.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;

/** Cross-option checks of a sink config that no single option's validator can see. */
public final class SinkConfigConflicts {
  /** Kafka Connect's sink options that list the topics. */
  static final String TOPICS = "topics";
  static final String TOPICS_REGEX = "topics.regex";
  /** Room for one stored-offset operation in a write (its key names the connector, topic and partition). */
  private static final int OFFSET_OP_BYTES = 512;

  private SinkConfigConflicts() {}

  /**
   * Adds an error to each option that conflicts with another. Options whose own value is invalid (they
   * already carry an error) are left out of these checks.
   */
  public static void check(Map<String, String> props, Map<String, ConfigValue> values) {
    checkWriteFitsOneRecord(values);
    checkTopicsKeepApart(props, values);
  }

  private static boolean valid(Map<String, ConfigValue> values, String... names) {
    for (String name : names) {
      ConfigValue v = values.get(name);
      if (v == null || !v.errorMessages().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static int intValue(Map<String, ConfigValue> values, String name) {
    return ((Number) values.get(name).value()).intValue();
  }

  private static void checkWriteFitsOneRecord(Map<String, ConfigValue> values) {
    String max = RaftKvSinkConfig.WRITE_MAX_BYTES;
    if (!valid(values, max, RaftKvSinkConfig.KEY_MAX_BYTES, RaftKvSinkConfig.VALUE_MAX_BYTES)) {
      return;
    }
    long needed = (long) intValue(values, RaftKvSinkConfig.KEY_MAX_BYTES)
        + intValue(values, RaftKvSinkConfig.VALUE_MAX_BYTES) + WriteLimits.OP_OVERHEAD_BYTES
        + WriteLimits.REQUEST_OVERHEAD_BYTES + OFFSET_OP_BYTES;
    if (intValue(values, max) < needed) {
      values.get(max).addErrorMessage(max + "=" + intValue(values, max) + " cannot hold one record with the "
          + "longest key (" + RaftKvSinkConfig.KEY_MAX_BYTES + ") and value (" + RaftKvSinkConfig.VALUE_MAX_BYTES
          + ") allowed plus its stored offset: raise it to at least " + needed + " or lower those limits");
    }
  }

  private static void checkTopicsKeepApart(Map<String, String> props, Map<String, ConfigValue> values) {
    String prefixName = RaftKvSinkConfig.KEY_PREFIX;
    String overridesName = RaftKvSinkConfig.KEY_PREFIX_OVERRIDES;
    if (!valid(values, prefixName, overridesName)) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<String> entries = (List<String>) values.get(overridesName).value();
    KeyPrefixes prefixes = KeyPrefixes.parse((String) values.get(prefixName).value(), entries);
    String regex = props.getOrDefault(TOPICS_REGEX, "").trim();
    if (!regex.isEmpty() && !prefixes.templateNamesTopic()) {
      values.get(prefixName).addErrorMessage(prefixName + "='" + prefixes.template() + "' gives every topic "
          + "matching " + TOPICS_REGEX + " the same prefix, so their keys would mix: include "
          + KeyPrefixes.TOPIC_PLACEHOLDER + " in it");
    }
    List<String> topics = listed(props.get(TOPICS));
    if (topics.isEmpty()) {
      return;
    }
    for (String topic : prefixes.overrides().keySet()) {
      if (!topics.contains(topic)) {
        values.get(overridesName).addErrorMessage(overridesName + " names topic '" + topic + "', which is not "
            + "in " + TOPICS + " " + topics + ": list only topics this connector reads");
      }
    }
    for (int i = 0; i < topics.size(); i++) {
      for (int j = i + 1; j < topics.size(); j++) {
        String a = topics.get(i);
        String b = topics.get(j);
        String pa = prefixes.prefixFor(a);
        String pb = prefixes.prefixFor(b);
        if (pa.startsWith(pb) || pb.startsWith(pa)) {
          boolean overridden = prefixes.overrides().containsKey(a) || prefixes.overrides().containsKey(b);
          values.get(overridden ? overridesName : prefixName).addErrorMessage("topics '" + a + "' and '" + b
              + "' get prefixes '" + pa + "' and '" + pb + "', so their keys could mix: give each topic a "
              + "prefix that does not start with another's (e.g. " + KeyPrefixes.TOPIC_PLACEHOLDER + "/)");
        }
      }
    }
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
