package io.raftkv.connect.config;

/** What the source does when the change feed no longer holds the position it must resume from. */
public enum OnCompacted implements ConfigChoice {
  FAIL("fail", "the task fails, naming the position asked for and how to recover"),
  SNAPSHOT("snapshot", "the task takes a new snapshot of every key, then streams the changes after it");

  private final String configValue;
  private final String meaning;

  OnCompacted(String configValue, String meaning) {
    this.configValue = configValue;
    this.meaning = meaning;
  }

  @Override
  public String configValue() {
    return configValue;
  }

  @Override
  public String meaning() {
    return meaning;
  }
}
