package io.raftkv.raft.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.raft.MemoryStorage;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RawNode;
import io.raftkv.raft.ReadState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.SoftState;
import io.raftkv.raft.StateType;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One simulated server: a {@link RawNode} and the application around it, which persists every
 * {@link Ready} into a {@link MemoryStorage} exactly as a real application does (snapshot, entries, hard
 * state; then send; then apply; then advance).
 *
 * <p>The durable part (the storage, the applied sequence that is the state machine, and the membership
 * history it implies) survives {@link #crash()}; the RawNode, a Ready not yet persisted and messages not
 * yet sent do not. {@link #start} after a crash builds a new RawNode, without peers, over the same storage,
 * with {@code applied} set to what the node had durably applied.
 */
final class SimNode {

  enum Life { RUNNING, CRASHED, SHUT_DOWN }

  /** Where in the handling of a Ready a crash strikes. */
  enum CrashPoint { NONE, BEFORE_PERSIST, AFTER_PERSIST, AFTER_SEND, MID_APPLY }

  /** What the node tells its environment while it handles a Ready. */
  interface Hooks {
    void send(SimNode from, List<Message> messages);

    void persisted(SimNode node, long readyNumber);

    void snapshotRestored(SimNode node, Snapshot snapshot, List<Entry> stateMachine);

    /** {@code confAfter} is the membership applyConfChange returned, null for a normal entry. */
    void applied(SimNode node, Entry entry, ConfState confAfter);

    void readState(SimNode node, ReadState readState);
  }

  final long id;
  private final SimOptions options;
  final MemoryStorage storage = new MemoryStorage();

  // Durable application state: survives crashes.
  private final List<Entry> stateMachine = new ArrayList<>();
  private final TreeMap<Long, ConfState> confHistory = new TreeMap<>(Map.of(0L, ConfState.getDefaultInstance()));
  private int snapshotsRestored;
  private boolean appliedOwnRemoval;
  /** The state machine up to {@code encodedUpTo} as snapshot data, so a new snapshot only encodes the rest. */
  private ByteString encoded = ByteString.EMPTY;
  private long encodedUpTo;

  // Volatile state: lost in a crash.
  private RawNode raw;
  private Life life = Life.CRASHED;
  private int incarnation;
  private long readyNumber;
  private Ready held;
  private long heldNumber;
  private long heldUntil;
  private boolean heldSent;
  private long forceHoldSteps;
  private boolean forceSendEarly;
  private CrashPoint armedCrash = CrashPoint.NONE;
  /** Role, leader and hard state as of the latest Ready taken from the RawNode. */
  private SoftState softState;
  private HardState hardState;

  SimNode(long id, SimOptions options) {
    this.id = id;
    this.options = options;
  }

  /** Builds a RawNode over the storage: with {@code peers} for a founder, else from what was persisted. */
  void start(List<Long> peers) {
    if (life == Life.SHUT_DOWN) {
      throw new IllegalStateException("node " + id + " was shut down");
    }
    incarnation++;
    RaftConfig config = RaftConfig.builder()
        .id(id)
        .peers(peers)
        .storage(storage)
        .applied(appliedIndex())
        .electionTick(options.electionTick())
        .heartbeatTick(options.heartbeatTick())
        .preVote(options.preVote())
        .checkQuorum(options.checkQuorum())
        .maxInflightMsgs(options.maxInflightMsgs())
        .maxSizePerMsg(options.maxSizePerMsg())
        .randomSeed(options.seed() * 1_000_003L + id * 7919L + incarnation)
        .build();
    raw = new RawNode(config);
    life = Life.RUNNING;
    held = null;
    armedCrash = CrashPoint.NONE;
    softState = new SoftState(0, StateType.FOLLOWER);
    hardState = storage.initialState().hardState();
  }

  /** Loses everything volatile: the RawNode, a Ready taken but not persisted, unsent messages. */
  void crash() {
    if (life == Life.RUNNING) {
      life = Life.CRASHED;
    }
    raw = null;
    held = null;
    armedCrash = CrashPoint.NONE;
    softState = null;
    hardState = null;
  }

  /** Stops the node for good (it was removed from the group). */
  void shutDown() {
    crash();
    life = Life.SHUT_DOWN;
  }

  boolean isRunning() {
    return life == Life.RUNNING;
  }

  Life life() {
    return life;
  }

  RawNode raw() {
    return raw;
  }

  long appliedIndex() {
    return stateMachine.size();
  }

  /** The applied entries, index i at position i - 1. */
  List<Entry> stateMachine() {
    return Collections.unmodifiableList(stateMachine);
  }

  ConfState confState() {
    return storage.initialState().confState();
  }

  int snapshotsRestored() {
    return snapshotsRestored;
  }

  boolean appliedOwnRemoval() {
    return appliedOwnRemoval;
  }

  /** Takes note of the role and hard state a Ready just taken from the RawNode reports. */
  void noteReady(Ready rd) {
    if (rd.softState() != null) {
      softState = rd.softState();
    }
    if (!rd.hardState().equals(HardState.getDefaultInstance())) {
      hardState = rd.hardState();
    }
  }

  /** Role and leader as of the latest Ready; null while the node is down. */
  SoftState softState() {
    return softState;
  }

  /** Hard state (term, vote, commit) as of the latest Ready; null while the node is down. */
  HardState hardState() {
    return hardState;
  }

  boolean isLeader() {
    return isRunning() && softState.raftState() == StateType.LEADER;
  }

  long term() {
    return hardState == null ? 0 : hardState.getTerm();
  }

  long nextReadyNumber() {
    return ++readyNumber;
  }

  long readyNumber() {
    return readyNumber;
  }

  Ready held() {
    return held;
  }

  long heldNumber() {
    return heldNumber;
  }

  long heldUntil() {
    return heldUntil;
  }

  /** Sits on {@code rd} until step {@code until}; {@code sent} if its messages already went out. */
  void hold(Ready rd, long number, long until, boolean sent) {
    held = rd;
    heldNumber = number;
    heldUntil = until;
    heldSent = sent;
  }

  boolean heldSent() {
    return heldSent;
  }

  /** Makes the node sit on its next Ready for {@code steps} steps, sending early if it leads and {@code sendEarly}. */
  void forceHoldNext(long steps, boolean sendEarly) {
    forceHoldSteps = steps;
    forceSendEarly = sendEarly;
  }

  long forceHoldSteps() {
    return forceHoldSteps;
  }

  boolean forceSendEarly() {
    return forceSendEarly;
  }

  void clearHeld() {
    held = null;
  }

  void armCrash(CrashPoint point) {
    armedCrash = point;
  }

  CrashPoint armedCrash() {
    return armedCrash;
  }

  /**
   * Handles one Ready the way an application does. Returns false if the node crashed at
   * {@code crashAt} on the way (the caller then calls {@link #crash()}); {@code applyBeforeCrash} is how
   * many committed entries get applied first when crashing at {@link CrashPoint#MID_APPLY};
   * {@code alreadySent} when a leader sent the messages before persisting (as the contract allows).
   */
  boolean handleReady(Ready rd, long number, CrashPoint crashAt, int applyBeforeCrash, boolean alreadySent,
      Hooks hooks) {
    if (crashAt == CrashPoint.BEFORE_PERSIST) {
      return false;
    }
    HardState before = storage.initialState().hardState();
    if (!rd.hardState().equals(HardState.getDefaultInstance())) {
      boolean expected = !rd.entries().isEmpty() || rd.hardState().getTerm() != before.getTerm()
          || rd.hardState().getVote() != before.getVote();
      if (rd.mustSync() != expected) {
        throw new SimViolation("Ready.mustSync contract", "node " + id + " got mustSync=" + rd.mustSync()
            + " with " + rd.entries().size() + " entries, hard state " + oneLine(before) + " -> "
            + oneLine(rd.hardState()));
      }
    } else if (rd.mustSync() != !rd.entries().isEmpty()) {
      throw new SimViolation("Ready.mustSync contract", "node " + id + " got mustSync=" + rd.mustSync()
          + " with " + rd.entries().size() + " entries and an unchanged hard state");
    }
    // 1. Persist: snapshot, entries, hard state. A received snapshot replaces the state machine at once,
    // together with the applied index, as one durable step.
    Snapshot snap = rd.snapshot();
    if (!snap.equals(Snapshot.getDefaultInstance())) {
      restore(snap, hooks);
    }
    if (!rd.entries().isEmpty()) {
      storage.append(rd.entries());
    }
    if (!rd.hardState().equals(HardState.getDefaultInstance())) {
      storage.setHardState(rd.hardState());
    }
    hooks.persisted(this, number);
    if (crashAt == CrashPoint.AFTER_PERSIST) {
      return false;
    }
    // 2. Send.
    if (!alreadySent && !rd.messages().isEmpty()) {
      hooks.send(this, rd.messages());
    }
    if (crashAt == CrashPoint.AFTER_SEND) {
      return false;
    }
    // 3. Apply.
    for (ReadState rs : rd.readStates()) {
      hooks.readState(this, rs);
    }
    int n = 0;
    for (Entry e : rd.committedEntries()) {
      if (crashAt == CrashPoint.MID_APPLY && n == applyBeforeCrash) {
        return false;
      }
      apply(e, hooks);
      n++;
    }
    if (crashAt == CrashPoint.MID_APPLY) {
      return false;
    }
    // 4. Advance.
    raw.advance(rd);
    return true;
  }

  private void restore(Snapshot snap, SimNode.Hooks hooks) {
    long index = snap.getMetadata().getIndex();
    if (index <= appliedIndex()) {
      throw new SimViolation("snapshot freshness", "node " + id + " was handed a snapshot at index " + index
          + " (term " + snap.getMetadata().getTerm() + ") though it had already applied up to " + appliedIndex());
    }
    storage.applySnapshot(snap);
    List<Entry> restored = SnapshotCodec.decode(snap.getData());
    if (restored.size() != index) {
      throw new SimViolation("snapshot content", "node " + id + " got a snapshot at index " + index
          + " whose data holds " + restored.size() + " applied entries");
    }
    for (int i = 0; i < restored.size(); i++) {
      if (restored.get(i).getIndex() != i + 1) {
        throw new SimViolation("snapshot content", "node " + id + " got a snapshot at index " + index
            + " whose entry #" + (i + 1) + " has index " + restored.get(i).getIndex());
      }
    }
    if (restored.get(restored.size() - 1).getTerm() != snap.getMetadata().getTerm()) {
      throw new SimViolation("snapshot content", "node " + id + " got a snapshot at index " + index + " of term "
          + snap.getMetadata().getTerm() + " but the entry applied there has term "
          + restored.get(restored.size() - 1).getTerm());
    }
    stateMachine.clear();
    stateMachine.addAll(restored);
    encoded = snap.getData();
    encodedUpTo = index;
    confHistory.clear();
    confHistory.put(index, snap.getMetadata().getConfState());
    snapshotsRestored++;
    hooks.snapshotRestored(this, snap, stateMachine());
  }

  private void apply(Entry e, Hooks hooks) {
    if (e.getIndex() != appliedIndex() + 1) {
      throw new SimViolation("apply order", "node " + id + " (incarnation " + incarnation
          + ") was handed committed entry " + e.getIndex() + " (term " + e.getTerm() + ") after applying up to "
          + appliedIndex());
    }
    ConfState after = null;
    if (e.getEntryType() == EntryType.EntryConfChange) {
      ConfChange cc;
      try {
        cc = ConfChange.parseFrom(e.getData());
      } catch (InvalidProtocolBufferException ex) {
        throw new SimViolation("entry integrity", "node " + id + " applied conf change entry " + e.getIndex()
            + " whose data is not a ConfChange: " + ex.getMessage());
      }
      after = raw.applyConfChange(cc);
      storage.setConfState(after);
      confHistory.put(e.getIndex(), after);
      if (cc.getChangeType() == ConfChangeType.RemoveNode && cc.getNodeId() == id) {
        appliedOwnRemoval = true;
      }
    }
    stateMachine.add(e);
    hooks.applied(this, e, after);
  }

  /**
   * Compacts the log behind a snapshot at {@code index} holding the state machine up to there; returns
   * false if {@code index} is not above the current snapshot or not yet applied.
   */
  boolean compact(long index) {
    long snapIndex = storage.firstIndex() - 1;
    if (index <= snapIndex || index > appliedIndex() || index > storage.lastIndex()) {
      return false;
    }
    ConfState cs = confHistory.floorEntry(index).getValue();
    if (encodedUpTo > index) {
      encoded = ByteString.EMPTY;
      encodedUpTo = 0;
    }
    encoded = encoded.concat(SnapshotCodec.encode(stateMachine.subList((int) encodedUpTo, (int) index)));
    encodedUpTo = index;
    storage.createSnapshot(index, cs, encoded);
    storage.compact(index);
    return true;
  }

  static String oneLine(Object proto) {
    return "{" + proto.toString().trim().replace('\n', ' ') + "}";
  }

  String describe() {
    StringBuilder sb = new StringBuilder("node ").append(id).append(' ').append(life);
    if (softState != null) {
      sb.append(' ').append(softState.raftState()).append(" lead=").append(softState.lead());
    }
    HardState hs = storage.initialState().hardState();
    sb.append(" hs(term=").append(hs.getTerm()).append(" vote=").append(hs.getVote()).append(" commit=")
        .append(hs.getCommit()).append(") log=[").append(storage.firstIndex()).append("..")
        .append(storage.lastIndex()).append("] applied=").append(appliedIndex())
        .append(" conf=").append(oneLine(confState()))
        .append(" snapshotsRestored=").append(snapshotsRestored);
    return sb.toString();
  }
}
