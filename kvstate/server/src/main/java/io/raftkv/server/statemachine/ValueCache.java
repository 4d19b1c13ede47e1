package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently used keys' records as last written (or known absent), bounded by bytes, so applying a
 * write to a recently used key does not read RocksDB for the value it replaces. A copy, never the truth:
 * a miss falls back to the stored record, and the owner clears it whenever the state is replaced
 * underneath. Used by the raft loop thread only.
 */
final class ValueCache {
  /** Rough bytes of one entry besides its key and value: map node, ByteString and message objects. */
  private static final int ENTRY_OVERHEAD = 160;

  private final long capacityBytes;
  private final LinkedHashMap<ByteString, StoredValue> records = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;

  ValueCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  /** The key's record, {@link ApplyBatch#ABSENT} if known absent, or null if not cached. */
  StoredValue get(ByteString key) {
    return records.get(key);
  }

  /** Remembers the key's current record ({@link ApplyBatch#ABSENT}: absent), evicting the least recently used. */
  void put(ByteString key, StoredValue record) {
    StoredValue replaced = records.put(key, record);
    bytes += sizeOf(key, record) - (replaced == null ? 0 : sizeOf(key, replaced));
    Iterator<Map.Entry<ByteString, StoredValue>> eldest = records.entrySet().iterator();
    while (bytes > capacityBytes && eldest.hasNext()) {
      Map.Entry<ByteString, StoredValue> e = eldest.next();
      bytes -= sizeOf(e.getKey(), e.getValue());
      eldest.remove();
    }
  }

  void clear() {
    records.clear();
    bytes = 0;
  }

  int size() {
    return records.size();
  }

  long bytes() {
    return bytes;
  }

  private static long sizeOf(ByteString key, StoredValue record) {
    return key.size() + record.getValue().size() + ENTRY_OVERHEAD;
  }
}
