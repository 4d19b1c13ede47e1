package io.raftkv.cli;

import io.raftkv.client.Endpoints;

/**
 * One server setting's value, from its flag or else the --config file, checked: each error names where the bad
 * value came from (the flag, or the file and line) and what is allowed.
 */
final class ServerSettings {
  private final ServerProperties file;

  ServerSettings(ServerProperties file) {
    this.file = file;
  }

  /** How an error names where a setting came from: the flag, or the file and line. */
  String origin(String name, String flag) {
    return flag != null ? "--" + name : file.origin(name);
  }

  /** Whether the setting is given at all, by flag or file. */
  boolean given(String name, String flag) {
    return flag != null || file.get(name) != null;
  }

  /** The value; {@code fallback} when absent ({@code null}: required). An empty value is refused. */
  String text(String name, String flag, String fallback) {
    String value = flag != null ? flag.strip() : file.get(name);
    if (value == null) {
      if (fallback == null) {
        throw new IllegalArgumentException("--" + name + " is required");
      }
      return fallback;
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(origin(name, flag) + " is empty: give a value"
          + (fallback == null ? "" : ", or leave it out for the default " + (fallback.isEmpty() ? "(none)" : fallback)));
    }
    return value;
  }

  /** A whole number from {@code min} to {@code max}; {@code fallback} when absent ({@code null}: required). */
  long number(String name, String flag, Long fallback, long min, long max) {
    String value = text(name, flag, fallback == null ? null : String.valueOf(fallback));
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(origin(name, flag) + " is '" + value + "': expected " + range(min, max));
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(origin(name, flag) + " is " + value + ": expected " + range(min, max));
    }
    return n;
  }

  private static String range(long min, long max) {
    return max == Long.MAX_VALUE ? (min == 1 ? "a positive number" : "a whole number of at least " + min)
        : "a whole number from " + min + " to " + max;
  }

  /** A switch: the flag if given, else the file's true/false, else false. */
  boolean bool(String name, Boolean flag) {
    if (flag != null) {
      return flag;
    }
    String value = file.get(name);
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalArgumentException(file.origin(name) + " is '" + value + "': expected true or false");
  }

  /** A host:port; {@code null} when absent. */
  String addressOrNull(String name, String flag) {
    if (!given(name, flag)) {
      return null;
    }
    String value = text(name, flag, null);
    try {
      Endpoints.check(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin(name, flag) + ": " + e.getMessage());
    }
    return value;
  }
}
