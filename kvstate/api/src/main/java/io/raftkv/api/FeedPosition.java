package io.raftkv.api;

import java.util.Comparator;

/**
 * A place in the change feed: right after one change ({@code index}, {@code subSequence}; a sub-sequence of
 * {@link #ENTRY_END} means after the whole entry), or inside an initial snapshot taken at {@code index},
 * which a resumed watch takes again from its start. Servers, the client and the connector all count
 * progress through the feed with it.
 *
 * <p>Index 0 names no entry: {@link #oldest()} (after a change of entry 0) is the start of whatever the
 * feed still holds, while {@code afterEntry(0)} asks for entry 1 itself, which fails as compacted once
 * entry 1 is gone.
 */
public record FeedPosition(long index, int subSequence, boolean inSnapshot) implements Comparable<FeedPosition> {
  /** Past every change of an entry (no entry has that many). */
  public static final int ENTRY_END = Integer.MAX_VALUE;

  /** Snapshot positions first (a watch from one starts over), then changes by index and sub-sequence. */
  private static final Comparator<FeedPosition> ORDER = Comparator.comparing((FeedPosition p) -> !p.inSnapshot)
      .thenComparingLong(FeedPosition::index).thenComparingInt(FeedPosition::subSequence);

  public FeedPosition {
    if (index < 0 || subSequence < 0) {
      throw new IllegalArgumentException("feed position (" + index + ", " + subSequence + ") is negative: the "
          + "index must be 0 or more and the sub-sequence 0.." + ENTRY_END);
    }
  }

  /** Right after the change at ({@code index}, {@code subSequence}). */
  public static FeedPosition after(long index, int subSequence) {
    return new FeedPosition(index, subSequence, false);
  }

  /** Right after every change of entry {@code index} (and of the entries before it). */
  public static FeedPosition afterEntry(long index) {
    return new FeedPosition(index, ENTRY_END, false);
  }

  /** In an initial snapshot at {@code index} (0: not yet taken). */
  public static FeedPosition snapshot(long index) {
    return new FeedPosition(index, 0, true);
  }

  /** Before the oldest change the feed holds, whichever that is when a watch starts. */
  public static FeedPosition oldest() {
    return after(0, 0);
  }

  /** Whether a watch from here starts at the oldest change held rather than at a given one. */
  public boolean isOldest() {
    return !inSnapshot && index == 0 && subSequence != ENTRY_END;
  }

  /**
   * The position a watch request asks to resume after. Old clients send the first change wanted
   * ({@code from_index}, {@code from_sub_sequence}); that is read here as "after the change before it".
   *
   * @throws IllegalArgumentException if from_index is past 2^63-1 (it is unsigned on the wire)
   */
  public static FeedPosition fromRequest(WatchRequest request) {
    if (request.getInitialSnapshot()) {
      return snapshot(0); // from_index is ignored
    }
    long from = request.getFromIndex();
    if (from < 0) {
      throw new IllegalArgumentException("watch from_index " + Long.toUnsignedString(from) + " is too large: it "
          + "must be 0 (the oldest change held) .. " + Long.MAX_VALUE);
    }
    if (from == 0) {
      return oldest(); // the sub-sequence is ignored
    }
    int sub = request.getFromSubSequence();
    if (sub == 0) {
      return afterEntry(from - 1);
    }
    // Unsigned on the wire: a sub-sequence of 2^31 or more lies past every change of the entry.
    return sub < 0 ? afterEntry(from) : after(from, sub - 1);
  }

  /** The watch that resumes from here: a new snapshot, or the changes after this position. */
  public WatchRequest.Builder resume() {
    if (inSnapshot) {
      return WatchRequest.newBuilder().setInitialSnapshot(true);
    }
    return WatchRequest.newBuilder().setFromIndex(nextIndex()).setFromSubSequence(nextSubSequence());
  }

  /** The index of the first change a watch from here reads (0: the oldest held, or a new snapshot). */
  public long nextIndex() {
    if (inSnapshot || isOldest()) {
      return 0;
    }
    return subSequence == ENTRY_END ? index + 1 : index;
  }

  /** The sub-sequence, within {@link #nextIndex()}, of the first change a watch from here reads. */
  public int nextSubSequence() {
    if (inSnapshot || isOldest() || subSequence == ENTRY_END) {
      return 0;
    }
    return subSequence + 1;
  }

  /** Where the feed stands once {@code event} (a change, or a row of the snapshot under way) is handed out. */
  public FeedPosition afterEvent(ChangeEvent event) {
    return inSnapshot ? snapshot(event.getIndex()) : after(event.getIndex(), event.getSubSequence());
  }

  /** Where the feed stands once the initial snapshot at {@code snapshotIndex} is complete: its changes follow. */
  public static FeedPosition afterSnapshotDone(long snapshotIndex) {
    return afterEntry(snapshotIndex);
  }

  /**
   * Where the feed stands once every part of {@code response} is handed out. A message carrying only an
   * applied_index leaves the position where it is: the position is the last change handed out (what a
   * consumer commits), and a resume from there re-reads at most changes the key filter drops.
   */
  public FeedPosition advancedBy(WatchResponse response) {
    if (response.getSnapshotDone()) {
      return afterSnapshotDone(response.getSnapshotIndex());
    }
    if (response.getEventsCount() == 0) {
      return this;
    }
    return afterEvent(response.getEvents(response.getEventsCount() - 1));
  }

  @Override
  public int compareTo(FeedPosition other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    if (inSnapshot) {
      return "in the snapshot at index " + index;
    }
    if (isOldest()) {
      return "the oldest change held";
    }
    return subSequence == ENTRY_END ? "after entry " + index : "after index " + index + " sub-sequence " + subSequence;
  }
}
