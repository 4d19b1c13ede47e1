package io.raftkv.connect.config;

import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts a Kafka topic name (or topic-name prefix), or nothing: the option is then unset. */
public final class TopicNameValidator implements ConfigDef.Validator {
  /** The characters Kafka allows in a topic name, and its longest. */
  static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  @Override
  public void ensureValid(String name, Object value) {
    if (value == null || value.toString().isEmpty()) {
      return;
    }
    String topic = value.toString();
    if (!LEGAL.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw new ConfigException(name, value, "'" + topic + "' is not a Kafka topic name: use 1 to 249 of "
          + "a-z A-Z 0-9 . _ - (and not '.' or '..')");
    }
  }

  @Override
  public String toString() {
    return "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -";
  }
}
