package io.raftkv.connect.config;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts one of an enum's {@link ConfigChoice} values; the error lists each allowed value and its meaning. */
public final class ChoiceValidator<E extends Enum<E> & ConfigChoice> implements ConfigDef.Validator {
  private final Class<E> type;

  private ChoiceValidator(Class<E> type) {
    this.type = type;
  }

  public static <E extends Enum<E> & ConfigChoice> ChoiceValidator<E> of(Class<E> type) {
    return new ChoiceValidator<>(type);
  }

  @Override
  public void ensureValid(String name, Object value) {
    if (ConfigChoice.find(type, value == null ? null : value.toString()) == null) {
      throw new ConfigException(name, value, "'" + value + "' is not allowed: use " + Arrays.stream(
          type.getEnumConstants()).map(c -> c.configValue() + " (" + c.meaning() + ")")
          .collect(Collectors.joining(", ")));
    }
  }

  @Override
  public String toString() {
    return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::configValue)
        .collect(Collectors.joining(" | "));
  }
}
