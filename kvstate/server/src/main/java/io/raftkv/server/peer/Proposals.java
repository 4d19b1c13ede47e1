package io.raftkv.server.peer;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.Member;
import io.raftkv.raft.ProposalDroppedException;
import io.raftkv.raft.RawNode;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.statemachine.CommandCodec;
import io.raftkv.server.storage.PeerStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Turns the requests waiting on a peer into raft proposals (loop thread only): queued writes into entries,
 * reads into a ReadIndex, membership changes and leadership transfers after their checks, registering each
 * with its waiters, or failing it at once when this peer cannot take it (not the leader, raft dropped it).
 */
final class Proposals {
  private final RawNode rawNode;
  private final Membership membership;
  private final PeerStorage peerStorage;
  private final PendingWrites writes;
  private final PendingReads reads;
  private final PendingConfChanges confChanges;

  Proposals(RawNode rawNode, Membership membership, PeerStorage peerStorage, PendingWrites writes,
      PendingReads reads, PendingConfChanges confChanges) {
    this.rawNode = rawNode;
    this.membership = membership;
    this.peerStorage = peerStorage;
    this.writes = writes;
    this.reads = reads;
    this.confChanges = confChanges;
  }

  /** Proposes the queued writes as one batch of entries (as leader), else fails them. */
  void proposeWrites(boolean leader, long leaderId) {
    List<PendingWrites.Waiter> batch = writes.takeQueued();
    if (batch.isEmpty()) {
      return;
    }
    if (!leader) {
      PendingWrites.failBatch(batch, membership.notLeader(leaderId)).forEach(Runnable::run);
      return;
    }
    long now = System.currentTimeMillis();
    List<ByteString> data = new ArrayList<>(batch.size());
    for (PendingWrites.Waiter w : batch) {
      data.add(w.auth() != null ? CommandCodec.encodeAuth(w.auth(), now) : CommandCodec.encode(w.request(), now));
    }
    try {
      rawNode.propose(data);
    } catch (ProposalDroppedException e) {
      NodeException error = NodeException.of(Error.Code.UNAVAILABLE, "write not accepted: " + e.getMessage());
      PendingWrites.failBatch(batch, error).forEach(Runnable::run);
      return;
    }
    writes.proposed(batch, rawNode.lastIndex() - batch.size() + 1, rawNode.term());
  }

  /** Asks the leader to confirm the reads waiting for it under one request context, or fails them. */
  void requestReadIndex(long leaderId) {
    if (!reads.hasUnconfirmed()) {
      return;
    }
    if (leaderId == 0) {
      reads.failUnconfirmed(membership.notLeader(leaderId)).forEach(Runnable::run);
      return;
    }
    rawNode.readIndex(reads.startConfirming());
  }

  /** Proposes a membership change that passes its checks (as leader); else fails {@code future}. */
  void startConfChange(ConfChange cc, CompletableFuture<List<Member>> future, long deadlineNanos, boolean leader,
      long leaderId) {
    if (!leader) {
      future.completeExceptionally(membership.notLeader(leaderId));
      return;
    }
    NodeException refusal = membership.refuseProposal(cc, peerStorage.confState(), System.nanoTime());
    if (refusal != null) {
      future.completeExceptionally(refusal);
      return;
    }
    try {
      rawNode.proposeConfChange(cc);
    } catch (ProposalDroppedException e) {
      future.completeExceptionally(NodeException.of(Error.Code.UNAVAILABLE, e.getMessage()));
      return;
    }
    confChanges.proposed(rawNode.lastIndex(), rawNode.term(), future, deadlineNanos);
  }

  /**
   * Starts handing leadership to {@code transferee}: true when raft started the transfer (the caller then
   * waits for the new leader); false when {@code future} was failed instead.
   */
  boolean startLeaderTransfer(long transferee, CompletableFuture<Long> future, boolean leader, long leaderId) {
    NodeException refusal = membership.refuseTransferee(transferee, peerStorage.confState());
    if (refusal != null) {
      future.completeExceptionally(refusal);
      return false;
    }
    if (!leader) {
      future.completeExceptionally(membership.notLeader(leaderId));
      return false;
    }
    if (!membership.heardRecently(transferee, System.nanoTime())) {
      // raft would abandon the transfer after an election timeout; say why at once instead
      future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT, "node " + transferee
          + " was not heard from within the last election timeout: it cannot take over leadership now"));
      return false;
    }
    rawNode.transferLeader(transferee);
    return true;
  }
}
