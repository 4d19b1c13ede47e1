package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most recently written keys' records (or that they are absent), bounded by bytes, so applying a write
 * to a recent key does not read RocksDB for the value it replaces, and a read of one is served from memory.
 * A copy, never the truth: a miss falls back to the stored record, and the owner clears it whenever the
 * state is replaced underneath. One thread writes it (the raft loop); any thread may read it.
 */
final class ValueCache {
  /** Rough bytes of one entry besides its key and value: map node, ByteString and message objects. */
  private static final int ENTRY_OVERHEAD = 160;

  private record Cached(StoredValue record, long stamp) {}

  /** A key as it was written; stale once the key is written again (its stamp no longer matches). */
  private record Written(ByteString key, long stamp) {}

  private final long capacityBytes;
  private final ConcurrentHashMap<ByteString, Cached> records = new ConcurrentHashMap<>(1024);
  /** Keys oldest write first, the order of eviction (writer only). */
  private final ArrayDeque<Written> order = new ArrayDeque<>();
  private long stamp;
  private long bytes;

  ValueCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  /** The key's record, {@link ApplyBatch#ABSENT} if known absent, or null if not cached. */
  StoredValue get(ByteString key) {
    Cached cached = records.get(key);
    return cached == null ? null : cached.record();
  }

  /** Remembers the key's current record ({@link ApplyBatch#ABSENT}: absent), evicting the least recently written. */
  void put(ByteString key, StoredValue record) {
    Cached replaced = records.put(key, new Cached(record, ++stamp));
    order.addLast(new Written(key, stamp));
    bytes += sizeOf(key, record) - (replaced == null ? 0 : sizeOf(key, replaced.record()));
    while (bytes > capacityBytes && !order.isEmpty()) {
      Written oldest = order.pollFirst();
      Cached current = records.get(oldest.key());
      if (current != null && current.stamp() == oldest.stamp()) {
        records.remove(oldest.key());
        bytes -= sizeOf(oldest.key(), current.record());
      }
    }
    // Rewritten keys leave stale entries behind: drop them once they outnumber the live ones.
    if (order.size() > 2 * records.size() + 1024) {
      order.removeIf(w -> {
        Cached current = records.get(w.key());
        return current == null || current.stamp() != w.stamp();
      });
    }
  }

  void clear() {
    records.clear();
    order.clear();
    bytes = 0;
  }

  int size() {
    return records.size();
  }

  long bytes() {
    return bytes;
  }

  /** Eviction-order entries held, live and stale (tests). */
  int orderEntries() {
    return order.size();
  }

  private static long sizeOf(ByteString key, StoredValue record) {
    return key.size() + record.getValue().size() + ENTRY_OVERHEAD;
  }
}
