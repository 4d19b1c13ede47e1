package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.server.storage.GroupKeys;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.PeerStorage;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** Received snapshots wait for raft to accept one; an accepted one is installed after the Readys before it. */
class SnapshotCoordinatorTest {
  private static final long INDEX = 5;
  private static final long TERM = 2;
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  private static final Member LEADER = Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:7001").build();

  @TempDir
  Path dir;
  private StorageEngine source;
  private SnapshotStore sourceStore;
  private StorageEngine target;
  private SnapshotStore targetStore;
  private KvStateMachine targetState;
  private SnapshotCoordinator coordinator;
  private Snapshot snapshot;

  @BeforeEach
  void open() throws Exception {
    source = StorageEngine.open(dir.resolve("leader"), "c", 1);
    sourceStore = new SnapshotStore(source, GroupKeys.firstGroup());
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(source.handle(ColumnFamily.DATA), KEY, "v".getBytes(StandardCharsets.UTF_8));
      source.write(batch, false);
    }
    SnapshotDescriptor descriptor = sourceStore.capture(INDEX, TERM, List.of(LEADER));
    snapshot = Snapshot.newBuilder().setData(descriptor.toByteString()).setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(INDEX).setTerm(TERM).setConfState(ConfState.newBuilder().addVoters(1).addVoters(2))).build();
    target = StorageEngine.open(dir.resolve("follower"), "c", 2);
    targetStore = new SnapshotStore(target, GroupKeys.firstGroup());
    targetState = new KvStateMachine(target, GroupKeys.firstGroup(), KvLimits.DEFAULT, SessionPolicy.DEFAULT);
    coordinator = new SnapshotCoordinator(2, targetStore, targetState,
        new PeerStorage(target, GroupKeys.firstGroup(), PeerStorage.DEFAULT_CACHE_BYTES), List::of);
  }

  @AfterEach
  void close() {
    sourceStore.close();
    source.close();
    targetStore.close();
    target.close();
  }

  private Message snapshotMessage() {
    return Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setFrom(1).setTo(2).setSnapshot(snapshot).build();
  }

  private SnapshotStore.StagedSnapshot received() {
    SnapshotStore.Receiver receiver = targetStore.receive(INDEX, TERM);
    sourceStore.read(descriptor().getSnapshotId()).forEachRemaining(receiver::add);
    return receiver.finish();
  }

  private SnapshotDescriptor descriptor() {
    try {
      return SnapshotDescriptor.parseFrom(snapshot.getData());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aReadyWithoutASnapshotInstallsNothing() {
    assertThat(coordinator.accept(Snapshot.getDefaultInstance())).isNull();
  }

  @Test
  void aSnapshotRaftAcceptedWithoutItsDataIsRefused() {
    assertThatThrownBy(() -> coordinator.accept(snapshot)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("snapshot " + INDEX + " whose data was never received");
  }

  @Test
  void aNewCopyOfAReceivedSnapshotReplacesAndDeletesTheOlder() {
    SnapshotStore.StagedSnapshot first = received();
    coordinator.arrived(snapshotMessage(), first);
    SnapshotStore.StagedSnapshot second = received();
    coordinator.arrived(snapshotMessage(), second);
    assertThat(Files.exists(first.dir())).isFalse();
    assertThat(coordinator.receivedCount()).isEqualTo(1);
    assertThat(coordinator.accept(snapshot).data()).isEqualTo(second);
  }

  @Test
  void theDeferredInstallReplacesTheStateOnlyOnceTheReadysBeforeItAreApplied() throws Exception {
    coordinator.arrived(snapshotMessage(), received());
    SnapshotCoordinator.Install install = coordinator.accept(snapshot);
    CountDownLatch installed = new CountDownLatch(1);
    try (ReadyWriter<String> writer = new ReadyWriter<>("test-persist", 4, r -> installed.countDown(), () -> { });
        WriteBatch raftState = new WriteBatch()) {
      assertThat(writer.submit("earlier ready", false, () -> { })).isTrue();
      assertThat(writer.submit("snapshot ready", true, () -> coordinator.install(install, raftState))).isFalse();
      assertThat(target.get(ColumnFamily.DATA, KEY)).isNull(); // the earlier Ready is not applied yet

      writer.persisted("earlier ready");
      writer.afterApplied();
      assertThat(installed.await(30, TimeUnit.SECONDS)).isTrue();
      writer.persisted("snapshot ready");
    }
    assertThat(target.get(ColumnFamily.DATA, KEY)).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
    assertThat(coordinator.installed(install)).containsExactly(LEADER);
    assertThat(targetState.applyState().getAppliedIndex()).isEqualTo(INDEX);
  }

  @Test
  void aStateCutWaitsWhileAnInstallIsUnderWayAndTimesOutPastItsDeadline() {
    CompletableFuture<StateCut> cut = new CompletableFuture<>();
    long now = System.nanoTime();
    assertThat(coordinator.pinCut(cut, now + 1, true, now)).isTrue();
    assertThat(cut).isNotDone();
    assertThat(coordinator.pinCut(cut, now, true, now + 1)).isFalse();
    assertThatThrownBy(cut::join).hasCauseInstanceOf(NodeException.class)
        .hasMessageContaining("a snapshot install on node 2 did not finish in time to pin the state");
  }

  @Test
  void aStateCutIsPinnedAtOnceWhenNoInstallIsUnderWay() throws Exception {
    CompletableFuture<StateCut> cut = new CompletableFuture<>();
    assertThat(coordinator.pinCut(cut, System.nanoTime(), false, System.nanoTime())).isFalse();
    cut.getNow(null).close();
  }

  @Test
  void anInstallDeletesTheOtherReceivedSnapshots() {
    coordinator.arrived(snapshotMessage(), received());
    SnapshotCoordinator.Install install = coordinator.accept(snapshot);
    Message older = snapshotMessage().toBuilder().setSnapshot(snapshot.toBuilder()
        .setMetadata(snapshot.getMetadata().toBuilder().setIndex(INDEX - 1))).build();
    SnapshotStore.StagedSnapshot stale = received();
    coordinator.arrived(older, stale);
    try (WriteBatch raftState = new WriteBatch()) {
      coordinator.install(install, raftState);
    }
    coordinator.installed(install);
    assertThat(Files.exists(stale.dir())).isFalse();
    assertThat(coordinator.receivedCount()).isZero();
  }
}
