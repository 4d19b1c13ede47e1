package io.raftkv.connect.config;

/** How the source hands RaftKV's byte keys or values to Kafka Connect. */
public enum ByteFormat implements ConfigChoice {
  STRING("string", "UTF-8 text, a string schema; bytes that are not UTF-8 fail the task"),
  BYTES("bytes", "the raw bytes, a bytes schema");

  private final String configValue;
  private final String meaning;

  ByteFormat(String configValue, String meaning) {
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
