package io.raftkv.server.peer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Error;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.storage.PeerStorage;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.rocksdb.WriteBatch;

/**
 * A peer's snapshots: captures the applied state for raft (log GC, slow followers), keeps the data of
 * snapshots received from the leader until raft accepts one, and installs an accepted one with its Ready.
 * When the install runs is the {@link ReadyWriter}'s call (alone, after the Readys before it are applied).
 * Loop thread only, except {@link #read} and {@link #receive}, which the transport calls.
 */
final class SnapshotCoordinator implements AutoCloseable {
  /** A snapshot raft accepted in a Ready, with its received data: what the Ready's write installs. */
  record Install(Snapshot snapshot, SnapshotStore.StagedSnapshot data, SnapshotDescriptor descriptor) {}

  private final long selfId;
  private final SnapshotStore store;
  private final KvStateMachine stateMachine;
  private final PeerStorage peerStorage;
  private final Supplier<List<Member>> members;
  /** Received snapshot data by snapshot index, until raft accepts (or a newer install discards) it. */
  private final Map<Long, SnapshotStore.StagedSnapshot> received = new HashMap<>();
  private SnapshotDescriptor lastCapture;

  SnapshotCoordinator(long selfId, SnapshotStore store, KvStateMachine stateMachine, PeerStorage peerStorage,
      Supplier<List<Member>> members) {
    this.selfId = selfId;
    this.store = store;
    this.stateMachine = stateMachine;
    this.peerStorage = peerStorage;
    this.members = members;
  }

  /** The applied state as a raft snapshot; captured again only once the applied index moved. */
  Snapshot capture() {
    long index = stateMachine.applyState().getAppliedIndex();
    long term = stateMachine.applyState().getAppliedTerm();
    if (lastCapture == null || lastCapture.getIndex() != index) {
      lastCapture = store.capture(index, term, members.get());
    }
    return Snapshot.newBuilder().setData(lastCapture.toByteString()).setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(index).setTerm(term).setConfState(peerStorage.confState())).build();
  }

  /** A snapshot's data arrived whole: kept until raft accepts it; an older copy of it is deleted. */
  void arrived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
    long index = snapshotMessage.getSnapshot().getMetadata().getIndex();
    SnapshotStore.StagedSnapshot previous = received.put(index, staged);
    if (previous != null && !previous.dir().equals(staged.dir())) {
      SnapshotStore.discard(previous);
    }
  }

  /**
   * What installing {@code snapshot} (a Ready's) takes, or null when the Ready carries none. Throws when
   * raft accepted a snapshot whose data never arrived.
   */
  Install accept(Snapshot snapshot) {
    long index = snapshot.getMetadata().getIndex();
    if (index == 0) {
      return null;
    }
    SnapshotStore.StagedSnapshot data = received.remove(index);
    if (data == null) {
      throw new IllegalStateException("raft accepted snapshot " + index + " whose data was never received");
    }
    return new Install(snapshot, data, descriptorOf(snapshot));
  }

  /** Replaces the state with {@code install}'s, committed with {@code raftState} (persister thread). */
  void install(Install install, WriteBatch raftState) {
    store.install(install.data(), install.descriptor(), install.snapshot().getMetadata().getConfState(),
        raftState);
  }

  /**
   * The in-memory side of an install once it is on disk: the state machine reloads and other received
   * snapshots are deleted. Returns the snapshot's members, for the loop to adopt.
   */
  List<Member> installed(Install install) {
    stateMachine.reload();
    received.values().forEach(SnapshotStore::discard);
    received.clear();
    return install.descriptor().getMembersList();
  }

  /** How many received snapshots wait for raft to accept them. */
  int receivedCount() {
    return received.size();
  }

  /** The data of a snapshot this peer captured, for the transport to stream. */
  Iterator<SnapshotKvBatch> read(Message snapshotMessage) {
    return store.read(descriptorOf(snapshotMessage.getSnapshot()).getSnapshotId());
  }

  /** Starts receiving a snapshot's data from a peer. */
  SnapshotStore.Receiver receive(Message snapshotMessage) {
    SnapshotMetadata meta = snapshotMessage.getSnapshot().getMetadata();
    return store.receive(meta.getIndex(), meta.getTerm());
  }

  /**
   * Pins the replicated state for a backup into {@code cut}, unless an install is replacing it: then
   * returns true to be asked again later, or fails {@code cut} with TIMEOUT past {@code deadlineNanos}.
   */
  boolean pinCut(CompletableFuture<StateCut> cut, long deadlineNanos, boolean installing, long nowNanos) {
    if (installing) {
      // An install replaces the state in several writes: pin it once the install is done.
      if (nowNanos <= deadlineNanos) {
        return true;
      }
      cut.completeExceptionally(NodeException.of(Error.Code.TIMEOUT,
          "a snapshot install on node " + selfId + " did not finish in time to pin the state"));
      return false;
    }
    try {
      cut.complete(store.openCut());
    } catch (RuntimeException e) {
      cut.completeExceptionally(e);
    }
    return false;
  }

  private static SnapshotDescriptor descriptorOf(Snapshot snapshot) {
    try {
      return SnapshotDescriptor.parseFrom(snapshot.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot data is not a snapshot descriptor", e);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
