package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.ScanResponse;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The read path of the applied data: a key's record from the value cache or RocksDB, for clients (get,
 * getAll, scan pages; any thread) and for applying a write (raft loop only, filling the cache on a miss).
 *
 * <p>A recently written key is answered from the value cache, which the raft loop fills after each apply
 * round is written and before its applied index is published: a read that waited for index i sees every
 * write through i, as it would in RocksDB.
 */
final class KvReader {
  /** A scan page stops after about this many bytes of keys and values, however many keys it asked for. */
  static final long MAX_SCAN_PAGE_BYTES = 4L << 20;
  /** Keys a scan page holds when the request asks for no particular number. */
  static final int DEFAULT_SCAN_PAGE_KEYS = 1000;

  private final StorageEngine engine;
  private final ValueCache valueCache;

  KvReader(StorageEngine engine, ValueCache valueCache) {
    this.engine = engine;
    this.valueCache = valueCache;
  }

  /** The key's applied record or null if absent; a miss is read from disk and remembered (raft loop only). */
  StoredValue readThrough(ByteString key) {
    StoredValue v = valueCache.get(key);
    if (v == null) {
      StoredValue stored = readStored(key.toByteArray());
      valueCache.put(key, stored == null ? ApplyBatch.ABSENT : stored);
      return stored;
    }
    return v == ApplyBatch.ABSENT ? null : v;
  }

  /** The applied value of {@code key}, or null if absent. */
  KeyValue get(ByteString key) {
    StoredValue v = valueCache.get(key);
    if (v == null) {
      v = readStored(key.toByteArray());
    }
    return v == null || v == ApplyBatch.ABSENT ? null : StoredValues.toKeyValue(key, v);
  }

  /** The applied values of {@code keys}, in their order, null where absent: one RocksDB call for the misses. */
  List<KeyValue> getAll(List<ByteString> keys) {
    List<StoredValue> found = new ArrayList<>(keys.size());
    List<byte[]> misses = new ArrayList<>();
    for (ByteString key : keys) {
      StoredValue v = valueCache.get(key);
      found.add(v);
      if (v == null) {
        misses.add(key.toByteArray());
      }
    }
    List<byte[]> stored = misses.isEmpty() ? List.of() : engine.multiGet(ColumnFamily.DATA, misses);
    List<KeyValue> out = new ArrayList<>(keys.size());
    int miss = 0;
    for (int i = 0; i < keys.size(); i++) {
      StoredValue v = found.get(i);
      if (v == null) {
        v = StoredValues.parse(engine.directory(), stored.get(miss++));
      }
      out.add(v == null || v == ApplyBatch.ABSENT ? null : StoredValues.toKeyValue(keys.get(i), v));
    }
    return out;
  }

  /**
   * Keys in {@code [start, end)} (empty end: no bound), in order, at most {@code limit} (0: the default
   * page of 1,000) and about 4 MiB; {@code more} says where to go on.
   */
  ScanResponse scan(ByteString start, ByteString end, int limit, boolean keysOnly) {
    int pageSize = limit <= 0 ? DEFAULT_SCAN_PAGE_KEYS : limit;
    long bytes = 0;
    ScanResponse.Builder out = ScanResponse.newBuilder();
    try (Slice upper = end.isEmpty() ? null : new Slice(end.toByteArray());
        ReadOptions options = new ReadOptions()) {
      if (upper != null) {
        options.setIterateUpperBound(upper);
      }
      try (RocksIterator it = engine.db().newIterator(engine.handle(ColumnFamily.DATA), options)) {
        int count = 0;
        for (it.seek(start.toByteArray()); it.isValid(); it.next()) {
          if (count == pageSize || bytes >= MAX_SCAN_PAGE_BYTES) {
            out.setMore(true).setNextStart(ByteString.copyFrom(it.key()));
            break;
          }
          bytes += it.key().length + (keysOnly ? 0 : it.value().length);
          ByteString key = ByteString.copyFrom(it.key());
          StoredValue v = StoredValues.parse(engine.directory(), it.value());
          out.addKvs(keysOnly ? StoredValues.versionsOnly(key, v) : StoredValues.toKeyValue(key, v));
          count++;
        }
        it.status();
      }
    } catch (RocksDBException e) {
      throw new StorageIoException("scan failed", e);
    }
    return out.build();
  }

  private StoredValue readStored(byte[] key) {
    return StoredValues.parse(engine.directory(), engine.get(ColumnFamily.DATA, key));
  }
}
