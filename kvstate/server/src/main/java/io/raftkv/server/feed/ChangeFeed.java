package io.raftkv.server.feed;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import io.raftkv.server.storage.pb.ApplyState;
import io.raftkv.server.storage.pb.FeedState;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;

/**
 * One group's change feed as stored: one event per applied mutation in the feed column family, keyed by
 * (index, sub-sequence), written by the state machine in the same batch as the data. This class reads it
 * for watchers, wakes them when new entries apply, and deletes events past the retention.
 */
public final class ChangeFeed {
  /** Most stored events one read looks at, matching the key filter or not, so a read stays short. */
  private static final int MAX_SCANNED = 10_000;
  /** Most events one garbage collection looks at to find those past the age bound. */
  private static final int MAX_AGE_SCANNED = 100_000;

  private final StorageEngine engine;
  private final GroupKeys keys;
  private final ColumnFamilyHandle feedCf;
  private final FeedRetention retention;
  private final Object lock = new Object();
  /** Readers hold it shared; closing takes it exclusively, so no read touches a closed RocksDB. */
  private final java.util.concurrent.locks.ReentrantReadWriteLock readGuard =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private final java.util.Set<FeedSnapshot> openSnapshots = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private List<Runnable> waiters = new ArrayList<>();
  private long publishedIndex;
  private boolean closed;

  /** The change feed of the group whose keys are {@code keys}. */
  public ChangeFeed(StorageEngine engine, GroupKeys keys, FeedRetention retention) {
    this.engine = engine;
    this.keys = keys;
    this.feedCf = engine.handle(ColumnFamily.FEED);
    this.retention = retention;
  }

  /** Events at and below this index are gone (0: none ever were). */
  public long truncatedIndex() {
    return parseState(engine.get(ColumnFamily.FEED, keys.feedState()));
  }

  private long parseState(byte[] stored) {
    if (stored == null) {
      return 0;
    }
    try {
      return FeedState.parseFrom(stored).getTruncatedIndex();
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "the change feed's state is corrupt", e);
    }
  }

  /**
   * Reads the stored events after {@code from} ({@link FeedPosition#oldest()}: from the oldest held),
   * keeping those whose key starts with {@code keyPrefix}, up to {@code maxEvents} or about {@code maxBytes}.
   * The read is consistent: one RocksDB snapshot.
   *
   * @throws FeedCompactedException if the position is older than the oldest event held
   * @throws IllegalArgumentException if {@code from} lies inside an initial snapshot, which has no place here
   */
  public FeedPage read(FeedPosition from, ByteString keyPrefix, int maxEvents, long maxBytes) {
    if (from.inSnapshot()) {
      throw new IllegalArgumentException("the change feed is read after a change, not from " + from);
    }
    return guarded(() -> readUnguarded(from, keyPrefix, maxEvents, maxBytes));
  }

  /**
   * Pins the current applied state for an initial snapshot of every key with {@code keyPrefix}; close it
   * when done (the feed closes any left open when the node stops).
   */
  public FeedSnapshot openSnapshot(ByteString keyPrefix) {
    return guarded(() -> {
      FeedSnapshot snapshot = new FeedSnapshot(this, engine, keys, keyPrefix);
      openSnapshots.add(snapshot);
      return snapshot;
    });
  }

  void forget(FeedSnapshot snapshot) {
    openSnapshots.remove(snapshot);
  }

  /**
   * Runs a read of RocksDB unless the feed is closed.
   *
   * @throws FeedClosedException once the node is stopping
   */
  <T> T guarded(java.util.function.Supplier<T> read) {
    readGuard.readLock().lock();
    try {
      if (isClosed()) {
        throw new FeedClosedException();
      }
      return read.get();
    } finally {
      readGuard.readLock().unlock();
    }
  }

  private FeedPage readUnguarded(FeedPosition from, ByteString keyPrefix, int maxEvents, long maxBytes) {
    Snapshot snapshot = engine.db().getSnapshot();
    try (ReadOptions options = new ReadOptions().setSnapshot(snapshot)) {
      long truncated = parseState(engine.db().get(feedCf, options, keys.feedState()));
      long applied = appliedIndex(options);
      FeedPosition next = from.isOldest() ? FeedPosition.afterEntry(truncated) : from;
      long index = next.nextIndex();
      if (index <= truncated) {
        throw new FeedCompactedException(index, truncated + 1);
      }
      List<ChangeEvent> events = new ArrayList<>();
      long bytes = 0;
      int scanned = 0;
      boolean caughtUp = true;
      try (Slice upper = new Slice(keys.feedEventsEnd());
          ReadOptions iterOptions = new ReadOptions().setSnapshot(snapshot).setIterateUpperBound(upper);
          RocksIterator it = engine.db().newIterator(feedCf, iterOptions)) {
        for (it.seek(keys.feedEvent(index, next.nextSubSequence())); it.isValid(); it.next()) {
          if (events.size() >= maxEvents || bytes >= maxBytes || scanned >= MAX_SCANNED) {
            caughtUp = false;
            break;
          }
          scanned++;
          ChangeEvent event = ChangeEvent.parseFrom(it.value());
          next = FeedPosition.after(event.getIndex(), event.getSubSequence());
          if (event.getKey().startsWith(keyPrefix)) {
            events.add(event);
            bytes += event.getSerializedSize();
          }
        }
        it.status();
      }
      return new FeedPage(events, next, applied, caughtUp);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "a change feed event is corrupt", e);
    } catch (RocksDBException e) {
      throw new StorageIoException("reading the change feed failed", e);
    } finally {
      engine.db().releaseSnapshot(snapshot);
    }
  }

  private long appliedIndex(ReadOptions options) throws RocksDBException {
    byte[] stored = engine.db().get(engine.handle(ColumnFamily.RAFT_META), options, keys.applyState());
    if (stored == null) {
      return 0;
    }
    try {
      return ApplyState.parseFrom(stored).getAppliedIndex();
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "apply state is corrupt", e);
    }
  }

  // ------------------------------------------------------------------ waking watchers

  /** Entries through {@code appliedIndex} are applied and written: wake every waiting watcher. */
  public void published(long appliedIndex) {
    List<Runnable> due;
    synchronized (lock) {
      publishedIndex = Math.max(publishedIndex, appliedIndex);
      if (waiters.isEmpty()) {
        return;
      }
      due = waiters;
      waiters = new ArrayList<>();
    }
    due.forEach(Runnable::run);
  }

  /**
   * Runs {@code wakeUp} once an index above {@code seenIndex} is applied (at once if one already is), or
   * when the feed closes. Watchers call it after a read that found nothing new.
   */
  public void runWhenAppliedAfter(long seenIndex, Runnable wakeUp) {
    synchronized (lock) {
      if (publishedIndex <= seenIndex && !closed) {
        waiters.add(wakeUp);
        return;
      }
    }
    wakeUp.run();
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * The node is stopping: waits for reads under way, releases open snapshots, and wakes every watcher
   * so it ends its stream. Call before closing the storage engine.
   */
  public void close() {
    List<Runnable> due;
    readGuard.writeLock().lock();
    try {
      synchronized (lock) {
        closed = true;
        due = waiters;
        waiters = new ArrayList<>();
      }
      for (FeedSnapshot snapshot : List.copyOf(openSnapshots)) {
        snapshot.release();
      }
      openSnapshots.clear();
    } finally {
      readGuard.writeLock().unlock();
    }
    due.forEach(Runnable::run);
  }

  // ------------------------------------------------------------------ retention

  /**
   * Deletes the events past the retention (older than the last {@code entries} applied entries, or
   * proposed more than {@code age} before {@code nowMs}), whole entries at a time, and records where the
   * feed now starts. Runs on the raft loop thread, which is the only writer of the feed.
   *
   * @return the new truncated index
   */
  public long collectGarbage(long nowMs, long appliedIndex) {
    long truncated = truncatedIndex();
    long cutoff = truncated;
    if (retention.entries() > 0) {
      cutoff = Math.max(cutoff, appliedIndex - retention.entries());
    }
    if (!retention.age().isZero()) {
      cutoff = Math.max(cutoff, lastIndexProposedBefore(nowMs - retention.age().toMillis(), cutoff));
    }
    cutoff = Math.min(cutoff, appliedIndex);
    if (cutoff <= truncated) {
      return truncated;
    }
    try (WriteBatch batch = new WriteBatch()) {
      batch.deleteRange(feedCf, keys.feedEvent(0, 0), keys.feedEvent(cutoff + 1, 0));
      batch.put(feedCf, keys.feedState(), FeedState.newBuilder().setTruncatedIndex(cutoff).build().toByteArray());
      engine.write(batch, false);
    } catch (RocksDBException e) {
      throw new StorageIoException("deleting old change feed events failed", e);
    }
    return cutoff;
  }

  /** The highest index after {@code after} whose events were proposed before {@code cutoffMs}. */
  private long lastIndexProposedBefore(long cutoffMs, long after) {
    long last = after;
    try (Slice upper = new Slice(keys.feedEventsEnd());
        ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = engine.db().newIterator(feedCf, options)) {
      int scanned = 0;
      for (it.seek(keys.feedEvent(after + 1, 0)); it.isValid() && scanned < MAX_AGE_SCANNED; it.next(), scanned++) {
        ChangeEvent event = ChangeEvent.parseFrom(it.value());
        if (event.getProposedAtMs() >= cutoffMs) {
          break;
        }
        last = event.getIndex();
      }
      it.status();
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "a change feed event is corrupt", e);
    } catch (RocksDBException e) {
      throw new StorageIoException("reading the change feed failed", e);
    }
    return last;
  }
}
