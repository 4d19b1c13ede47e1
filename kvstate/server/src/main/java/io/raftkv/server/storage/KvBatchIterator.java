package io.raftkv.server.storage;

import com.google.protobuf.ByteString;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * Reads one group's replicated state under one RocksDB snapshot as ordered batches of about 1 MiB, keys
 * in the form snapshots and backups carry. Frees its RocksDB resources when it runs out or is closed.
 */
final class KvBatchIterator implements Iterator<SnapshotKvBatch>, AutoCloseable {
  private static final int BATCH_BYTES = 1 << 20;

  private final StorageEngine engine;
  private final Snapshot snapshot;
  private final ReplicatedState state;
  private final Iterator<ColumnFamily> families;
  private ColumnFamily current;
  private ReadOptions options;
  private Slice lower;
  private Slice upper;
  private RocksIterator it;
  private SnapshotKvBatch next;
  private boolean closed;

  KvBatchIterator(StorageEngine engine, Snapshot snapshot, ReplicatedState state) {
    this.engine = engine;
    this.snapshot = snapshot;
    this.state = state;
    this.families = ReplicatedState.FAMILIES.iterator();
    advance();
  }

  private void advance() {
    next = null;
    while (next == null) {
      if (it == null || !it.isValid()) {
        closeFamily();
        if (!families.hasNext()) {
          close();
          return;
        }
        openFamily(families.next());
        continue;
      }
      SnapshotKvBatch.Builder batch = SnapshotKvBatch.newBuilder().setColumnFamily(current.toString());
      long bytes = 0;
      while (it.isValid() && bytes < BATCH_BYTES) {
        byte[] key = state.toShipped(current, it.key());
        byte[] value = it.value();
        batch.addKeys(ByteString.copyFrom(key)).addValues(ByteString.copyFrom(value));
        bytes += key.length + value.length;
        it.next();
      }
      next = batch.build();
    }
  }

  private void openFamily(ColumnFamily cf) {
    current = cf;
    options = new ReadOptions().setSnapshot(snapshot);
    byte[] from = state.lower(cf);
    byte[] to = state.upper(cf);
    if (from != null) {
      lower = new Slice(from);
      options.setIterateLowerBound(lower);
    }
    if (to != null) {
      upper = new Slice(to);
      options.setIterateUpperBound(upper);
    }
    it = engine.db().newIterator(engine.handle(cf), options);
    it.seekToFirst();
  }

  private void closeFamily() {
    if (it != null) {
      it.close();
      it = null;
    }
    if (options != null) {
      options.close();
      options = null;
    }
    if (lower != null) {
      lower.close();
      lower = null;
    }
    if (upper != null) {
      upper.close();
      upper = null;
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
    closeFamily();
  }
}
