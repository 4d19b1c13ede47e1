package io.raftkv.server.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.raft.CompactedException;
import io.raftkv.raft.Ready;
import io.raftkv.raft.SnapshotTemporarilyUnavailableException;
import io.raftkv.raft.Storage;
import io.raftkv.raft.UnavailableException;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import io.raftkv.server.storage.pb.TruncatedState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.RocksDBException;

/**
 * The raft {@link Storage} of one raft group's replica, over RocksDB: log entries in {@link ColumnFamily#RAFT_LOG}, hard,
 * conf and truncated state in {@link ColumnFamily#RAFT_META}, with recent entries cached in memory.
 * Only the raft loop thread calls it.
 */
public final class PeerStorage implements Storage {
  /** Default entry cache budget: a few seconds of replication traffic. */
  public static final long DEFAULT_CACHE_BYTES = 64L << 20;

  private final StorageEngine engine;
  private final GroupKeys keys;
  private final ColumnFamilyHandle logCf;
  private final EntryCache cache;
  private HardState hardState;
  private ConfState confState;
  private TruncatedState truncated;
  private long lastIndex;
  /** Last index of what has been staged for writing (ahead of lastIndex while writes are in flight). */
  private long stagedLastIndex;
  /** Builds a snapshot of the state machine on demand; until one is set, snapshots are unavailable. */
  private Supplier<Snapshot> snapshotSource = () -> {
    throw new SnapshotTemporarilyUnavailableException("no snapshot source is attached yet");
  };

  /** The raft storage of the group whose keys are {@code keys}. */
  public PeerStorage(StorageEngine engine, GroupKeys keys, long cacheBytes) {
    this.engine = engine;
    this.keys = keys;
    this.logCf = engine.handle(ColumnFamily.RAFT_LOG);
    this.cache = new EntryCache(cacheBytes);
    this.hardState = readMeta(keys.hardState(), HardState.parser(), HardState.getDefaultInstance());
    this.confState = readMeta(keys.confState(), ConfState.parser(), ConfState.getDefaultInstance());
    this.truncated = readMeta(keys.truncatedState(), TruncatedState.parser(), TruncatedState.getDefaultInstance());
    this.lastIndex = loadLastIndex();
    this.stagedLastIndex = lastIndex;
  }

  private <T extends com.google.protobuf.Message> T readMeta(byte[] key, com.google.protobuf.Parser<T> parser,
      T absent) {
    byte[] bytes = engine.get(ColumnFamily.RAFT_META, key);
    if (bytes == null) {
      return absent;
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(),
          "raft metadata '" + new String(key, GroupKeys.PREFIX_BYTES, key.length - GroupKeys.PREFIX_BYTES,
              java.nio.charset.StandardCharsets.US_ASCII) + "' of " + keys + " is corrupt: "
              + e.getMessage(), e);
    }
  }

  private long loadLastIndex() {
    try (RocksIterator it = engine.db().newIterator(logCf)) {
      it.seekForPrev(keys.end()); // the last key before the next group's: this group's last entry, if any
      if (!it.isValid() || !keys.owns(it.key())) {
        return truncated.getIndex();
      }
      long last = keys.logIndexOf(it.key());
      return Math.max(last, truncated.getIndex());
    }
  }

  /** Where {@link #snapshot()} gets a snapshot of the applied state from. */
  public void setSnapshotSource(Supplier<Snapshot> source) {
    this.snapshotSource = source;
  }

  @Override
  public InitialState initialState() {
    return new InitialState(hardState, confState);
  }

  public HardState hardState() {
    return hardState;
  }

  public ConfState confState() {
    return confState;
  }

  public TruncatedState truncatedState() {
    return truncated;
  }

  @Override
  public long firstIndex() {
    return truncated.getIndex() + 1;
  }

  @Override
  public long lastIndex() {
    return lastIndex;
  }

  @Override
  public long term(long index) {
    if (index == truncated.getIndex()) {
      return truncated.getTerm();
    }
    if (index < truncated.getIndex()) {
      throw new CompactedException("index " + index + " is compacted (compaction point " + truncated.getIndex() + ")");
    }
    if (index > lastIndex) {
      throw new UnavailableException("index " + index + " is past the last index " + lastIndex);
    }
    if (cache.contains(index)) {
      return cache.get(index).getTerm();
    }
    return readEntry(index).getTerm();
  }

  private Entry readEntry(long index) {
    byte[] bytes = engine.get(ColumnFamily.RAFT_LOG, keys.logEntry(index));
    if (bytes == null) {
      throw new DataDirectoryException(engine.directory(), "raft log entry " + index + " is missing"
          + " (log should hold " + firstIndex() + ".." + lastIndex + ")");
    }
    return parseEntry(index, bytes);
  }

  private Entry parseEntry(long index, byte[] bytes) {
    try {
      return Entry.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "raft log entry " + index + " is corrupt", e);
    }
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxSize) {
    if (lo <= truncated.getIndex()) {
      throw new CompactedException("index " + lo + " is compacted (compaction point " + truncated.getIndex() + ")");
    }
    if (hi > lastIndex + 1) {
      throw new UnavailableException("index " + (hi - 1) + " is past the last index " + lastIndex);
    }
    if (lo >= hi) {
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    long size = 0;
    long next = lo;
    if (!cache.contains(lo)) {
      // The head of the range is older than the cache: read it from RocksDB, up to where the cache starts.
      long diskHi = cache.isEmpty() || cache.firstIndex() > hi ? hi : Math.max(cache.firstIndex(), lo);
      size = readRange(lo, diskHi, maxSize, out);
      next = lo + out.size();
      if (next < diskHi) {
        return out; // the size limit stopped us
      }
    }
    while (next < hi) {
      Entry e = cache.get(next);
      size += e.getSerializedSize();
      if (!out.isEmpty() && size > maxSize) {
        break;
      }
      out.add(e);
      next++;
    }
    return out;
  }

  private long readRange(long lo, long hi, long maxSize, List<Entry> out) {
    long size = 0;
    try (Slice upper = new Slice(keys.logEntry(hi));
        ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = engine.db().newIterator(logCf, options)) {
      long expected = lo;
      for (it.seek(keys.logEntry(lo)); it.isValid(); it.next()) {
        long index = keys.logIndexOf(it.key());
        if (index != expected) {
          throw new DataDirectoryException(engine.directory(), "raft log has a gap: expected entry "
              + expected + ", found " + index);
        }
        Entry e = parseEntry(index, it.value());
        size += e.getSerializedSize();
        if (!out.isEmpty() && size > maxSize) {
          break;
        }
        out.add(e);
        expected++;
      }
      try {
        it.status();
      } catch (RocksDBException e) {
        throw new StorageIoException("reading the raft log failed", e);
      }
    }
    return size;
  }

  @Override
  public Snapshot snapshot() {
    return snapshotSource.get();
  }

  /**
   * Adds the raft part of {@code ready} to {@code batch}: its entries (removing any older suffix they
   * replace), its hard state, and the log reset for an incoming snapshot. Call {@link #onPersisted} once the
   * batch is written. Readys are staged in order; several may be staged before the first is written.
   */
  public void stage(Ready ready, WriteBatch batch) {
    try {
      Snapshot snapshot = ready.snapshot();
      if (snapshot.getMetadata().getIndex() > 0) {
        SnapshotMetadata meta = snapshot.getMetadata();
        // The snapshot replaces the whole log: drop every entry, remember the new compaction point.
        batch.deleteRange(logCf, keys.start(), keys.end());
        batch.put(engine.handle(ColumnFamily.RAFT_META), keys.truncatedState(),
            TruncatedState.newBuilder().setIndex(meta.getIndex()).setTerm(meta.getTerm()).build().toByteArray());
        batch.put(engine.handle(ColumnFamily.RAFT_META), keys.confState(), meta.getConfState().toByteArray());
      }
      List<Entry> entries = ready.entries();
      if (!entries.isEmpty()) {
        for (Entry e : entries) {
          batch.put(logCf, keys.logEntry(e.getIndex()), e.toByteArray());
        }
        long newLast = entries.get(entries.size() - 1).getIndex();
        long previousLast = snapshot.getMetadata().getIndex() > 0 ? snapshot.getMetadata().getIndex()
            : stagedLastIndex;
        if (newLast < previousLast) {
          // A new leader's entries replaced a longer uncommitted suffix: drop what is past them.
          batch.deleteRange(logCf, keys.logEntry(newLast + 1), keys.logEntry(previousLast + 1));
        }
        stagedLastIndex = newLast;
      } else if (snapshot.getMetadata().getIndex() > 0) {
        stagedLastIndex = snapshot.getMetadata().getIndex();
      }
      if (!ready.hardState().equals(HardState.getDefaultInstance())) {
        batch.put(engine.handle(ColumnFamily.RAFT_META), keys.hardState(), ready.hardState().toByteArray());
      }
    } catch (RocksDBException e) {
      throw new StorageIoException("staging the raft log write failed", e);
    }
  }

  /** Updates the in-memory view after the batch from {@link #stage} was written. */
  public void onPersisted(Ready ready) {
    Snapshot snapshot = ready.snapshot();
    if (snapshot.getMetadata().getIndex() > 0) {
      SnapshotMetadata meta = snapshot.getMetadata();
      truncated = TruncatedState.newBuilder().setIndex(meta.getIndex()).setTerm(meta.getTerm()).build();
      confState = meta.getConfState();
      lastIndex = meta.getIndex();
      cache.clear();
    }
    List<Entry> entries = ready.entries();
    if (!entries.isEmpty()) {
      cache.append(entries);
      lastIndex = entries.get(entries.size() - 1).getIndex();
    }
    if (!ready.hardState().equals(HardState.getDefaultInstance())) {
      hardState = ready.hardState();
    }
  }

  /** Stages the membership the application applied (persisted with its applied index). */
  public void stageConfState(ConfState cs, WriteBatch batch) {
    try {
      batch.put(engine.handle(ColumnFamily.RAFT_META), keys.confState(), cs.toByteArray());
    } catch (RocksDBException e) {
      throw new StorageIoException("staging the conf state failed", e);
    }
  }

  public void onConfStatePersisted(ConfState cs) {
    this.confState = cs;
  }

  /**
   * Drops the log at and below {@code compactIndex} (which must be applied and covered by the state
   * machine's data): raft log GC.
   */
  public void compact(long compactIndex) {
    if (compactIndex <= truncated.getIndex()) {
      return;
    }
    if (compactIndex > lastIndex) {
      throw new IllegalArgumentException("compact index " + compactIndex + " is past the last index " + lastIndex);
    }
    long term = term(compactIndex);
    TruncatedState next = TruncatedState.newBuilder().setIndex(compactIndex).setTerm(term).build();
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(engine.handle(ColumnFamily.RAFT_META), keys.truncatedState(), next.toByteArray());
      batch.deleteRange(logCf, keys.start(), keys.logEntry(compactIndex + 1));
      engine.write(batch, false);
    } catch (RocksDBException e) {
      throw new StorageIoException("raft log compaction failed", e);
    }
    truncated = next;
    cache.dropThrough(compactIndex);
  }
}
