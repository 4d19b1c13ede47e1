package io.raftkv.connect.config;

/** Where a source connector with no stored offset starts reading the change feed. */
public enum StartPosition implements ConfigChoice {
  SNAPSHOT("snapshot", "every existing key as a read event, then the changes after it"),
  NOW("now", "only the changes applied after the task starts"),
  INDEX("index", "the changes from the log index in " + "raftkv.start.index" + " on");

  private final String configValue;
  private final String meaning;

  StartPosition(String configValue, String meaning) {
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
