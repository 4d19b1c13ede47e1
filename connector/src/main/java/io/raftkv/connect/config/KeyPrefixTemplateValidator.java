package io.raftkv.connect.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts a key prefix template whose only placeholder is ${topic} and that is outside the reserved namespace. */
public final class KeyPrefixTemplateValidator implements ConfigDef.Validator {
  @Override
  public void ensureValid(String name, Object value) {
    if (value == null) {
      throw new ConfigException(name, null, "give a prefix template, e.g. ${topic}/ (empty for no prefix)");
    }
    try {
      KeyPrefixes.checkTemplate(value.toString());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, value, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "text with optional " + KeyPrefixes.TOPIC_PLACEHOLDER + ", not starting with "
        + KeyPrefixes.RESERVED_NAMESPACE;
  }
}
