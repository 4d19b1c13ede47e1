package io.raftkv.raft;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log not yet persisted by the application: an optional incoming snapshot and the
 * entries after it. Entries handed out in a {@link Ready} are "in progress" until {@code advance} marks
 * them stable, so a second {@code ready()} does not hand them out again.
 */
final class UnstableLog {
  /** The snapshot being installed, or null. */
  private Snapshot snapshot;
  private boolean snapshotInProgress;
  /** Index of {@code entries.get(0)}. */
  private long offset;
  private ArrayList<Entry> entries = new ArrayList<>();
  /** Entries below this index are handed out and being persisted. */
  private long offsetInProgress;

  UnstableLog(long offset) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  long offset() {
    return offset;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The first index if a snapshot is pending: the log before it is being replaced. */
  long maybeFirstIndex() {
    return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
  }

  /** The last index held here, or -1 when there is neither an entry nor a snapshot. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
  }

  /** The term at {@code index} if known here, or -1. */
  long maybeTerm(long index) {
    if (index < offset) {
      if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
        return snapshot.getMetadata().getTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || index > last) {
      return -1;
    }
    return entries.get((int) (index - offset)).getTerm();
  }

  List<Entry> entries() {
    return entries;
  }

  /** Entries not yet handed out for persisting. */
  List<Entry> nextEntries() {
    int inProgress = (int) (offsetInProgress - offset);
    if (inProgress >= entries.size()) {
      return List.of();
    }
    return List.copyOf(entries.subList(inProgress, entries.size()));
  }

  boolean hasNextEntries() {
    return offsetInProgress - offset < entries.size();
  }

  /** The snapshot, if not yet handed out for persisting, else null. */
  Snapshot nextSnapshot() {
    return snapshot == null || snapshotInProgress ? null : snapshot;
  }

  boolean hasSnapshot() {
    return snapshot != null;
  }

  /** Marks what the last {@code ready()} handed out as being persisted. */
  void acceptInProgress() {
    if (!entries.isEmpty()) {
      offsetInProgress = offset + entries.size();
    }
    if (snapshot != null) {
      snapshotInProgress = true;
    }
  }

  /** The application persisted entries up to {@code index} of {@code term}: drop them from here. */
  void stableTo(long index, long term) {
    long held = maybeTerm(index);
    if (held < 0 || index < offset || held != term) {
      // Either gone (replaced by a newer append or snapshot) or never held; nothing to do.
      return;
    }
    int cut = (int) (index + 1 - offset);
    entries = new ArrayList<>(entries.subList(cut, entries.size()));
    offset = index + 1;
    offsetInProgress = Math.max(offsetInProgress, offset);
  }

  void stableSnapTo(long index) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
      snapshot = null;
      snapshotInProgress = false;
    }
  }

  void restore(Snapshot snap) {
    offset = snap.getMetadata().getIndex() + 1;
    offsetInProgress = offset;
    entries = new ArrayList<>();
    snapshot = snap;
    snapshotInProgress = false;
  }

  /** Appends {@code newEntries}, replacing what this log holds from their first index on. */
  void truncateAndAppend(List<Entry> newEntries) {
    long from = newEntries.get(0).getIndex();
    if (from == offset + entries.size()) {
      entries.addAll(newEntries);
    } else if (from <= offset) {
      // Replaces everything held here; the storage below offset is shadowed from now on.
      offset = from;
      offsetInProgress = offset;
      entries = new ArrayList<>(newEntries);
    } else {
      entries.subList((int) (from - offset), entries.size()).clear();
      entries.addAll(newEntries);
      offsetInProgress = Math.min(offsetInProgress, from);
    }
  }

  /** Entries in {@code [lo, hi)}, which must lie within this log. */
  List<Entry> slice(long lo, long hi) {
    if (lo > hi || lo < offset || hi > offset + entries.size()) {
      throw new IllegalStateException(
          "unstable slice [" + lo + "," + hi + ") out of bounds [" + offset + "," + (offset + entries.size()) + ")");
    }
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }
}
