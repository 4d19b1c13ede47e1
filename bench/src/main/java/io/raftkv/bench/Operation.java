package io.raftkv.bench;

/** What one measured request is: a put of a 256-byte value, or a linearizable get of an existing key. */
public enum Operation {
  PUT("put"),
  GET("get");

  private final String label;

  Operation(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
