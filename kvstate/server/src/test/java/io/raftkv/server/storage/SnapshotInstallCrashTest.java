package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.HardState;
import io.raftkv.server.storage.pb.ApplyState;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotInstall;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.storage.pb.TruncatedState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * A snapshot install stopped at each of its steps (a crash, or a full disk failing a write) and the data
 * directory reopened: before the commit point the node has its old state, after it the snapshot's, never
 * empty or mixed data under an applied index that does not describe it.
 */
class SnapshotInstallCrashTest {
  private static final GroupKeys GROUP = GroupKeys.firstGroup();
  private static final long OLD_INDEX = 10;
  private static final long SNAPSHOT_INDEX = 100;
  private static final long SNAPSHOT_TERM = 3;
  private static final ConfState CONF = ConfState.newBuilder().addVoters(1).addVoters(2).build();

  @TempDir
  Path dir;

  /** What a crash at a step looks like to the install: it stops there. */
  private static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Crash(InstallStep step) {
      super("crash at " + step);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Path target() {
    return dir.resolve("target");
  }

  @Test
  void crashBeforeTheCommitPointRestartsWithTheOldState() throws Exception {
    crashAt(InstallStep.STARTING, 1);
    assertOldState();
  }

  @Test
  void crashRightAfterTheCommitPointRestartsWithTheSnapshotsState() throws Exception {
    crashAt(InstallStep.COMMITTED, 1);
    assertSnapshotState();
  }

  @Test
  void crashAfterClearingDataRestartsWithTheSnapshotsState() throws Exception {
    crashAt(InstallStep.CLEARED, 1);
    assertSnapshotState();
  }

  @Test
  void crashBetweenIngestingTwoColumnFamiliesRestartsWithTheSnapshotsState() throws Exception {
    crashAt(InstallStep.FAMILY_INGESTED, 1);
    assertSnapshotState();
  }

  @Test
  void crashAfterIngestingEveryFileRestartsWithTheSnapshotsState() throws Exception {
    crashAt(InstallStep.INGESTED, 1);
    assertSnapshotState();
  }

  @Test
  void crashAfterRecordingTheInstallRestartsWithTheSnapshotsState() throws Exception {
    crashAt(InstallStep.RECORDED, 1);
    assertSnapshotState();
  }

  @Test
  void fullDiskDuringInstallLeavesANodeThatRestartsWithTheSnapshotsState() throws Exception {
    prepareTarget();
    Throwable failure;
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2);
        SnapshotStore store = new SnapshotStore(engine, GROUP, failAt(InstallStep.FAMILY_INGESTED, 2,
            step -> new StorageIoException("ingesting the snapshot failed",
                new java.io.IOException("No space left on device"))))) {
      SnapshotStore.StagedSnapshot staged = receiveSnapshot(store);
      failure = org.assertj.core.api.Assertions.catchThrowable(() -> install(engine, store, staged));
    }
    assertThat(failure).isInstanceOf(StorageIoException.class);
    assertThat(StorageFailures.isStorageFailure(failure)).isTrue();
    assertSnapshotState();
  }

  @Test
  void crashWhileRedoingAnInterruptedInstallIsRedoneAtTheNextOpen() throws Exception {
    crashAt(InstallStep.CLEARED, 1);
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2)) {
      assertThatThrownBy(() -> new SnapshotStore(engine, GROUP, failAt(InstallStep.FAMILY_INGESTED, 1, Crash::new)))
          .isInstanceOf(Crash.class);
    }
    assertSnapshotState();
  }

  @Test
  void halfReceivedSnapshotLeftByACrashIsRemovedOnOpenAndNeverInstalled() throws Exception {
    prepareTarget();
    try (StorageEngine source = StorageEngine.open(dir.resolve("source"), "c", 1);
        SnapshotStore sourceStore = new SnapshotStore(source, GROUP);
        StorageEngine engine = StorageEngine.open(target(), "c", 2);
        SnapshotStore store = new SnapshotStore(engine, GROUP)) {
      fillSource(source);
      SnapshotDescriptor descriptor = sourceStore.capture(SNAPSHOT_INDEX, SNAPSHOT_TERM, members());
      SnapshotStore.Receiver receiver = store.receive(SNAPSHOT_INDEX, SNAPSHOT_TERM);
      Iterator<SnapshotKvBatch> it = sourceStore.read(descriptor.getSnapshotId());
      receiver.add(it.next()); // the sender or this node died after the first batch
      receiver.close();
    }
    assertThat(stagedEntries()).as("the half-received snapshot is on disk before the restart").isNotEmpty();
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2);
        SnapshotStore store = new SnapshotStore(engine, GROUP)) {
      assertThat(store.resumedInstallIndex()).isZero();
    }
    assertThat(stagedEntries()).isEmpty();
    assertOldState();
  }

  @Test
  void anInstallMarkerNamingAFileOutsideTheStagingDirectoryIsRefused() throws Exception {
    prepareTarget();
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2)) {
      SnapshotInstall marker = SnapshotInstall.newBuilder()
          .setSnapshot(SnapshotDescriptor.newBuilder().setIndex(SNAPSHOT_INDEX).setTerm(SNAPSHOT_TERM))
          .setStagedDir("../..").putFiles("data", "data.sst").build();
      try (WriteBatch batch = new WriteBatch()) {
        batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.snapshotInstall(), marker.toByteArray());
        engine.write(batch, true);
      }
      assertThatThrownBy(() -> new SnapshotStore(engine, GROUP)).isInstanceOf(DataDirectoryException.class)
          .hasMessageContaining("'../..'").hasMessageContaining("not a file name");
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Stops an install at the {@code occurrence}-th time it reaches {@code step}, then reopens the directory. */
  private void crashAt(InstallStep step, int occurrence) throws Exception {
    prepareTarget();
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2);
        SnapshotStore store = new SnapshotStore(engine, GROUP, failAt(step, occurrence, Crash::new))) {
      SnapshotStore.StagedSnapshot staged = receiveSnapshot(store);
      assertThatThrownBy(() -> install(engine, store, staged)).isInstanceOf(Crash.class);
    }
  }

  private static Consumer<InstallStep> failAt(InstallStep step, int occurrence,
      java.util.function.Function<InstallStep, RuntimeException> failure) {
    int[] seen = {0};
    return reached -> {
      if (reached == step && ++seen[0] == occurrence) {
        throw failure.apply(reached);
      }
    };
  }

  /** The raft side of a snapshot Ready, as the node stages it: the log reset and the new hard state. */
  private static void install(StorageEngine engine, SnapshotStore store, SnapshotStore.StagedSnapshot staged)
      throws Exception {
    try (WriteBatch raftState = new WriteBatch()) {
      raftState.deleteRange(engine.handle(ColumnFamily.RAFT_LOG), GROUP.start(),
          GROUP.end());
      raftState.put(engine.handle(ColumnFamily.RAFT_META), GROUP.truncatedState(), TruncatedState.newBuilder()
          .setIndex(SNAPSHOT_INDEX).setTerm(SNAPSHOT_TERM).build().toByteArray());
      raftState.put(engine.handle(ColumnFamily.RAFT_META), GROUP.hardState(), HardState.newBuilder()
          .setTerm(SNAPSHOT_TERM).setCommit(SNAPSHOT_INDEX).build().toByteArray());
      store.install(staged, SnapshotDescriptor.newBuilder().setIndex(SNAPSHOT_INDEX).setTerm(SNAPSHOT_TERM)
          .addAllMembers(members()).build(), CONF, raftState);
    }
  }

  private static List<Member> members() {
    return List.of(Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1").build(),
        Member.newBuilder().setId(2).setPeerAddress("127.0.0.1:2").build());
  }

  /** A snapshot of the source received into {@code store}'s staging directory. */
  private SnapshotStore.StagedSnapshot receiveSnapshot(SnapshotStore store) throws Exception {
    try (StorageEngine source = StorageEngine.open(dir.resolve("source"), "c", 1);
        SnapshotStore sourceStore = new SnapshotStore(source, GROUP)) {
      fillSource(source);
      SnapshotDescriptor descriptor = sourceStore.capture(SNAPSHOT_INDEX, SNAPSHOT_TERM, members());
      SnapshotStore.Receiver receiver = store.receive(SNAPSHOT_INDEX, SNAPSHOT_TERM);
      for (Iterator<SnapshotKvBatch> it = sourceStore.read(descriptor.getSnapshotId()); it.hasNext(); ) {
        receiver.add(it.next());
      }
      SnapshotStore.StagedSnapshot staged = receiver.finish();
      assertThat(staged.files()).as("the snapshot carries several families").hasSizeGreaterThanOrEqualTo(2);
      return staged;
    }
  }

  private static void fillSource(StorageEngine source) throws Exception {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < 500; i++) {
        batch.put(source.handle(ColumnFamily.DATA), b(String.format("new%04d", i)), b("value" + i));
      }
      batch.put(source.handle(ColumnFamily.SESSIONS), GROUP.stored(b("session-new")), b("s"));
      batch.put(source.handle(ColumnFamily.FEED), GROUP.feedEvent(SNAPSHOT_INDEX, 0), b("event"));
      source.write(batch, true);
    }
  }

  /** The node applied entries 1..10: old keys, an old session, a raft log, its hard and apply state. */
  private void prepareTarget() throws Exception {
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2); WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < 300; i++) {
        batch.put(engine.handle(ColumnFamily.DATA), b(String.format("old%04d", i)), b("old"));
      }
      batch.put(engine.handle(ColumnFamily.DATA), b("zzz-old-last-key"), b("old"));
      batch.put(engine.handle(ColumnFamily.SESSIONS), GROUP.stored(b("session-old")), b("s"));
      for (long i = 1; i <= OLD_INDEX; i++) {
        batch.put(engine.handle(ColumnFamily.RAFT_LOG), GROUP.logEntry(i), io.raftkv.raft.pb.Entry.newBuilder()
            .setIndex(i).setTerm(1).build().toByteArray());
      }
      batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.hardState(),
          HardState.newBuilder().setTerm(1).setVote(1).setCommit(OLD_INDEX).build().toByteArray());
      batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.applyState(),
          ApplyState.newBuilder().setAppliedIndex(OLD_INDEX).setAppliedTerm(1).build().toByteArray());
      engine.write(batch, true);
    }
  }

  private void assertOldState() throws Exception {
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2);
        SnapshotStore store = new SnapshotStore(engine, GROUP)) {
      assertThat(store.resumedInstallIndex()).isZero();
      assertThat(applyState(engine).getAppliedIndex()).isEqualTo(OLD_INDEX);
      List<String> keys = keys(engine, ColumnFamily.DATA);
      assertThat(keys).hasSize(301).allMatch(k -> k.startsWith("old") || k.startsWith("zzz-old"));
      assertThat(keys(engine, ColumnFamily.SESSIONS)).containsExactly("session-old");
      PeerStorage raft = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(raft.firstIndex()).isEqualTo(1);
      assertThat(raft.lastIndex()).isEqualTo(OLD_INDEX);
      assertThat(engine.get(ColumnFamily.RAFT_META, GROUP.snapshotInstall())).isNull();
    }
    assertThat(stagedEntries()).as("staged files left after the restart").isEmpty();
  }

  private void assertSnapshotState() throws Exception {
    try (StorageEngine engine = StorageEngine.open(target(), "c", 2);
        SnapshotStore store = new SnapshotStore(engine, GROUP)) {
      ApplyState apply = applyState(engine);
      assertThat(apply.getAppliedIndex()).isEqualTo(SNAPSHOT_INDEX);
      assertThat(apply.getAppliedTerm()).isEqualTo(SNAPSHOT_TERM);
      List<String> keys = keys(engine, ColumnFamily.DATA);
      assertThat(keys).as("exactly the snapshot's keys").hasSize(500).allMatch(k -> k.startsWith("new"));
      assertThat(engine.get(ColumnFamily.DATA, b("new0499"))).isEqualTo(b("value499"));
      assertThat(keys(engine, ColumnFamily.SESSIONS)).containsExactly("session-new");
      assertThat(engine.get(ColumnFamily.FEED, GROUP.feedEvent(SNAPSHOT_INDEX, 0))).isEqualTo(b("event"));
      assertThat(ConfState.parseFrom(engine.get(ColumnFamily.RAFT_META, GROUP.confState()))).isEqualTo(CONF);
      assertThat(engine.get(ColumnFamily.RAFT_META, GROUP.snapshotInstall())).as("install marker").isNull();
      PeerStorage raft = new PeerStorage(engine, GROUP, 1 << 20);
      assertThat(raft.firstIndex()).isEqualTo(SNAPSHOT_INDEX + 1);
      assertThat(raft.lastIndex()).isEqualTo(SNAPSHOT_INDEX);
      assertThat(raft.hardState().getCommit()).isEqualTo(SNAPSHOT_INDEX);
      assertThat(store.recoverInterruptedInstall(raft.lastIndex(), raft.truncatedState())).isFalse();
      // Raft accepts the restarted state as it is.
      new io.raftkv.raft.RawNode(io.raftkv.raft.RaftConfig.builder().id(2).storage(raft).applied(SNAPSHOT_INDEX)
          .build());
    }
    assertThat(stagedEntries()).as("staged files left after the restart").isEmpty();
  }

  private static ApplyState applyState(StorageEngine engine) throws Exception {
    return ApplyState.parseFrom(engine.get(ColumnFamily.RAFT_META, GROUP.applyState()));
  }

  /** The keys of {@code cf}, group-relative where the family's keys carry the group. */
  private static List<String> keys(StorageEngine engine, ColumnFamily cf) {
    List<String> out = new ArrayList<>();
    ReplicatedState group = new ReplicatedState(GROUP);
    try (RocksIterator it = engine.db().newIterator(engine.handle(cf))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(new String(group.toShipped(cf, it.key()), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private List<Path> stagedEntries() throws Exception {
    Path root = SnapshotStore.stagingDirectory(target(), GroupKeys.FIRST_GROUP_ID);
    if (!Files.exists(root)) {
      return List.of();
    }
    try (var walk = Files.walk(root)) {
      return walk.filter(p -> !p.equals(root)).toList();
    }
  }
}
