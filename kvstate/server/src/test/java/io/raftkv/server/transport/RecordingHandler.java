package io.raftkv.server.transport;

import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A peer for transport tests: records what the transport reports to it, and has no snapshots. */
final class RecordingHandler implements RaftMessageHandler {
  final List<Long> unreachable = new CopyOnWriteArrayList<>();
  final Map<Long, SnapshotStatus> snapshots = new ConcurrentHashMap<>();
  /** Peers whose snapshot data the transport asked for. */
  final List<Long> snapshotsRead = new CopyOnWriteArrayList<>();
  private final PeerInbox inbox = new PeerInbox(8);

  @Override
  public PeerInbox peerInbox() {
    return inbox;
  }

  @Override
  public void receiveReserved(List<Message> messages) {
    inbox.release();
  }

  @Override
  public void learnClientAddress(long peer, String clientAddress) {}

  @Override
  public void reportUnreachable(long peer) {
    unreachable.add(peer);
  }

  @Override
  public void reportSnapshot(long peer, SnapshotStatus status) {
    snapshots.put(peer, status);
  }

  @Override
  public Iterator<SnapshotKvBatch> readSnapshot(Message snapshotMessage) {
    snapshotsRead.add(snapshotMessage.getTo());
    throw new IllegalStateException("no snapshot " + snapshotMessage.getSnapshot().getMetadata().getIndex());
  }

  @Override
  public SnapshotStore.Receiver receiveSnapshot(Message snapshotMessage) {
    throw new UnsupportedOperationException("transport tests receive no snapshots");
  }

  @Override
  public void snapshotReceived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
    throw new UnsupportedOperationException("transport tests receive no snapshots");
  }

  @Override
  public void reportStorageFailure(Throwable failure) {
    throw new UnsupportedOperationException("transport tests receive no snapshots");
  }
}
