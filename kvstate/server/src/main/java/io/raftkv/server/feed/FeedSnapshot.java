package io.raftkv.server.feed;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.ChangeEvent;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import io.raftkv.server.storage.pb.ApplyState;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * Every key (with a prefix) as it stood at one applied index, read page by page from a pinned RocksDB
 * snapshot, as READ events: the start of a watch that cannot begin from the feed. The data and the
 * applied index come from the same snapshot, so the changes after {@link #index()} are exactly what the
 * rows miss.
 */
public final class FeedSnapshot implements AutoCloseable {
  private final ChangeFeed feed;
  private final StorageEngine engine;
  private final Snapshot snapshot;
  private final ReadOptions options;
  private final RocksIterator iterator;
  private final ByteString keyPrefix;
  private final long index;
  private boolean closed;

  FeedSnapshot(ChangeFeed feed, StorageEngine engine, GroupKeys keys, ByteString keyPrefix) {
    this.feed = feed;
    this.engine = engine;
    this.keyPrefix = keyPrefix;
    this.snapshot = engine.db().getSnapshot();
    this.options = new ReadOptions().setSnapshot(snapshot);
    try {
      byte[] stored = engine.db().get(engine.handle(ColumnFamily.RAFT_META), options, keys.applyState());
      this.index = stored == null ? 0 : ApplyState.parseFrom(stored).getAppliedIndex();
    } catch (RocksDBException e) {
      releaseSnapshot();
      throw new StorageIoException("reading the applied index failed", e);
    } catch (InvalidProtocolBufferException e) {
      releaseSnapshot();
      throw new DataDirectoryException(engine.directory(), "apply state is corrupt", e);
    }
    this.iterator = engine.db().newIterator(engine.handle(ColumnFamily.DATA), options);
    iterator.seek(keyPrefix.toByteArray());
  }

  /** The applied index the rows are taken at. */
  public long index() {
    return index;
  }

  /** The next rows, up to {@code maxEvents} or about {@code maxBytes}; empty once every row was read. */
  public List<ChangeEvent> next(int maxEvents, long maxBytes) {
    return feed.guarded(() -> {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the snapshot is closed");
        }
        return nextUnguarded(maxEvents, maxBytes);
      }
    });
  }

  private List<ChangeEvent> nextUnguarded(int maxEvents, long maxBytes) {
    List<ChangeEvent> rows = new ArrayList<>();
    long bytes = 0;
    try {
      while (iterator.isValid() && rows.size() < maxEvents && bytes < maxBytes) {
        ByteString key = ByteString.copyFrom(iterator.key());
        if (!key.startsWith(keyPrefix)) {
          break;
        }
        StoredValue value = StoredValue.parseFrom(iterator.value());
        ChangeEvent row = ChangeEvents.snapshotRow(index, key, value);
        rows.add(row);
        bytes += row.getSerializedSize();
        iterator.next();
      }
      iterator.status();
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "stored value is corrupt", e);
    } catch (RocksDBException e) {
      throw new StorageIoException("reading the snapshot rows failed", e);
    }
    return rows;
  }

  @Override
  public void close() {
    release();
    feed.forget(this);
  }

  /** Frees the RocksDB snapshot and iterator (once). */
  synchronized void release() {
    if (!closed) {
      closed = true;
      iterator.close();
      releaseSnapshot();
    }
  }

  private void releaseSnapshot() {
    options.close();
    engine.db().releaseSnapshot(snapshot);
  }
}
