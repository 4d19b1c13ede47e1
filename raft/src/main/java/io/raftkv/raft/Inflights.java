package io.raftkv.raft;

/**
 * The last indexes of the appends sent to one follower and not yet acknowledged: a ring buffer whose
 * capacity is the flow-control window ({@code maxInflightMsgs}).
 */
final class Inflights {
  private final long[] buffer;
  private int start;
  private int count;

  Inflights(int capacity) {
    this.buffer = new long[capacity];
  }

  private Inflights(Inflights other) {
    this.buffer = other.buffer.clone();
    this.start = other.start;
    this.count = other.count;
  }

  Inflights copy() {
    return new Inflights(this);
  }

  /** Records an append whose last entry is {@code index}; indexes must be added in increasing order. */
  void add(long index) {
    if (full()) {
      throw new IllegalStateException("cannot add into a full inflights window");
    }
    buffer[(start + count) % buffer.length] = index;
    count++;
  }

  /** Frees every append whose last index is at or below {@code index}. */
  void freeLE(long index) {
    int freed = 0;
    int at = start;
    while (freed < count && buffer[at] <= index) {
      freed++;
      at = (at + 1) % buffer.length;
    }
    count -= freed;
    start = count == 0 ? 0 : at;
  }

  void freeFirstOne() {
    if (count > 0) {
      freeLE(buffer[start]);
    }
  }

  boolean full() {
    return count == buffer.length;
  }

  int count() {
    return count;
  }

  void reset() {
    start = 0;
    count = 0;
  }
}
