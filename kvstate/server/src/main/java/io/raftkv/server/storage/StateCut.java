package io.raftkv.server.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.server.storage.pb.ApplyState;
import io.raftkv.server.storage.pb.MemberList;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.List;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * The replicated state of one group's replica pinned at one applied index for a backup: the data, sessions and change
 * feed read batch by batch from one RocksDB snapshot, with the apply state and membership of that same
 * snapshot. Closing it (or the node stopping) frees the snapshot; reads after that fail.
 */
public final class StateCut implements AutoCloseable {
  private final StorageEngine engine;
  private final Snapshot snapshot;
  private final Consumer<StateCut> onClose;
  private final ApplyState applyState;
  private final List<Member> members;
  private final ConfState confState;
  private final KvBatchIterator batches;
  private boolean closed;

  StateCut(StorageEngine engine, ReplicatedState state, Consumer<StateCut> onClose) {
    this.engine = engine;
    this.onClose = onClose;
    this.snapshot = engine.db().getSnapshot();
    try (ReadOptions options = new ReadOptions().setSnapshot(snapshot)) {
      this.applyState = read(options, state.keys().applyState(), ApplyState.parser(), ApplyState.getDefaultInstance());
      this.members = read(options, state.keys().members(), MemberList.parser(), MemberList.getDefaultInstance())
          .getMembersList();
      this.confState = read(options, state.keys().confState(), ConfState.parser(), ConfState.getDefaultInstance());
    } catch (RuntimeException e) {
      engine.db().releaseSnapshot(snapshot);
      throw e;
    }
    this.batches = new KvBatchIterator(engine, snapshot, state);
  }

  private <T> T read(ReadOptions options, byte[] key, Parser<T> parser, T absent) {
    try {
      byte[] stored = engine.db().get(engine.handle(ColumnFamily.RAFT_META), options, key);
      return stored == null ? absent : parser.parseFrom(stored);
    } catch (RocksDBException e) {
      throw new StorageIoException("reading raft metadata for a backup failed", e);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "raft metadata is corrupt", e);
    }
  }

  /** The last log index the pinned state includes. */
  public long index() {
    return applyState.getAppliedIndex();
  }

  /** The term of the entry at {@link #index()}. */
  public long term() {
    return applyState.getAppliedTerm();
  }

  /** The members as applied at {@link #index()}. */
  public List<Member> members() {
    return members;
  }

  public ConfState confState() {
    return confState;
  }

  /**
   * The next batch of key/value pairs of a replicated column family, in family then key order; null
   * once all were read.
   *
   * @throws IllegalStateException once the cut is closed (the node is stopping)
   */
  public synchronized SnapshotKvBatch nextBatch() {
    if (closed) {
      throw new IllegalStateException("the backup's snapshot of node state was released: the node is stopping");
    }
    return batches.hasNext() ? batches.next() : null;
  }

  /** Whether the snapshot was freed (closed, or the node is stopping). */
  public synchronized boolean isReleased() {
    return closed;
  }

  /** Frees the RocksDB snapshot; idempotent. */
  @Override
  public void close() {
    if (release()) {
      onClose.accept(this);
    }
  }

  /** Frees the snapshot without telling the owner (which is closing every cut). */
  synchronized boolean release() {
    if (closed) {
      return false;
    }
    closed = true;
    batches.close();
    engine.db().releaseSnapshot(snapshot);
    return true;
  }
}
