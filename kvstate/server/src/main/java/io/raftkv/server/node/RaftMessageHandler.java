package io.raftkv.server.node;

import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.Iterator;
import java.util.List;

/**
 * Everything a transport may call into the peer it serves (as etcd's rafthttp.Raft): deliver what peers
 * sent, report what could not be sent, and stage snapshots. The transport depends on this, never on the
 * node class, so one transport can serve any peer that implements it.
 */
public interface RaftMessageHandler {
  /** The raft group a peer message naming none (group id 0, as from an older sender) is for. */
  long DEFAULT_GROUP = io.raftkv.server.storage.GroupKeys.FIRST_GROUP_ID;

  /**
   * Where what a peer sent for raft group {@code groupId} goes on this process (0 meaning
   * {@link #DEFAULT_GROUP}), or null when no replica of that group is here. One that serves a single peer
   * of the default group takes that group only.
   */
  default RaftMessageHandler forGroup(long groupId) {
    return groupId == 0 || groupId == DEFAULT_GROUP ? this : null;
  }

  /**
   * Where peer streams reserve room for the batches they read (see {@link #receiveReserved}): one for the
   * whole process, as a batch's group is known only once it is read.
   */
  PeerInbox peerInbox();

  /** A batch of raft messages read into a slot reserved in {@link #peerInbox()}; the slot frees once stepped. */
  void receiveReserved(List<Message> messages);

  /** A peer told us where it serves clients. */
  void learnClientAddress(long peer, String clientAddress);

  /** The transport could not deliver to {@code peer}. */
  void reportUnreachable(long peer);

  /** How sending a snapshot to {@code peer} ended. */
  void reportSnapshot(long peer, SnapshotStatus status);

  /** The data of a snapshot this peer captured, for the transport to stream. */
  Iterator<SnapshotKvBatch> readSnapshot(Message snapshotMessage);

  /** Starts receiving a snapshot's data from a peer. */
  SnapshotStore.Receiver receiveSnapshot(Message snapshotMessage);

  /** A snapshot's data arrived whole: its message is to be stepped. */
  void snapshotReceived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged);

  /** A storage failure met while receiving a snapshot: as fatal as one in the raft loop. */
  void reportStorageFailure(Throwable failure);
}
