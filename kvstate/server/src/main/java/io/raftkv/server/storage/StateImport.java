package io.raftkv.server.storage;

import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.HardState;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.storage.pb.TruncatedState;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Builds a new node's data directory from a backed-up state, as if the node had installed a raft
 * snapshot at the backup's index: the data, sessions and change feed ingested as SST files, the given
 * members as the conf state, and an empty raft log that starts right after the backup's index.
 */
public final class StateImport implements AutoCloseable {
  private final StorageEngine engine;
  private final SnapshotStore snapshots;
  private final SnapshotStore.Receiver receiver;
  private final long index;
  private final long term;
  private boolean finished;

  private final GroupKeys keys;

  private StateImport(StorageEngine engine, GroupKeys keys, long index, long term) {
    this.engine = engine;
    this.keys = keys;
    this.snapshots = new SnapshotStore(engine, keys);
    this.receiver = snapshots.receive(index, term);
    this.index = index;
    this.term = term;
  }

  /**
   * Creates the data directory {@code dir} of node {@code nodeId} in cluster {@code clusterId} for a state
   * at log position ({@code index}, {@code term}), as the state of the store's first group.
   *
   * @throws DataDirectoryException if the directory cannot be created or opened
   */
  public static StateImport create(Path dir, String clusterId, long nodeId, long index, long term) {
    if (index <= 0 || term <= 0) {
      throw new IllegalArgumentException("a restored state needs a positive index and term, got index " + index
          + " term " + term);
    }
    StorageEngine engine = StorageEngine.open(dir, clusterId, nodeId);
    try {
      return new StateImport(engine, GroupKeys.firstGroup(), index, term);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  /**
   * Adds a run of pairs of one replicated column family; runs come in family order, keys in order.
   *
   * @throws IllegalArgumentException naming an unknown family or keys out of order
   */
  public void add(SnapshotKvBatch batch) {
    receiver.add(batch);
  }

  /** Installs what was added with {@code members} as the voters, and the raft state that follows it. */
  public void finish(List<Member> members) {
    SnapshotStore.StagedSnapshot staged = receiver.finish();
    ConfState.Builder conf = ConfState.newBuilder();
    members.forEach(m -> conf.addVoters(m.getId()));
    try (WriteBatch raftState = new WriteBatch()) {
      // No vote in the backup's term: the new nodes start elections from term + 1 with equal logs.
      raftState.put(engine.handle(ColumnFamily.RAFT_META), keys.hardState(),
          HardState.newBuilder().setTerm(term).setCommit(index).build().toByteArray());
      raftState.put(engine.handle(ColumnFamily.RAFT_META), keys.truncatedState(),
          TruncatedState.newBuilder().setIndex(index).setTerm(term).build().toByteArray());
      // Written with the install's commit point, so a crash leaves either nothing or a finishable install.
      snapshots.install(staged, SnapshotDescriptor.newBuilder().setIndex(index).setTerm(term)
          .addAllMembers(members).build(), conf.build(), raftState);
    } catch (RocksDBException e) {
      throw new StorageIoException("writing the restored raft state failed", e);
    }
    finished = true;
  }

  /** Closes the directory; without {@link #finish} what was added is dropped (the caller deletes the directory). */
  @Override
  public void close() {
    if (!finished) {
      receiver.abandon();
    }
    snapshots.close();
    engine.close();
  }
}
