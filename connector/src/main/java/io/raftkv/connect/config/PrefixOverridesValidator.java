package io.raftkv.connect.config;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts a list of topic=prefix entries, each topic once. */
public final class PrefixOverridesValidator implements ConfigDef.Validator {
  @Override
  public void ensureValid(String name, Object value) {
    if (value == null) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<String> entries = (List<String>) value;
    try {
      KeyPrefixes.parseOverrides(entries);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, String.join(",", entries), e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "topic=prefix[,topic=prefix...]";
  }
}
