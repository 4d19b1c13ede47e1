package io.raftkv.server.storage;

import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.server.storage.pb.ApplyState;
import io.raftkv.server.storage.pb.MemberList;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotInstall;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.storage.pb.TruncatedState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.SstFileWriter;
import org.rocksdb.WriteBatch;

/**
 * Snapshots of one group's state machine: built from a consistent RocksDB snapshot at the applied index, read
 * out as ordered batches of key/value pairs for streaming, written on the receiver into SST files, and
 * installed by SST ingestion.
 */
public final class SnapshotStore implements AutoCloseable {
  /** Snapshots kept open for senders; older ones are released. */
  private static final int RETAINED = 2;

  private final StorageEngine engine;
  private final GroupKeys keys;
  private final ReplicatedState state;
  private final Path stagingRoot;
  private final Map<Long, Snapshot> open = new LinkedHashMap<>();
  /** Cuts pinned for backups; released before the engine closes so no read touches a closed RocksDB. */
  private final java.util.Set<StateCut> cuts = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private long nextId = System.nanoTime();
  private boolean closed;
  private final Consumer<InstallStep> installSteps;
  private final long resumedInstallIndex;

  /**
   * Opens the snapshots of {@code engine}: first finishes a snapshot install a crash or a storage failure
   * interrupted after its commit point (so nothing reads a half-installed state), then deletes what is
   * left in the staging directory (snapshots being received when the node stopped; never installed).
   */
  public SnapshotStore(StorageEngine engine, GroupKeys keys) {
    this(engine, keys, step -> { });
  }

  /** {@link #SnapshotStore(StorageEngine, GroupKeys)} with a hook called at each step of an install (tests). */
  SnapshotStore(StorageEngine engine, GroupKeys keys, Consumer<InstallStep> installSteps) {
    this.engine = engine;
    this.keys = keys;
    this.state = new ReplicatedState(keys);
    this.stagingRoot = stagingDirectory(engine.directory(), keys.groupId());
    this.installSteps = installSteps;
    SnapshotInstall interrupted = readInstallMarker();
    if (interrupted != null) {
      completeInstall(interrupted);
      resumedInstallIndex = interrupted.getSnapshot().getIndex();
    } else {
      resumedInstallIndex = 0;
    }
    // Leftovers of receives interrupted by a crash. The directory itself stays: it may be a mount point.
    StagingFiles.deleteContents(stagingRoot);
  }

  /**
   * Where the snapshots of group {@code groupId} are staged: a directory of its own, because opening a
   * group's store deletes what it finds there (receives a crash interrupted).
   */
  public static Path stagingDirectory(Path dataDir, long groupId) {
    return dataDir.resolve("snapshots").resolve("g-" + groupId);
  }

  /** The index of the interrupted snapshot install this store finished when it opened; 0 if none was. */
  public long resumedInstallIndex() {
    return resumedInstallIndex;
  }

  /** Captures the current applied state (call on the thread that applies, between apply rounds). */
  public synchronized SnapshotDescriptor capture(long index, long term, List<Member> members) {
    long id = nextId++;
    open.put(id, engine.db().getSnapshot());
    while (open.size() > RETAINED) {
      Map.Entry<Long, Snapshot> oldest = open.entrySet().iterator().next();
      engine.db().releaseSnapshot(oldest.getValue());
      open.remove(oldest.getKey());
    }
    return SnapshotDescriptor.newBuilder().setSnapshotId(id).setIndex(index).setTerm(term)
        .addAllMembers(members).build();
  }

  /**
   * Pins the current applied state for a backup (call on the thread that applies, between apply rounds
   * and outside a snapshot install, so the state and its apply state agree).
   */
  public synchronized StateCut openCut() {
    if (closed) {
      throw new IllegalStateException("the node is stopping");
    }
    StateCut cut = new StateCut(engine, state, cuts::remove);
    cuts.add(cut);
    return cut;
  }

  /** Reads a captured snapshot as ordered batches; empty if it was released meanwhile. */
  public synchronized Iterator<SnapshotKvBatch> read(long snapshotId) {
    Snapshot snapshot = open.get(snapshotId);
    if (snapshot == null) {
      throw new IllegalStateException("snapshot " + snapshotId + " is no longer held");
    }
    return new KvBatchIterator(engine, snapshot, state);
  }

  /** Starts receiving a snapshot into SST files under the staging directory. */
  public Receiver receive(long index, long term) {
    return new Receiver(stagingRoot.resolve(index + "-" + term + "-" + System.nanoTime()));
  }

  /** Writes streamed batches into one SST file per column family; batches arrive in key order. */
  public final class Receiver implements AutoCloseable {
    private final Path dir;
    private final Map<ColumnFamily, SstFileWriter> writers = new EnumMap<>(ColumnFamily.class);
    private final Map<ColumnFamily, Path> files = new EnumMap<>(ColumnFamily.class);
    private final EnvOptions envOptions = new EnvOptions();
    private final Options options = new Options();

    private Receiver(Path dir) {
      this.dir = dir;
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new StorageIoException("cannot create snapshot staging directory " + dir, e);
      }
    }

    public void add(SnapshotKvBatch batch) {
      ColumnFamily cf = replicatedFamily(batch.getColumnFamily());
      if (batch.getKeysCount() != batch.getValuesCount()) {
        throw new IllegalArgumentException("snapshot batch has " + batch.getKeysCount() + " keys but "
            + batch.getValuesCount() + " values");
      }
      try {
        SstFileWriter writer = writers.get(cf);
        if (writer == null) {
          writer = new SstFileWriter(envOptions, options);
          Path file = dir.resolve(cf + ".sst");
          writer.open(file.toString());
          writers.put(cf, writer);
          files.put(cf, file);
        }
        for (int i = 0; i < batch.getKeysCount(); i++) {
          writer.put(state.toStored(cf, batch.getKeys(i).toByteArray()), batch.getValues(i).toByteArray());
        }
      } catch (RocksDBException e) {
        if (e.getStatus() != null && e.getStatus().getCode() == org.rocksdb.Status.Code.IOError) {
          throw new StorageIoException("writing the received snapshot to " + dir + " failed", e);
        }
        throw new IllegalArgumentException("snapshot data is not in key order or cannot be written: "
            + e.getMessage(), e);
      }
    }

    /** Closes the files: the snapshot is complete and can be installed. */
    public StagedSnapshot finish() {
      try {
        for (SstFileWriter writer : writers.values()) {
          writer.finish();
        }
      } catch (RocksDBException e) {
        throw new StorageIoException("finishing snapshot files failed", e);
      } finally {
        closeWriters();
      }
      return new StagedSnapshot(dir, Map.copyOf(files));
    }

    private void closeWriters() {
      writers.values().forEach(SstFileWriter::close);
      writers.clear();
      envOptions.close();
      options.close();
    }

    /** Abandons the receive and deletes its files. */
    @Override
    public void close() {
      closeWriters();
    }

    public void abandon() {
      close();
      StagingFiles.deleteRecursively(dir);
    }
  }

  /** Deletes a received snapshot that will not be installed. */
  public static void discard(StagedSnapshot staged) {
    StagingFiles.deleteRecursively(staged.dir());
  }

  /** A received snapshot's files, ready to install. */
  public record StagedSnapshot(Path dir, Map<ColumnFamily, Path> files) {}

  private static ColumnFamily replicatedFamily(String name) {
    for (ColumnFamily cf : ReplicatedState.FAMILIES) {
      if (cf.toString().equals(name)) {
        return cf;
      }
    }
    throw new IllegalArgumentException("snapshot batch names column family '" + name
        + "'; a snapshot carries only " + ReplicatedState.FAMILIES);
  }

  /**
   * {@link #install(StagedSnapshot, SnapshotDescriptor, ConfState, WriteBatch)} with no raft state to
   * write at the commit point.
   */
  public void install(StagedSnapshot staged, SnapshotDescriptor descriptor, ConfState confState) {
    try (WriteBatch none = new WriteBatch()) {
      install(staged, descriptor, confState, none);
    }
  }

  /**
   * Replaces the replicated state with {@code staged} and records the snapshot's apply state and
   * membership. The commit point is one synced write of {@code raftState} (the caller's raft log reset
   * and hard state; this adds the install marker to it): a crash before it leaves the old state whole, a
   * crash or storage failure after it is finished when the data directory is next opened, from the
   * staged files, which are kept until the install is recorded.
   */
  public void install(StagedSnapshot staged, SnapshotDescriptor descriptor, ConfState confState,
      WriteBatch raftState) {
    if (!staged.dir().getParent().equals(stagingRoot)) {
      throw new IllegalArgumentException("staged snapshot " + staged.dir() + " is not under " + stagingRoot);
    }
    SnapshotInstall.Builder marker = SnapshotInstall.newBuilder().setSnapshot(descriptor)
        .setConfState(confState).setStagedDir(staged.dir().getFileName().toString());
    for (Map.Entry<ColumnFamily, Path> e : staged.files().entrySet()) {
      if (!e.getValue().getParent().equals(staged.dir())) {
        throw new IllegalArgumentException("staged file " + e.getValue() + " is not in " + staged.dir());
      }
      marker.putFiles(e.getKey().toString(), e.getValue().getFileName().toString());
    }
    installSteps.accept(InstallStep.STARTING);
    try {
      raftState.put(engine.handle(ColumnFamily.RAFT_META), keys.snapshotInstall(), marker.build().toByteArray());
    } catch (RocksDBException e) {
      throw new StorageIoException("staging the snapshot install marker failed", e);
    }
    engine.write(raftState, true);
    installSteps.accept(InstallStep.COMMITTED);
    completeInstall(marker.build());
  }

  /**
   * Clears the replicated state, ingests the marker's staged files and records the apply state while
   * deleting the marker. Idempotent: it starts over from clearing, so it can be redone after a crash at
   * any step.
   */
  private void completeInstall(SnapshotInstall marker) {
    Path stagedDir = stagedDirOf(marker);
    Map<ColumnFamily, Path> files = new EnumMap<>(ColumnFamily.class);
    for (Map.Entry<String, String> e : marker.getFilesMap().entrySet()) {
      ColumnFamily cf;
      try {
        cf = replicatedFamily(e.getKey());
      } catch (IllegalArgumentException bad) {
        throw new DataDirectoryException(engine.directory(), "the interrupted snapshot install "
            + marker.getSnapshot().getIndex() + " names " + bad.getMessage(), bad);
      }
      Path file = checkedName(marker, stagedDir, e.getValue());
      if (!Files.isRegularFile(file)) {
        throw new DataDirectoryException(engine.directory(), "the staged file " + file + " of snapshot install "
            + marker.getSnapshot().getIndex() + " is missing; the install cannot be finished");
      }
      files.put(cf, file);
    }
    try (WriteBatch clear = new WriteBatch()) {
      for (ColumnFamily cf : ReplicatedState.FAMILIES) {
        byte[] start = state.lower(cf) == null ? new byte[0] : state.lower(cf);
        byte[] end = state.upper(cf) == null ? keyAfterLast(cf) : state.upper(cf);
        if (end != null) {
          clear.deleteRange(engine.handle(cf), start, end);
        }
      }
      engine.write(clear, true);
    } catch (RocksDBException e) {
      throw new StorageIoException("clearing state for the snapshot failed", e);
    }
    installSteps.accept(InstallStep.CLEARED);
    for (Map.Entry<ColumnFamily, Path> e : files.entrySet()) {
      ingestKeepingStaged(e.getKey(), e.getValue());
      installSteps.accept(InstallStep.FAMILY_INGESTED);
    }
    installSteps.accept(InstallStep.INGESTED);
    SnapshotDescriptor descriptor = marker.getSnapshot();
    try (WriteBatch meta = new WriteBatch()) {
      meta.put(engine.handle(ColumnFamily.RAFT_META), keys.applyState(), ApplyState.newBuilder()
          .setAppliedIndex(descriptor.getIndex()).setAppliedTerm(descriptor.getTerm()).build().toByteArray());
      meta.put(engine.handle(ColumnFamily.RAFT_META), keys.members(),
          MemberList.newBuilder().addAllMembers(descriptor.getMembersList()).build().toByteArray());
      meta.put(engine.handle(ColumnFamily.RAFT_META), keys.confState(), marker.getConfState().toByteArray());
      meta.delete(engine.handle(ColumnFamily.RAFT_META), keys.snapshotInstall());
      engine.write(meta, true);
    } catch (RocksDBException e) {
      throw new StorageIoException("recording the installed snapshot failed", e);
    }
    installSteps.accept(InstallStep.RECORDED);
    StagingFiles.deleteRecursively(stagedDir);
  }

  /**
   * Ingests {@code file} through a hard link, which RocksDB moves into the store, so the staged file
   * itself stays for a redo until the install is recorded; copies where links are not supported.
   */
  private void ingestKeepingStaged(ColumnFamily cf, Path file) {
    Path link = file.resolveSibling(file.getFileName() + ".ingesting");
    boolean linked;
    try {
      Files.deleteIfExists(link);
      Files.createLink(link, file);
      linked = true;
    } catch (UnsupportedOperationException | IOException e) {
      linked = false;
    }
    try (IngestExternalFileOptions ingest = new IngestExternalFileOptions().setMoveFiles(linked)) {
      engine.db().ingestExternalFile(engine.handle(cf), List.of((linked ? link : file).toString()), ingest);
    } catch (RocksDBException e) {
      throw new StorageIoException("ingesting the snapshot's " + cf + " file " + file + " failed", e);
    }
  }

  private SnapshotInstall readInstallMarker() {
    byte[] stored = engine.get(ColumnFamily.RAFT_META, keys.snapshotInstall());
    if (stored == null) {
      return null;
    }
    try {
      return SnapshotInstall.parseFrom(stored);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "the marker of an interrupted snapshot install is"
          + " corrupt: " + e.getMessage(), e);
    }
  }

  private Path stagedDirOf(SnapshotInstall marker) {
    return checkedName(marker, stagingRoot, marker.getStagedDir());
  }

  /** {@code parent}/{@code name}, where name must be one plain path element (it is read from disk). */
  private Path checkedName(SnapshotInstall marker, Path parent, String name) {
    Path base = parent.normalize();
    if (name.isEmpty() || !base.equals(base.resolve(name).normalize().getParent())) {
      throw new DataDirectoryException(engine.directory(), "the interrupted snapshot install "
          + marker.getSnapshot().getIndex() + " names '" + name + "', which is not a file name in " + parent);
    }
    return parent.resolve(name);
  }

  /**
   * After a crash between installing a snapshot's data and resetting the raft log, the apply state is
   * ahead of the log: finish the reset so the log starts after the snapshot. Returns true if it did.
   */
  public boolean recoverInterruptedInstall(long lastLogIndex, TruncatedState truncated) {
    byte[] stored = engine.get(ColumnFamily.RAFT_META, keys.applyState());
    if (stored == null) {
      return false;
    }
    ApplyState apply;
    try {
      apply = ApplyState.parseFrom(stored);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "apply state is corrupt", e);
    }
    if (apply.getAppliedIndex() <= lastLogIndex) {
      return false;
    }
    // The hard state written with the snapshot was lost too: its commit index must cover the snapshot.
    io.raftkv.raft.pb.HardState hardState = io.raftkv.raft.pb.HardState.getDefaultInstance();
    byte[] storedHardState = engine.get(ColumnFamily.RAFT_META, keys.hardState());
    if (storedHardState != null) {
      try {
        hardState = io.raftkv.raft.pb.HardState.parseFrom(storedHardState);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new DataDirectoryException(engine.directory(), "hard state is corrupt", e);
      }
    }
    io.raftkv.raft.pb.HardState.Builder repaired = hardState.toBuilder()
        .setCommit(Math.max(hardState.getCommit(), apply.getAppliedIndex()));
    if (apply.getAppliedTerm() > hardState.getTerm()) {
      repaired.setTerm(apply.getAppliedTerm()).setVote(0); // no vote was cast in that term
    }
    try (WriteBatch batch = new WriteBatch()) {
      batch.deleteRange(engine.handle(ColumnFamily.RAFT_LOG), keys.start(), keys.end());
      batch.put(engine.handle(ColumnFamily.RAFT_META), keys.truncatedState(), TruncatedState.newBuilder()
          .setIndex(apply.getAppliedIndex()).setTerm(apply.getAppliedTerm()).build().toByteArray());
      batch.put(engine.handle(ColumnFamily.RAFT_META), keys.hardState(), repaired.build().toByteArray());
      engine.write(batch, true);
    } catch (RocksDBException e) {
      throw new StorageIoException("finishing an interrupted snapshot install failed", e);
    }
    return true;
  }

  /** The smallest key after every key of {@code cf} (its last key plus a zero byte), or null if empty. */
  private byte[] keyAfterLast(ColumnFamily cf) {
    try (RocksIterator it = engine.db().newIterator(engine.handle(cf))) {
      it.seekToLast();
      if (!it.isValid()) {
        return null;
      }
      return java.util.Arrays.copyOf(it.key(), it.key().length + 1);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (StateCut cut : List.copyOf(cuts)) {
      cut.release();
    }
    cuts.clear();
    open.values().forEach(s -> engine.db().releaseSnapshot(s));
    open.clear();
  }
}
