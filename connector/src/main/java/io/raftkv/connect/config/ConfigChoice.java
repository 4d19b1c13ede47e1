package io.raftkv.connect.config;

/** A value an enumerated option accepts: how it is spelled in a config and what it means. */
public interface ConfigChoice {
  /** The value as written in a connector config (lower case). */
  String configValue();

  /** What choosing it does, for error messages and docs. */
  String meaning();

  /** The choice of {@code type} spelled {@code value} (case-insensitive, trimmed), or null if none is. */
  static <E extends Enum<E> & ConfigChoice> E find(Class<E> type, String value) {
    if (value == null) {
      return null;
    }
    for (E choice : type.getEnumConstants()) {
      if (choice.configValue().equalsIgnoreCase(value.trim())) {
        return choice;
      }
    }
    return null;
  }
}
