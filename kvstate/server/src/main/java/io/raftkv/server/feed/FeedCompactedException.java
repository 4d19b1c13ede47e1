package io.raftkv.server.feed;

/** A watcher asked for changes the feed no longer holds; {@link #oldestIndex()} is where it starts now. */
public final class FeedCompactedException extends RuntimeException {
  private final long oldestIndex;

  public FeedCompactedException(long requestedIndex, long oldestIndex) {
    super("the change feed no longer holds index " + requestedIndex + "; its oldest index is " + oldestIndex
        + ": start again from an initial snapshot, or from index " + oldestIndex + " or later");
    this.oldestIndex = oldestIndex;
  }

  public long oldestIndex() {
    return oldestIndex;
  }
}
