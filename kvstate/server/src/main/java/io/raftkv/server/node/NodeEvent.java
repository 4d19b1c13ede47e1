package io.raftkv.server.node;

import io.raftkv.raft.SnapshotStatus;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StateCut;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the raft loop's mailbox carries: one record per kind of event, handled by one switch in
 * {@link RaftKvNode}'s loop.
 */
sealed interface NodeEvent {
  /** Client writes to propose. */
  record Propose(List<PendingWrites.Waiter> writes) implements NodeEvent {}

  /** A linearizable read to confirm with ReadIndex. */
  record ReadIndex(PendingReads.Waiter read) implements NodeEvent {}

  /** A membership change to propose (as leader). */
  record ProposeConfChange(ConfChange change, CompletableFuture<List<Member>> future, long deadlineNanos)
      implements NodeEvent {}

  /** A leadership transfer to start (as leader). */
  record TransferLeader(long transferee, CompletableFuture<Long> future) implements NodeEvent {}

  /** Pin the replicated state for a backup once no snapshot install is under way. */
  record PinStateCut(CompletableFuture<StateCut> cut, long deadlineNanos) implements NodeEvent {}

  /** Report the voters heard from recently. */
  record RecentlyHeardVoters(CompletableFuture<Set<Long>> future) implements NodeEvent {}

  /** Raft messages from peers; {@code reserved} ones hold a {@link PeerInbox} slot, freed once stepped. */
  record PeerMessages(List<Message> messages, boolean reserved) implements NodeEvent {}

  /** A snapshot's data arrived whole, with its message to step. */
  record SnapshotArrived(Message message, SnapshotStore.StagedSnapshot staged) implements NodeEvent {}

  /** A Ready the persister wrote is on disk. */
  record ReadyPersisted(InFlightReady ready) implements NodeEvent {}

  /** The persister failed: wake the loop to see the failure. */
  record PersistFailed() implements NodeEvent {}

  /** The transport could not deliver to {@code peer}. */
  record Unreachable(long peer) implements NodeEvent {}

  /** How sending a snapshot to {@code peer} ended. */
  record SnapshotSent(long peer, SnapshotStatus status) implements NodeEvent {}

  /** A peer announced where it serves clients. */
  record ClientAddressLearned(long peer, String clientAddress) implements NodeEvent {}

  /** A storage failure met outside the loop: the node stops. */
  record StorageFailed(Throwable failure) implements NodeEvent {}
}
