package io.raftkv.raft.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.raft.ProposalDroppedException;
import io.raftkv.raft.ReadState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * A simulated group: the nodes, the network between them and the logical clock. Time advances in steps
 * ({@link #step()}); every {@link #STEPS_PER_TICK} steps each running node ticks. Each input to a node
 * (a delivered message, a tick, a proposal, ...) is followed at once by handling its Readies, unless the
 * node holds a Ready for a few steps to model a slow disk. Every random choice comes from one seeded
 * {@link Random}, and nodes and messages are visited in a fixed order, so a run is a pure function of its
 * options.
 */
final class SimCluster implements SimNode.Hooks {

  static final int STEPS_PER_TICK = 2;
  private static final int TRACE_LINES = Integer.getInteger("raftkv.sim.traceLines", 400);

  final SimOptions options;
  final Random rnd;
  final SimNetwork network;
  final InvariantChecker checker = new InvariantChecker();
  private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
  private long now;
  private double holdReadyRate;
  private final Set<ByteString> appliedConfContexts = new HashSet<>();
  private final TreeMap<Long, Long> removalAppliedAt = new TreeMap<>();
  /** Crashed nodes and the step at which they come back. */
  private final TreeMap<Long, Long> restartAt = new TreeMap<>();
  private double targetedCrashRate;
  private ConfState latestConf = ConfState.getDefaultInstance();
  private long latestConfIndex;

  private final boolean tracing;
  private final ArrayDeque<String> trace = new ArrayDeque<>();

  long fingerprint = 17;
  long crashes;
  long restarts;
  long snapshotsSent;
  long snapshotsDelivered;
  long compactions;
  long proposalsDropped;

  SimCluster(SimOptions options, boolean tracing) {
    this.options = options;
    this.tracing = tracing;
    this.rnd = new Random(options.seed() * 0x2545F4914F6CDD1DL + 1);
    this.network = new SimNetwork(new Random(options.seed() * 0x5851F42D4C957F2DL + 3));
    FaultProfile p = options.profile();
    network.setFaults(p.dropRate, p.duplicateRate, p.reorderRate);
    holdReadyRate = p.holdReadyRate;
    targetedCrashRate = p.targetedCrashRate;
  }

  /** Starts the founders 1..clusterSize as a brand-new group. */
  void bootstrap() {
    List<Long> peers = LongStream.rangeClosed(1, options.clusterSize()).boxed().collect(Collectors.toList());
    checker.bootstrapCommitted(peers.size());
    for (long id : peers) {
      SimNode n = new SimNode(id, options);
      nodes.put(id, n);
      n.start(peers);
    }
    for (SimNode n : nodes.values()) {
      afterInput(n);
    }
  }

  // ---------------------------------------------------------------- time

  /** One step: deliver due messages, release held Readies, tick on tick boundaries, retire removed nodes. */
  void step() {
    restartDue();
    for (SimNetwork.Envelope env : network.pollDue(now)) {
      deliver(env);
    }
    for (SimNode n : nodes.values()) {
      if (n.isRunning() && n.held() != null && n.heldUntil() <= now) {
        releaseHeld(n);
      }
    }
    if (now % STEPS_PER_TICK == 0) {
      for (SimNode n : nodes.values()) {
        if (n.isRunning()) {
          n.raw().tick();
          afterInput(n);
        }
      }
    }
    retireRemovedNodes();
    now++;
  }

  void runSteps(long steps) {
    for (long i = 0; i < steps; i++) {
      step();
    }
  }

  void runTicks(long ticks) {
    runSteps(ticks * STEPS_PER_TICK);
  }

  long now() {
    return now;
  }

  long tickNow() {
    return now / STEPS_PER_TICK;
  }

  /**
   * Stops the random faults: heals the network, no more losses, slow disks or armed crashes, and brings
   * back every crashed node that is still a member (one whose removal was applied is shut down instead).
   */
  void calm() {
    network.heal();
    network.setFaults(0, 0, 0);
    holdReadyRate = 0;
    targetedCrashRate = 0;
    restartAt.clear();
    for (SimNode n : nodes.values()) {
      n.armCrash(SimNode.CrashPoint.NONE);
      if (n.isRunning() && n.held() != null) {
        releaseHeld(n);
      }
    }
    for (SimNode n : new ArrayList<>(nodes.values())) {
      if (n.life() == SimNode.Life.CRASHED) {
        if (removalApplied(n.id)) {
          shutDown(n.id);
        } else {
          restart(n.id);
        }
      }
    }
    trace("calm: network healed, faults off, crashed nodes restarted");
  }

  /** How many nodes are down or about to crash (and will be restarted). */
  int downCount() {
    return restartAt.size();
  }

  /** At most this many nodes are down at once: a minority of the founders. */
  int maxDown() {
    return (options.clusterSize() - 1) / 2;
  }

  private void restartDue() {
    List<Long> due = new ArrayList<>();
    for (Map.Entry<Long, Long> e : restartAt.entrySet()) {
      if (e.getValue() <= now) {
        due.add(e.getKey());
      }
    }
    for (long id : due) {
      restartAt.remove(id);
      SimNode n = nodes.get(id);
      if (n.life() == SimNode.Life.CRASHED) {
        restart(id);
      } else if (n.isRunning()) {
        n.armCrash(SimNode.CrashPoint.NONE);
      }
    }
  }

  // ---------------------------------------------------------------- inputs

  boolean propose(long id, ByteString data) {
    SimNode n = running(id);
    if (n == null) {
      return false;
    }
    trace("propose '" + data.toStringUtf8() + "' at " + id);
    try {
      n.raw().propose(data);
    } catch (ProposalDroppedException e) {
      proposalsDropped++;
      afterInput(n);
      return false;
    }
    afterInput(n);
    return true;
  }

  boolean proposeConfChange(long id, ConfChange cc) {
    SimNode n = running(id);
    if (n == null) {
      return false;
    }
    trace("propose conf change " + cc.getChangeType() + " " + cc.getNodeId() + " at " + id);
    try {
      n.raw().proposeConfChange(cc);
    } catch (ProposalDroppedException e) {
      proposalsDropped++;
      afterInput(n);
      return false;
    }
    afterInput(n);
    return true;
  }

  void transferLeader(long id, long target) {
    SimNode n = running(id);
    if (n == null) {
      return;
    }
    trace("transfer leadership to " + target + " asked at " + id);
    try {
      n.raw().transferLeader(target);
    } catch (ProposalDroppedException e) {
      proposalsDropped++;
    }
    afterInput(n);
  }

  void readIndex(long id, ByteString ctx) {
    SimNode n = running(id);
    if (n == null) {
      return;
    }
    trace("readIndex " + ctx.toStringUtf8() + " at " + id);
    checker.readIssued(id, ctx);
    try {
      n.raw().readIndex(ctx);
    } catch (ProposalDroppedException e) {
      proposalsDropped++;
    }
    afterInput(n);
  }

  /** Puts a message on the network as if its sender had sent it now (for scripted scenarios). */
  void inject(Message m) {
    trace("inject " + m.getMsgType() + " " + m.getFrom() + "->" + m.getTo());
    network.send(m, now);
  }

  void campaign(long id) {
    SimNode n = running(id);
    if (n == null) {
      return;
    }
    trace("campaign at " + id);
    n.raw().campaign();
    afterInput(n);
  }

  void crash(long id) {
    SimNode n = nodes.get(id);
    if (n == null || !n.isRunning()) {
      return;
    }
    trace("crash " + id + (n.held() != null ? " (losing a held Ready)" : ""));
    crash(n);
  }

  private void crash(SimNode n) {
    n.crash();
    checker.crashed(n);
    crashes++;
  }

  /** Crashes {@code id} now and restarts it {@code steps} steps later. */
  void crashFor(long id, long steps) {
    if (running(id) != null) {
      crash(id);
      restartAt.put(id, now + steps);
    }
  }

  /** Arms a crash that strikes while {@code id} handles its next Ready; the node is back {@code steps} later. */
  void crashDuringNextReady(long id, SimNode.CrashPoint point, long steps) {
    if (running(id) != null) {
      crashDuringNextReady(id, point);
      restartAt.put(id, now + steps);
    }
  }

  /** Arms a crash that strikes while {@code id} handles its next Ready; the node stays down until restarted. */
  void crashDuringNextReady(long id, SimNode.CrashPoint point) {
    SimNode n = running(id);
    if (n != null) {
      trace("arm crash " + point + " at " + id);
      n.armCrash(point);
    }
  }

  void restart(long id) {
    SimNode n = nodes.get(id);
    if (n == null || n.life() != SimNode.Life.CRASHED) {
      return;
    }
    trace("restart " + id + " applied=" + n.appliedIndex() + " " + n.describe());
    n.start(List.of());
    restarts++;
    afterInput(n);
  }

  /** Creates and starts a node with an empty storage and no peers, as a joining server does. */
  SimNode addNode(long id) {
    SimNode n = nodes.get(id);
    if (n != null) {
      return n;
    }
    if (id > SimNetwork.MAX_ID) {
      throw new IllegalArgumentException("node id " + id + " above " + SimNetwork.MAX_ID);
    }
    n = new SimNode(id, options);
    nodes.put(id, n);
    n.start(List.of());
    trace("new node " + id);
    afterInput(n);
    return n;
  }

  void shutDown(long id) {
    SimNode n = nodes.get(id);
    if (n != null && n.life() != SimNode.Life.SHUT_DOWN) {
      trace("shut down " + id);
      checker.crashed(n);
      n.shutDown();
    }
  }

  boolean compact(long id, long index) {
    SimNode n = nodes.get(id);
    if (n == null || n.life() == SimNode.Life.SHUT_DOWN) {
      return false;
    }
    boolean done = n.compact(index);
    if (done) {
      compactions++;
      trace("compact " + id + " to " + index);
    }
    return done;
  }

  /** A removed node is shut down once it applies its removal, or a while after any node has applied it. */
  private void retireRemovedNodes() {
    long grace = 4L * options.electionTick() * STEPS_PER_TICK;
    for (Map.Entry<Long, Long> e : removalAppliedAt.entrySet()) {
      SimNode n = nodes.get(e.getKey());
      if (n != null && n.life() != SimNode.Life.SHUT_DOWN && now - e.getValue() >= grace) {
        shutDown(n.id);
      }
    }
  }

  // ---------------------------------------------------------------- Ready handling

  private void afterInput(SimNode n) {
    if (n.isRunning()) {
      pump(n);
    }
  }

  /** Records the role and hard state a Ready just taken reports, and checks them. */
  private void observe(SimNode n, Ready rd) {
    long termBefore = n.term();
    n.noteReady(rd);
    if (tracing && (rd.softState() != null || n.term() != termBefore)) {
      trace("node " + n.id + " is " + n.softState().raftState() + " term " + n.term() + " lead "
          + n.softState().lead());
    }
    checker.observe(n, n.softState(), n.hardState());
  }

  private void pump(SimNode n) {
    int guard = 0;
    while (n.isRunning() && n.held() == null && n.raw().hasReady()) {
      if (++guard > 10_000) {
        throw new SimViolation("Ready progress", "node " + n.id + " kept reporting hasReady() after "
            + guard + " Readies in a row");
      }
      Ready rd = n.raw().ready();
      long number = n.nextReadyNumber();
      observe(n, rd);
      boolean forced = n.forceHoldSteps() > 0;
      if (forced || (holdReadyRate > 0 && rnd.nextDouble() < holdReadyRate)) {
        // A slow disk: the Ready is persisted a few steps later, the node meanwhile taking input. A
        // leader may send its messages at once, while its own write is under way.
        long until = now + (forced ? n.forceHoldSteps() : 1 + rnd.nextInt(4));
        boolean early = n.isLeader() && (forced ? n.forceSendEarly() : rnd.nextDouble() < 0.5);
        n.forceHoldNext(0, false);
        n.hold(rd, number, until, early);
        if (tracing) {
          trace("node " + n.id + " holds Ready #" + number + " " + summary(rd) + (early ? ", messages sent" : ""));
        }
        if (early) {
          if (!rd.messages().isEmpty()) {
            send(n, rd.messages());
          }
          if (targetedCrashRate > 0 && !rd.entries().isEmpty() && downCount() < maxDown()
              && rnd.nextDouble() < targetedCrashRate) {
            trace("leader " + n.id + " will crash before its write completes");
            n.armCrash(SimNode.CrashPoint.BEFORE_PERSIST);
            restartAt.put(n.id, until + 1 + rnd.nextInt(4 * STEPS_PER_TICK));
          }
        }
        return;
      }
      handle(n, rd, number, false);
    }
  }

  /** Makes {@code id} sit on its next Ready for {@code steps} steps (sending its messages first if it leads). */
  void holdNextReady(long id, long steps, boolean sendEarly) {
    nodes.get(id).forceHoldNext(steps, sendEarly);
  }

  private void releaseHeld(SimNode n) {
    Ready rd = n.held();
    long number = n.heldNumber();
    boolean sent = n.heldSent();
    n.clearHeld();
    handle(n, rd, number, sent);
    pump(n);
  }

  private void handle(SimNode n, Ready rd, long number, boolean alreadySent) {
    SimNode.CrashPoint cp = n.armedCrash();
    int applyBeforeCrash = cp == SimNode.CrashPoint.MID_APPLY ? rnd.nextInt(rd.committedEntries().size() + 1) : 0;
    if (tracing) {
      trace("node " + n.id + " handles Ready #" + number + " " + summary(rd)
          + (cp != SimNode.CrashPoint.NONE ? " and crashes " + cp : ""));
    }
    boolean done = n.handleReady(rd, number, cp, applyBeforeCrash, alreadySent, this);
    if (!done) {
      crash(n);
      return;
    }
    if (n.appliedOwnRemoval()) {
      shutDown(n.id);
      return;
    }
    if (targetedCrashRate > 0 && rd.mustSync() && rd.hardState().getVote() != 0 && downCount() < maxDown()
        && rnd.nextDouble() < targetedCrashRate) {
      // Crash right after a synced write (a vote, or entries appended in a term the node voted in) was
      // persisted and answered, and come back soon: what was acknowledged must survive, e.g. a lost vote
      // would let the node vote twice in one term.
      trace("crash " + n.id + " right after a synced write (vote for " + rd.hardState().getVote() + ")");
      crash(n);
      restartAt.put(n.id, now + 1 + rnd.nextInt(4 * STEPS_PER_TICK));
    }
  }

  private static String summary(Ready rd) {
    StringBuilder sb = new StringBuilder();
    if (rd.softState() != null) {
      sb.append(" soft=").append(rd.softState().raftState()).append("/lead ").append(rd.softState().lead());
    }
    if (rd.hardState().getTerm() != 0) {
      sb.append(" hs=").append(rd.hardState().getTerm()).append('/').append(rd.hardState().getVote()).append('/')
          .append(rd.hardState().getCommit());
    }
    if (!rd.entries().isEmpty()) {
      sb.append(" entries=").append(rd.entries().get(0).getIndex()).append("..")
          .append(rd.entries().get(rd.entries().size() - 1).getIndex()).append("@t")
          .append(rd.entries().get(rd.entries().size() - 1).getTerm());
    }
    if (!rd.snapshot().equals(Snapshot.getDefaultInstance())) {
      sb.append(" snapshot=").append(rd.snapshot().getMetadata().getIndex());
    }
    if (!rd.committedEntries().isEmpty()) {
      sb.append(" commit=").append(rd.committedEntries().get(0).getIndex()).append("..")
          .append(rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex());
    }
    if (!rd.messages().isEmpty()) {
      sb.append(" msgs=").append(rd.messages().size());
    }
    if (!rd.readStates().isEmpty()) {
      sb.append(" reads=").append(rd.readStates().size());
    }
    return sb.toString();
  }

  @Override
  public void send(SimNode from, List<Message> messages) {
    // Per destination the order is kept; across destinations it is made independent of how the core
    // iterates its peers, so that the run stays a function of the seed.
    List<Message> sorted = new ArrayList<>(messages);
    sorted.sort(Comparator.comparingLong(Message::getTo));
    for (Message m : sorted) {
      if (m.getMsgType() == MessageType.MsgSnapshot) {
        snapshotsSent++;
      }
      network.send(m, now);
    }
  }

  private void deliver(SimNetwork.Envelope env) {
    Message m = env.message();
    SimNode to = nodes.get(m.getTo());
    SimNode from = nodes.get(m.getFrom());
    boolean reached = !env.lost() && network.linked(m.getFrom(), m.getTo()) && to != null && to.isRunning();
    fingerprint = fingerprint * 31 + m.getMsgTypeValue();
    fingerprint = fingerprint * 31 + m.getFrom() * 64 + m.getTo();
    fingerprint = fingerprint * 31 + m.getTerm() * 1009 + m.getIndex() * 17 + m.getCommit() + m.getEntriesCount()
        + (m.getReject() ? 7 : 0) + (reached ? 0 : 3);
    if (tracing) {
      trace((reached ? "deliver " : "LOSE ") + m.getMsgType() + " " + m.getFrom() + "->" + m.getTo() + " term "
          + m.getTerm() + " logTerm " + m.getLogTerm() + " index " + m.getIndex() + " commit " + m.getCommit()
          + " entries " + m.getEntriesCount() + (m.getReject() ? " REJECT hint " + m.getRejectHint() : "")
          + (m.getMsgType() == MessageType.MsgSnapshot ? " snap@" + m.getSnapshot().getMetadata().getIndex() : ""));
    }
    if (!reached) {
      if (from != null && from.isRunning()) {
        if (m.getMsgType() == MessageType.MsgSnapshot) {
          from.raw().reportSnapshot(m.getTo(), SnapshotStatus.FAILURE);
          afterInput(from);
        } else if (rnd.nextDouble() < 0.25) {
          from.raw().reportUnreachable(m.getTo());
          afterInput(from);
        }
      }
      return;
    }
    try {
      to.raw().step(m);
    } catch (ProposalDroppedException e) {
      proposalsDropped++;
    }
    afterInput(to);
    if (m.getMsgType() == MessageType.MsgSnapshot) {
      snapshotsDelivered++;
      if (from != null && from.isRunning()) {
        from.raw().reportSnapshot(m.getTo(), SnapshotStatus.FINISH);
        afterInput(from);
      }
    }
  }

  @Override
  public void persisted(SimNode node, long readyNumber) {
    checker.persisted(node, readyNumber);
  }

  @Override
  public void snapshotRestored(SimNode node, Snapshot snapshot, List<Entry> stateMachine) {
    trace("node " + node.id + " restored snapshot at " + snapshot.getMetadata().getIndex());
    checker.snapshotRestored(node, stateMachine);
  }

  @Override
  public void applied(SimNode node, Entry entry, ConfState confAfter) {
    fingerprint = fingerprint * 31 + entry.getIndex() * 131 + entry.getTerm() + node.id;
    checker.applied(node, entry);
    if (confAfter == null) {
      return;
    }
    ConfChange cc;
    try {
      cc = ConfChange.parseFrom(entry.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    if (!cc.getContext().isEmpty()) {
      appliedConfContexts.add(cc.getContext());
    }
    if (entry.getIndex() > latestConfIndex) {
      latestConfIndex = entry.getIndex();
      latestConf = confAfter;
      trace("conf change " + cc.getChangeType() + " " + cc.getNodeId() + " applied at index " + entry.getIndex()
          + " -> " + SimNode.oneLine(confAfter));
    }
    if (cc.getChangeType() == ConfChangeType.RemoveNode) {
      removalAppliedAt.putIfAbsent(cc.getNodeId(), now);
    }
  }

  @Override
  public void readState(SimNode node, ReadState readState) {
    checker.readState(node, readState);
  }

  // ---------------------------------------------------------------- queries

  Collection<SimNode> nodes() {
    return nodes.values();
  }

  SimNode node(long id) {
    return nodes.get(id);
  }

  private SimNode running(long id) {
    SimNode n = nodes.get(id);
    return n != null && n.isRunning() ? n : null;
  }

  List<Long> runningIds() {
    List<Long> ids = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (n.isRunning()) {
        ids.add(n.id);
      }
    }
    return ids;
  }

  /** The running node that believes it leads the highest term, or null. */
  SimNode leader() {
    SimNode best = null;
    for (SimNode n : nodes.values()) {
      if (n.isLeader() && (best == null || n.term() > best.term())) {
        best = n;
      }
    }
    return best;
  }

  /** The membership after the latest conf change applied anywhere. */
  ConfState latestConf() {
    return latestConf;
  }

  boolean confChangeApplied(ByteString context) {
    return appliedConfContexts.contains(context);
  }

  boolean removalApplied(long id) {
    return removalAppliedAt.containsKey(id);
  }

  // ---------------------------------------------------------------- diagnostics

  void trace(String line) {
    if (!tracing) {
      return;
    }
    if (trace.size() == TRACE_LINES) {
      trace.removeFirst();
    }
    trace.addLast("t" + (now / STEPS_PER_TICK) + "." + (now % STEPS_PER_TICK) + " " + line);
  }

  List<String> traceTail() {
    return new ArrayList<>(trace);
  }

  String describeNodes() {
    StringBuilder sb = new StringBuilder();
    for (SimNode n : nodes.values()) {
      sb.append("  ").append(n.describe()).append('\n');
    }
    sb.append("  network: partition ").append(network.partition()).append(", ").append(network.inFlight())
        .append(" messages in flight; so far ").append(network.sent).append(" sent, ").append(network.dropped)
        .append(" lost, ").append(network.duplicated).append(" duplicated, ").append(snapshotsSent)
        .append(" snapshots sent; ").append(crashes).append(" crashes, ").append(proposalsDropped)
        .append(" proposals dropped\n");
    return sb.toString();
  }
}
