package io.raftkv.server.peer;

import io.raftkv.raft.pb.Entry;
import java.util.List;

/**
 * When to compact the raft log (loop thread only): once enough entries are applied past the truncation
 * point, or enough bytes were appended since the last compaction, keep the newest {@code keepEntries}
 * applied entries for slow followers and drop the rest.
 */
final class LogCompaction {
  private final long gcEntries;
  private final long gcBytes;
  private final long keepEntries;
  private long bytesSinceCompaction;

  LogCompaction(long gcEntries, long gcBytes, long keepEntries) {
    this.gcEntries = gcEntries;
    this.gcBytes = gcBytes;
    this.keepEntries = keepEntries;
  }

  /** {@code entries} reached the log on disk. */
  void appended(List<Entry> entries) {
    for (Entry e : entries) {
      bytesSinceCompaction += e.getSerializedSize();
    }
  }

  /**
   * The index to compact the log through now, or 0 when it is not due; a non-zero answer starts a new
   * count, as the caller compacts at once.
   */
  long compactionPoint(long appliedIndex, long truncatedIndex) {
    long inLog = appliedIndex - truncatedIndex;
    if (inLog < gcEntries && bytesSinceCompaction < gcBytes) {
      return 0;
    }
    long compactTo = appliedIndex - keepEntries;
    if (compactTo <= truncatedIndex) {
      return 0;
    }
    bytesSinceCompaction = 0;
    return compactTo;
  }
}
