package io.raftkv.server.storage;

import io.raftkv.raft.pb.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recently appended raft log entries, contiguous and bounded in bytes, so that replication to
 * followers (which mostly asks for what was just appended) does not read RocksDB.
 */
final class EntryCache {
  private final long maxBytes;
  private ArrayList<Entry> entries = new ArrayList<>();
  /** Index of entries.get(0). */
  private long firstIndex;
  private long bytes;

  EntryCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  long firstIndex() {
    return entries.isEmpty() ? -1 : firstIndex;
  }

  long lastIndex() {
    return entries.isEmpty() ? -1 : firstIndex + entries.size() - 1;
  }

  /** Whether the cache holds {@code index}. */
  boolean contains(long index) {
    return !entries.isEmpty() && index >= firstIndex && index <= lastIndex();
  }

  Entry get(long index) {
    return entries.get((int) (index - firstIndex));
  }

  /** Appends entries that follow or overwrite the cached ones; a gap restarts the cache. */
  void append(List<Entry> appended) {
    if (appended.isEmpty()) {
      return;
    }
    long from = appended.get(0).getIndex();
    if (entries.isEmpty() || from < firstIndex || from > lastIndex() + 1) {
      entries = new ArrayList<>(appended);
      firstIndex = from;
      bytes = sizeOf(appended);
    } else {
      int keep = (int) (from - firstIndex);
      for (int i = entries.size() - 1; i >= keep; i--) {
        bytes -= entries.get(i).getSerializedSize();
      }
      entries.subList(keep, entries.size()).clear();
      entries.addAll(appended);
      bytes += sizeOf(appended);
    }
    evictToBudget();
  }

  /** Forgets entries at and below {@code index} (compacted away). */
  void dropThrough(long index) {
    if (entries.isEmpty() || index < firstIndex) {
      return;
    }
    if (index >= lastIndex()) {
      clear();
      return;
    }
    int cut = (int) (index + 1 - firstIndex);
    for (int i = 0; i < cut; i++) {
      bytes -= entries.get(i).getSerializedSize();
    }
    entries = new ArrayList<>(entries.subList(cut, entries.size()));
    firstIndex = index + 1;
  }

  void clear() {
    entries = new ArrayList<>();
    bytes = 0;
  }

  private void evictToBudget() {
    if (bytes <= maxBytes || entries.size() <= 1) {
      return;
    }
    // Drop the oldest quarter of the budget at once, so eviction is amortised over many appends.
    long target = maxBytes - maxBytes / 4;
    int cut = 0;
    while (bytes > target && cut < entries.size() - 1) {
      bytes -= entries.get(cut).getSerializedSize();
      cut++;
    }
    entries = new ArrayList<>(entries.subList(cut, entries.size()));
    firstIndex += cut;
  }

  private static long sizeOf(List<Entry> list) {
    long size = 0;
    for (Entry e : list) {
      size += e.getSerializedSize();
    }
    return size;
  }
}
