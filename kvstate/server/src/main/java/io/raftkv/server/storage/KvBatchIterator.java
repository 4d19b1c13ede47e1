package io.raftkv.server.storage;

import com.google.protobuf.ByteString;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * Reads the key/value pairs of some column families under one RocksDB snapshot as ordered batches of
 * about 1 MiB. Frees its RocksDB resources when it runs out or is closed.
 */
final class KvBatchIterator implements Iterator<SnapshotKvBatch>, AutoCloseable {
  private static final int BATCH_BYTES = 1 << 20;

  private final StorageEngine engine;
  private final Iterator<ColumnFamily> families;
  private final ReadOptions options;
  private ColumnFamily current;
  private RocksIterator it;
  private SnapshotKvBatch next;
  private boolean closed;

  KvBatchIterator(StorageEngine engine, Snapshot snapshot, List<ColumnFamily> families) {
    this.engine = engine;
    this.families = families.iterator();
    this.options = new ReadOptions().setSnapshot(snapshot);
    advance();
  }

  private void advance() {
    next = null;
    while (next == null) {
      if (it == null || !it.isValid()) {
        if (it != null) {
          it.close();
          it = null;
        }
        if (!families.hasNext()) {
          close();
          return;
        }
        current = families.next();
        it = engine.db().newIterator(engine.handle(current), options);
        it.seekToFirst();
        continue;
      }
      SnapshotKvBatch.Builder batch = SnapshotKvBatch.newBuilder().setColumnFamily(current.toString());
      long bytes = 0;
      while (it.isValid() && bytes < BATCH_BYTES) {
        byte[] key = it.key();
        byte[] value = it.value();
        batch.addKeys(ByteString.copyFrom(key)).addValues(ByteString.copyFrom(value));
        bytes += key.length + value.length;
        it.next();
      }
      next = batch.build();
    }
  }

  @Override
  public boolean hasNext() {
    return next != null;
  }

  @Override
  public SnapshotKvBatch next() {
    if (next == null) {
      throw new NoSuchElementException("no more snapshot batches");
    }
    SnapshotKvBatch out = next;
    advance();
    return out;
  }

  /** Frees the RocksDB iterator and read options (before the snapshot they read is released). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    next = null;
    if (it != null) {
      it.close();
      it = null;
    }
    options.close();
  }
}
