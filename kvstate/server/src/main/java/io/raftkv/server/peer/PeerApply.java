package io.raftkv.server.peer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.raft.RawNode;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.statemachine.ApplyBatch;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.WriteOutcome;
import io.raftkv.server.storage.PeerStorage;
import io.raftkv.server.storage.StorageEngine;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a peer's committed entries (loop thread only): commands to the state machine, membership changes
 * to raft and the {@link Membership}, in write rounds of bounded size, each written with the conf state
 * and members it changed and published to the change feed. Returns the answers for the waiting callers
 * rather than giving them, so the loop runs them once every round is written.
 */
final class PeerApply {
  private static final Logger LOG = LoggerFactory.getLogger(PeerApply.class);

  private final long selfId;
  private final StorageEngine engine;
  private final KvStateMachine stateMachine;
  private final PeerStorage peerStorage;
  private final ChangeFeed changeFeed;
  private final RawNode rawNode;
  private final Membership membership;
  private final PendingWrites writes;
  private final PendingConfChanges confChanges;

  PeerApply(long selfId, StorageEngine engine, KvStateMachine stateMachine, PeerStorage peerStorage,
      ChangeFeed changeFeed, RawNode rawNode, Membership membership, PendingWrites writes,
      PendingConfChanges confChanges) {
    this.selfId = selfId;
    this.engine = engine;
    this.stateMachine = stateMachine;
    this.peerStorage = peerStorage;
    this.changeFeed = changeFeed;
    this.rawNode = rawNode;
    this.membership = membership;
    this.writes = writes;
    this.confChanges = confChanges;
  }

  /** Applies {@code committed}, in order; returns the callers' answers, in entry order. */
  List<Runnable> apply(List<Entry> committed) {
    if (committed.isEmpty()) {
      return List.of();
    }
    List<Runnable> completions = new ArrayList<>();
    ConfState newConfState = null;
    ApplyBatch batch = stateMachine.newBatch();
    try {
      for (Entry e : committed) {
        if (e.getEntryType() == EntryType.EntryConfChange) {
          ConfState cs = applyConfChange(e, completions);
          if (cs != null) {
            newConfState = cs;
          }
          stateMachine.markApplied(batch, e.getIndex(), e.getTerm());
        } else if (e.getData().isEmpty()) {
          stateMachine.markApplied(batch, e.getIndex(), e.getTerm()); // a new leader's empty entry
          addIfWaiting(completions, writes.takenByEmptyEntry(e.getIndex(), e.getTerm()));
          addIfWaiting(completions, confChanges.takenByEmptyEntry(e.getIndex(), e.getTerm()));
        } else {
          WriteOutcome outcome = stateMachine.applyCommand(batch, e.getIndex(), e.getTerm(), e.getData());
          addIfWaiting(completions, writes.applied(e.getIndex(), e.getTerm(), outcome));
        }
        if (stateMachine.roundFull(batch)) {
          // Many committed entries at once (a restart's replay, a follower catching up): write them in
          // rounds of bounded size rather than one batch as large as the backlog.
          writeRound(batch, newConfState);
          newConfState = null;
          batch.close();
          batch = stateMachine.newBatch();
        }
      }
      writeRound(batch, newConfState);
    } finally {
      batch.close();
    }
    return completions;
  }

  /** Writes one apply round with the conf state and members it changed (if any), and publishes it. */
  private void writeRound(ApplyBatch batch, ConfState newConfState) {
    if (newConfState != null) {
      peerStorage.stageConfState(newConfState, batch.writeBatch());
      membership.stage(batch.writeBatch());
    }
    stateMachine.seal(batch);
    engine.write(batch.writeBatch(), false);
    stateMachine.onWritten(batch);
    changeFeed.published(batch.appliedIndex());
    if (newConfState != null) {
      peerStorage.onConfStatePersisted(newConfState);
    }
  }

  /** A conf change entry: raft's conf state after it, or null when the entry is unreadable. */
  private ConfState applyConfChange(Entry e, List<Runnable> completions) {
    ConfChange cc;
    try {
      cc = ConfChange.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      LOG.warn("node {}: skipping unreadable conf change at index {}", selfId, e.getIndex());
      return null;
    }
    addIfWaiting(completions, writes.takenByConfChange(e.getIndex()));
    ConfState cs = rawNode.applyConfChange(cc);
    membership.apply(cc);
    addIfWaiting(completions, confChanges.applied(e.getIndex(), e.getTerm(), membership.all()));
    return cs;
  }

  private static void addIfWaiting(List<Runnable> completions, Completion<?> completion) {
    if (completion != null) {
      completions.add(completion);
    }
  }
}
