package io.raftkv.connect.source;

/** The source.snapshot field of an event, as Debezium spells it. */
public enum SnapshotMarker {
  /** A row of an initial snapshot, more to come. */
  TRUE("true"),
  /** The last row of an initial snapshot. */
  LAST("last"),
  /** A change, not a snapshot row. */
  FALSE("false");

  private final String text;

  SnapshotMarker(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
