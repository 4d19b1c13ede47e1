package io.raftkv.raft;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only entry point of the Raft core: feed it ticks, messages and proposals, take {@link Ready}s,
 * persist and send what they say, and {@link #advance(Ready)}. Single-threaded and deterministic; all
 * I/O is the caller's.
 */
public final class RawNode {
  private final Raft raft;
  private SoftState prevSoftState;
  private HardState prevHardState;

  public RawNode(RaftConfig config) {
    this.raft = new Raft(config);
    boolean bootstrap = !config.peers().isEmpty() || !config.learners().isEmpty();
    if (bootstrap) {
      bootstrap(config.peers(), config.learners());
      // The bootstrap's hard state (term 1, commit n) has to reach the storage in the first Ready.
      prevHardState = HardState.getDefaultInstance();
    } else {
      prevHardState = raft.hardState();
    }
    prevSoftState = raft.softState();
  }

  /** Starts a brand-new group: one committed conf change entry per member at term 1, as etcd does. */
  private void bootstrap(List<Long> peers, List<Long> learners) {
    raft.becomeFollower(1, 0);
    List<ConfChange> changes = new ArrayList<>();
    for (long peer : peers) {
      changes.add(ConfChange.newBuilder().setChangeType(io.raftkv.raft.pb.ConfChangeType.AddNode)
          .setNodeId(peer).build());
    }
    for (long learner : learners) {
      changes.add(ConfChange.newBuilder().setChangeType(io.raftkv.raft.pb.ConfChangeType.AddLearnerNode)
          .setNodeId(learner).build());
    }
    List<Entry> entries = new ArrayList<>(changes.size());
    for (int i = 0; i < changes.size(); i++) {
      entries.add(Entry.newBuilder().setEntryType(EntryType.EntryConfChange).setTerm(1).setIndex(i + 1)
          .setData(changes.get(i).toByteString()).build());
    }
    raft.log.append(entries);
    raft.log.commitTo(entries.size());
    for (ConfChange cc : changes) {
      raft.applyConfChange(cc);
    }
  }

  /** Advances the logical clock by one tick: elections and heartbeats are counted in ticks. */
  public void tick() {
    raft.tick();
  }

  /** Starts an election now (a pre-election first when PreVote is on). */
  public void campaign() {
    raft.step(Message.newBuilder().setMsgType(MessageType.MsgHup).setFrom(raft.id).build());
  }

  /** Proposes {@code data} for the log. @throws ProposalDroppedException if it cannot be accepted now */
  public void propose(ByteString data) {
    propose(List.of(data));
  }

  /**
   * Proposes several entries at once: they travel to followers in the same appends, which is how an
   * application batches proposals that arrive together.
   *
   * @throws ProposalDroppedException if they cannot be accepted now (all or none are)
   */
  public void propose(List<ByteString> data) {
    if (data.isEmpty()) {
      return;
    }
    Message.Builder m = Message.newBuilder().setMsgType(MessageType.MsgPropose).setFrom(raft.id);
    for (ByteString d : data) {
      m.addEntries(Entry.newBuilder().setData(d));
    }
    raft.step(m.build());
  }

  /** Proposes a membership change. @throws ProposalDroppedException if one is already pending */
  public void proposeConfChange(ConfChange cc) {
    raft.step(Message.newBuilder().setMsgType(MessageType.MsgPropose).setFrom(raft.id)
        .addEntries(Entry.newBuilder().setEntryType(EntryType.EntryConfChange).setData(cc.toByteString()))
        .build());
  }

  /**
   * Applies a committed membership change; call it for every committed {@code EntryConfChange} and
   * persist the returned membership with the applied index.
   */
  public ConfState applyConfChange(ConfChange cc) {
    return raft.applyConfChange(cc);
  }

  /**
   * Steps a message received from a peer. Messages from unknown peers' responses, of stale terms, or
   * malformed are ignored (or answered as Raft says).
   *
   * @throws IllegalArgumentException for a local message type, which never comes from the network
   * @throws ProposalDroppedException for a forwarded proposal that cannot be accepted
   */
  public void step(Message m) {
    MessageType type = m.getMsgType();
    if (Messages.isLocal(type)) {
      throw new IllegalArgumentException(
          type + " is a local message type: it cannot be stepped from the network");
    }
    if (Messages.malformedReason(m, raft.id) != null) {
      return;
    }
    if (Messages.isResponse(type) && raft.tracker.get(m.getFrom()) == null) {
      return; // a response from a node outside the configuration
    }
    raft.step(m);
  }

  /** Hands leadership to {@code transferee}; on a follower the request goes to the leader. */
  public void transferLeader(long transferee) {
    raft.step(Message.newBuilder().setMsgType(MessageType.MsgTransferLeader).setFrom(transferee).build());
  }

  /**
   * Requests a linearizable read point; a {@link ReadState} carrying {@code requestContext} comes out of
   * a later Ready once the leader has confirmed its leadership. Without a leader nothing comes.
   */
  public void readIndex(ByteString requestContext) {
    raft.step(Message.newBuilder().setMsgType(MessageType.MsgReadIndex).setFrom(raft.id)
        .addEntries(Entry.newBuilder().setData(requestContext)).build());
  }

  /** The transport could not reach {@code id}: replication to it falls back to probing. */
  public void reportUnreachable(long id) {
    raft.step(Message.newBuilder().setMsgType(MessageType.MsgUnreachable).setFrom(id).build());
  }

  /** The outcome of sending a snapshot to {@code id}. */
  public void reportSnapshot(long id, SnapshotStatus status) {
    raft.step(Message.newBuilder().setMsgType(MessageType.MsgSnapStatus).setFrom(id)
        .setReject(status == SnapshotStatus.FAILURE).build());
  }

  public boolean hasReady() {
    if (!raft.softState().equals(prevSoftState)) {
      return true;
    }
    HardState hs = raft.hardState();
    if (!hs.equals(HardState.getDefaultInstance()) && !hs.equals(prevHardState)) {
      return true;
    }
    return raft.log.nextUnstableSnapshot() != null
        || !raft.msgs.isEmpty()
        || raft.log.hasNextUnstableEntries()
        || raft.log.hasNextCommittedEntries()
        || !raft.readStates.isEmpty();
  }

  /**
   * What the application must do now. What it hands out is not handed out again by a later call, so
   * the application may take the next Ready while it still persists this one; it must
   * {@link #advance(Ready)} them in order.
   */
  public Ready ready() {
    SoftState softState = raft.softState();
    SoftState readySoftState = softState.equals(prevSoftState) ? null : softState;
    HardState hs = raft.hardState();
    HardState readyHardState = hs.equals(prevHardState) ? HardState.getDefaultInstance() : hs;
    List<Entry> entries = raft.log.nextUnstableEntries();
    Snapshot pendingSnapshot = raft.log.nextUnstableSnapshot();
    Snapshot snapshot = pendingSnapshot == null ? Snapshot.getDefaultInstance() : pendingSnapshot;
    List<Entry> committed = raft.log.nextCommittedEntries();
    List<Message> messages = raft.msgs.isEmpty() ? List.of() : raft.msgs;
    List<ReadState> readStates = raft.readStates.isEmpty() ? List.of() : raft.readStates;
    boolean mustSync = !entries.isEmpty()
        || hs.getTerm() != prevHardState.getTerm() || hs.getVote() != prevHardState.getVote();

    // Accept: whatever this Ready hands out is the application's now.
    if (readySoftState != null) {
      prevSoftState = softState;
    }
    if (readyHardState != HardState.getDefaultInstance()) {
      prevHardState = hs;
    }
    raft.msgs = new ArrayList<>();
    raft.readStates = new ArrayList<>();
    raft.log.acceptUnstable();
    if (!committed.isEmpty()) {
      raft.log.acceptApplying(committed.get(committed.size() - 1).getIndex());
    }
    return new Ready(readySoftState, readyHardState, List.copyOf(entries), snapshot, List.copyOf(committed),
        List.copyOf(messages), List.copyOf(readStates), mustSync);
  }

  /**
   * Acknowledges that {@code ready} was handled: its entries and snapshot are persisted and its committed
   * entries applied. A leader counts its own log toward commitment only from here.
   */
  public void advance(Ready ready) {
    long appliedCursor = 0;
    if (!ready.committedEntries().isEmpty()) {
      appliedCursor = ready.committedEntries().get(ready.committedEntries().size() - 1).getIndex();
    } else if (ready.snapshot().getMetadata().getIndex() > 0) {
      appliedCursor = ready.snapshot().getMetadata().getIndex();
    }
    if (appliedCursor > 0) {
      raft.log.appliedTo(appliedCursor);
    }
    if (ready.snapshot().getMetadata().getIndex() > 0) {
      raft.log.stableSnapTo(ready.snapshot().getMetadata().getIndex());
    }
    if (!ready.entries().isEmpty()) {
      Entry last = ready.entries().get(ready.entries().size() - 1);
      raft.log.stableTo(last.getIndex(), last.getTerm());
      raft.onPersisted(last.getIndex(), last.getTerm());
    }
  }

  /** Index of the last entry in the log (persisted or not): after a leader's propose, the proposal's index. */
  public long lastIndex() {
    return raft.log.lastIndex();
  }

  /** The current term. */
  public long term() {
    return raft.term;
  }

  /** Who leads and this node's role, without the copying {@link #status()} does. */
  public SoftState softState() {
    return raft.softState();
  }

  /** A point-in-time view; progress is filled on the leader only. */
  public Status status() {
    Map<Long, Progress> progress = new LinkedHashMap<>();
    if (raft.state == StateType.LEADER) {
      raft.tracker.progress().forEach((id, pr) -> progress.put(id, pr.copy()));
    }
    return new Status(raft.id, raft.hardState(), raft.softState(), raft.log.applied(), progress);
  }
}
