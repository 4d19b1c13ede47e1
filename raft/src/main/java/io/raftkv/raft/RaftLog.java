package io.raftkv.raft;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's view of the whole log: the application's stable {@link Storage} followed by the
 * {@link UnstableLog}, with the commit, applying and applied cursors.
 */
final class RaftLog {
  private final Storage storage;
  private final UnstableLog unstable;
  /** Highest index known to be stored on a quorum. */
  private long committed;
  /** Highest index handed to the application to apply (in a Ready not yet advanced). */
  private long applying;
  /** Highest index the application has applied. */
  private long applied;
  private final long maxApplyingSize;

  RaftLog(Storage storage, long maxApplyingSize) {
    this.storage = storage;
    this.maxApplyingSize = maxApplyingSize;
    long first = storage.firstIndex();
    long last = storage.lastIndex();
    this.unstable = new UnstableLog(last + 1);
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  long committed() {
    return committed;
  }

  long applied() {
    return applied;
  }

  long applying() {
    return applying;
  }

  /**
   * Appends {@code entries} after {@code index}/{@code logTerm} if the log matches there, as a follower
   * does for a leader's append.
   *
   * @return the index of the last new entry, or -1 if the log does not match at {@code index}
   */
  long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> entries) {
    if (!matchTerm(index, logTerm)) {
      return -1;
    }
    long lastNew = index + entries.size();
    long conflict = findConflict(entries);
    if (conflict != 0) {
      if (conflict <= committed) {
        // A leader never rewrites committed entries; a message that does is malformed: refuse it whole.
        return -1;
      }
      append(entries.subList((int) (conflict - (index + 1)), entries.size()));
    }
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Appends entries that start at or before lastIndex() + 1, truncating any conflicting suffix. */
  long append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return lastIndex();
    }
    long after = entries.get(0).getIndex() - 1;
    if (after < committed) {
      throw new IllegalStateException("append after index " + after + " would rewrite committed " + committed);
    }
    unstable.truncateAndAppend(entries);
    return lastIndex();
  }

  /**
   * The first index of {@code entries} whose term differs from the log's (or which the log lacks), or 0
   * if the log holds all of them.
   */
  long findConflict(List<Entry> entries) {
    for (Entry e : entries) {
      if (!matchTerm(e.getIndex(), e.getTerm())) {
        return e.getIndex();
      }
    }
    return 0;
  }

  /**
   * The largest index at or below {@code index} whose term is at most {@code term}: where a leader can
   * resume probing a follower that rejected an append, skipping whole terms at a time.
   */
  long findConflictByTerm(long index, long term) {
    if (index > lastIndex()) {
      return index;
    }
    while (index > 0) {
      long t = termOrNegative(index);
      if (t < 0 || t <= term) {
        break;
      }
      index--;
    }
    return index;
  }

  List<Entry> nextUnstableEntries() {
    return unstable.nextEntries();
  }

  boolean hasNextUnstableEntries() {
    return unstable.hasNextEntries();
  }

  Snapshot nextUnstableSnapshot() {
    return unstable.nextSnapshot();
  }

  boolean hasPendingSnapshot() {
    return unstable.hasSnapshot();
  }

  /** Committed entries not yet handed out for applying; none while a snapshot is being installed. */
  List<Entry> nextCommittedEntries() {
    if (unstable.hasSnapshot()) {
      return List.of();
    }
    long lo = Math.max(applying + 1, firstIndex());
    long hi = committed + 1;
    if (lo >= hi) {
      return List.of();
    }
    return slice(lo, hi, maxApplyingSize);
  }

  boolean hasNextCommittedEntries() {
    if (unstable.hasSnapshot()) {
      return false;
    }
    return committed > Math.max(applying, firstIndex() - 1);
  }

  Snapshot snapshot() {
    Snapshot pending = unstable.snapshot();
    return pending != null ? pending : storage.snapshot();
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i >= 0 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i >= 0 ? i : storage.lastIndex();
  }

  /** Raises the commit index; callers guarantee {@code toCommit <= lastIndex()}. */
  void commitTo(long toCommit) {
    if (toCommit > committed) {
      if (toCommit > lastIndex()) {
        throw new IllegalStateException(
            "commit index " + toCommit + " is past the last index " + lastIndex());
      }
      committed = toCommit;
    }
  }

  void acceptApplying(long index) {
    applying = Math.max(applying, index);
  }

  void appliedTo(long index) {
    if (index > applied) {
      applied = index;
      applying = Math.max(applying, index);
    }
  }

  void acceptUnstable() {
    unstable.acceptInProgress();
  }

  void stableTo(long index, long term) {
    unstable.stableTo(index, term);
  }

  void stableSnapTo(long index) {
    unstable.stableSnapTo(index);
  }

  long lastTerm() {
    long t = termOrNegative(lastIndex());
    if (t < 0) {
      throw new IllegalStateException("term of the last index " + lastIndex() + " is unavailable");
    }
    return t;
  }

  /** The term at {@code index}, or -1 if it is compacted away or past the end of the log. */
  long termOrNegative(long index) {
    long dummy = firstIndex() - 1;
    if (index < dummy || index > lastIndex()) {
      return -1;
    }
    long t = unstable.maybeTerm(index);
    if (t >= 0) {
      return t;
    }
    try {
      return storage.term(index);
    } catch (CompactedException | UnavailableException e) {
      return -1;
    }
  }

  boolean matchTerm(long index, long term) {
    long t = termOrNegative(index);
    return t >= 0 && t == term;
  }

  /** Whether a candidate whose log ends at {@code lastIndex}/{@code term} is at least as up to date. */
  boolean isUpToDate(long lastIndex, long term) {
    long myTerm = lastTerm();
    return term > myTerm || (term == myTerm && lastIndex >= lastIndex());
  }

  /** Commits {@code maxIndex} if it holds an entry of {@code term} (a leader commits only its own term). */
  boolean maybeCommit(long maxIndex, long term) {
    if (maxIndex > committed && termOrNegative(maxIndex) == term) {
      commitTo(maxIndex);
      return true;
    }
    return false;
  }

  void restore(Snapshot snapshot) {
    committed = snapshot.getMetadata().getIndex();
    unstable.restore(snapshot);
  }

  /**
   * Entries from {@code lo} to the end, at most {@code maxSize} bytes but at least one.
   *
   * @throws CompactedException if {@code lo} is compacted away
   */
  List<Entry> entries(long lo, long maxSize) {
    if (lo > lastIndex()) {
      return List.of();
    }
    return slice(lo, lastIndex() + 1, maxSize);
  }

  /** Entries in {@code [lo, hi)} within {@code maxSize} bytes (at least one), as a fresh list. */
  List<Entry> slice(long lo, long hi, long maxSize) {
    if (lo < firstIndex()) {
      throw new CompactedException("index " + lo + " is compacted (first index " + firstIndex() + ")");
    }
    if (hi > lastIndex() + 1) {
      throw new IllegalStateException("slice [" + lo + "," + hi + ") past the last index " + lastIndex());
    }
    if (lo >= hi) {
      return List.of();
    }
    ArrayList<Entry> result = new ArrayList<>();
    long unstableOffset = unstable.offset();
    if (lo < unstableOffset) {
      List<Entry> stored = storage.entries(lo, Math.min(hi, unstableOffset), maxSize);
      result.addAll(stored);
      if (stored.size() < Math.min(hi, unstableOffset) - lo) {
        return result; // the size limit stopped the storage short
      }
    }
    if (hi > unstableOffset) {
      List<Entry> fresh = unstable.slice(Math.max(lo, unstableOffset), hi);
      if (result.isEmpty()) {
        return new ArrayList<>(LogSizes.limit(fresh, maxSize));
      }
      long size = 0;
      for (Entry e : result) {
        size += e.getSerializedSize();
      }
      for (Entry e : fresh) {
        size += e.getSerializedSize();
        if (size > maxSize) {
          break;
        }
        result.add(e);
      }
    }
    return result;
  }
}
