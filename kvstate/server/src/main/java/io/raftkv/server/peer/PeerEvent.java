package io.raftkv.server.peer;

import io.raftkv.api.Member;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StateCut;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a peer's mailbox carries: one record per kind of event, handled by one switch in {@link PeerLoop}.
 */
sealed interface PeerEvent {
  /** Client writes to propose. */
  record Propose(List<PendingWrites.Waiter> writes) implements PeerEvent {}

  /** A linearizable read to confirm with ReadIndex. */
  record ReadIndex(PendingReads.Waiter read) implements PeerEvent {}

  /** A membership change to propose (as leader). */
  record ProposeConfChange(ConfChange change, CompletableFuture<List<Member>> future, long deadlineNanos)
      implements PeerEvent {}

  /** A leadership transfer to start (as leader). */
  record TransferLeader(long transferee, CompletableFuture<Long> future) implements PeerEvent {}

  /** Pin the replicated state for a backup once no snapshot install is under way. */
  record PinStateCut(CompletableFuture<StateCut> cut, long deadlineNanos) implements PeerEvent {}

  /** Report the voters heard from recently. */
  record RecentlyHeardVoters(CompletableFuture<Set<Long>> future) implements PeerEvent {}

  /** Raft messages from peers; {@code reserved} ones hold a {@link PeerInbox} slot, freed once stepped. */
  record PeerMessages(List<Message> messages, boolean reserved) implements PeerEvent {}

  /** A snapshot's data arrived whole, with its message to step. */
  record SnapshotArrived(Message message, SnapshotStore.StagedSnapshot staged) implements PeerEvent {}

  /** A Ready the persister wrote is on disk. */
  record ReadyPersisted(InFlightReady ready) implements PeerEvent {}

  /** The persister failed: wake the loop to see the failure. */
  record PersistFailed() implements PeerEvent {}

  /** The transport could not deliver to {@code peer}. */
  record Unreachable(long peer) implements PeerEvent {}

  /** How sending a snapshot to {@code peer} ended. */
  record SnapshotSent(long peer, SnapshotStatus status) implements PeerEvent {}

  /** A peer announced where it serves clients. */
  record ClientAddressLearned(long peer, String clientAddress) implements PeerEvent {}

  /** A storage failure met outside the loop: the peer stops. */
  record StorageFailed(Throwable failure) implements PeerEvent {}

  /** The peer is closing: the loop ends after this turn, answering what still waits. */
  record Stop() implements PeerEvent {}
}
