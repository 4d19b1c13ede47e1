package io.raftkv.connect.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts no value (the option is unset) or a whole number of at least a minimum. */
public final class OptionalAtLeast implements ConfigDef.Validator {
  private final long min;

  public OptionalAtLeast(long min) {
    this.min = min;
  }

  @Override
  public void ensureValid(String name, Object value) {
    if (value != null && ((Number) value).longValue() < min) {
      throw new ConfigException(name, value, value + " is too small: use " + min + " or more (or leave it unset)");
    }
  }

  @Override
  public String toString() {
    return "unset, or [" + min + ",...]";
  }
}
