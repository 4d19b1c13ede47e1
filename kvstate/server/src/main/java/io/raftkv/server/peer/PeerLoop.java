package io.raftkv.server.peer;

import io.raftkv.api.Error;
import io.raftkv.raft.ProposalDroppedException;
import io.raftkv.raft.RawNode;
import io.raftkv.raft.ReadState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.StateType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.NodeStatus;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.node.Transport;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.storage.PeerStorage;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageFailures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer's orchestrator: a thread owning the {@link RawNode} that takes typed {@link PeerEvent}s from its
 * mailbox and owns the order of things: Ready, persist ({@link ReadyWriter}), send, apply ({@link PeerApply}),
 * complete the waiters. Its helpers return values to it and never call each other.
 */
final class PeerLoop {
  private static final Logger LOG = LoggerFactory.getLogger(PeerLoop.class);

  /** At most this many Readys are being written at once; the next waits for the oldest. */
  private static final int MAX_IN_FLIGHT_READYS = 4;

  private final NodeConfig config;
  private final StorageEngine engine;
  private final PeerStorage peerStorage;
  private final KvStateMachine stateMachine;
  private final ChangeFeed changeFeed;
  private final Transport transport;
  private final RawNode rawNode;
  private final Membership membership;
  private final SnapshotCoordinator snapshots;
  private final PeerApply apply;
  private final LogCompaction compaction;
  private final Proposals proposals;
  private final PeerInbox peerInbox;
  /**
   * The loop's events. Bounded by who feeds it: peers' batches by the {@link PeerInbox} (flow control),
   * client requests by the service's admission control, the loop's own events by MAX_IN_FLIGHT_READYS.
   */
  private final BlockingQueue<PeerEvent> mailbox = new LinkedBlockingQueue<>();
  /** Writes each Ready's batch (fsync) off the loop, in order, so the loop keeps stepping meanwhile. */
  private final ReadyWriter<InFlightReady> readyWriter;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile NodeStatus status;
  /** Completes when the loop ends: with what stopped it, or null after close or removal. */
  private final CompletableFuture<Throwable> terminated = new CompletableFuture<>();

  // Loop-thread state.
  private final PendingWrites writes;
  private final PendingReads reads = new PendingReads();
  private final PendingConfChanges confChanges = new PendingConfChanges();
  private final List<TickRetry> tickRetries = new ArrayList<>();
  private long nextFeedGcNanos;
  private long leaderId;
  private StateType role = StateType.FOLLOWER;

  PeerLoop(long groupId, NodeConfig config, StorageEngine engine, PeerBootstrap.Opened opened,
      Transport transport, PeerInbox peerInbox) {
    this.config = config;
    this.engine = engine;
    this.peerStorage = opened.storage();
    this.stateMachine = opened.stateMachine();
    this.changeFeed = opened.changeFeed();
    this.transport = transport;
    this.peerInbox = peerInbox;
    this.writes = new PendingWrites(config.requestTimeout());
    this.rawNode = new RawNode(opened.raftConfig());
    // A voter counts toward a membership change's quorum if heard from within an election timeout, and
    // at least a second, so that a busy machine's pauses refuse no good change.
    long activityWindow = Math.max(config.tickInterval().toNanos() * config.electionTicks(),
        TimeUnit.SECONDS.toNanos(1));
    this.membership = new Membership(config.nodeId(), opened.members(), transport, activityWindow);
    this.snapshots = new SnapshotCoordinator(config.nodeId(), opened.snapshots(), stateMachine, peerStorage,
        membership::all);
    peerStorage.setSnapshotSource(snapshots::capture);
    this.apply = new PeerApply(config.nodeId(), engine, stateMachine, peerStorage, changeFeed, rawNode,
        membership, writes, confChanges);
    this.proposals = new Proposals(rawNode, membership, peerStorage, writes, reads, confChanges);
    this.compaction = new LogCompaction(config.logGcEntries(), config.logGcBytes(), config.logGcKeepEntries());
    membership.connectPeers();
    publishStatus();
    this.readyWriter = new ReadyWriter<>("raftkv-persist-" + config.nodeId() + "-" + groupId,
        MAX_IN_FLIGHT_READYS, inflight -> mailbox.add(new PeerEvent.ReadyPersisted(inflight)),
        () -> mailbox.add(new PeerEvent.PersistFailed()));
    this.thread = new Thread(this::run, "raftkv-node-" + config.nodeId() + "-" + groupId);
  }

  void start() {
    thread.start();
  }

  /** Queues {@code event}; false once the loop no longer takes events. */
  boolean enqueue(PeerEvent event) {
    if (!running) {
      return false;
    }
    mailbox.add(event);
    return true;
  }

  int queuedEvents() {
    return mailbox.size();
  }

  NodeStatus status() {
    return status;
  }

  SnapshotCoordinator snapshots() {
    return snapshots;
  }

  CompletableFuture<Throwable> terminated() {
    return terminated;
  }

  boolean isRunning() {
    return running && thread.isAlive();
  }

  /**
   * Ends the loop with a {@link PeerEvent.Stop} (it answers what waits) and waits for it, then stops the
   * persister and the change feed.
   */
  void stop() {
    running = false;
    mailbox.add(new PeerEvent.Stop());
    try {
      thread.join(10_000);
      if (thread.isAlive()) {
        thread.interrupt(); // stuck in a storage call: interrupt it as a last resort
        thread.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    readyWriter.close();
    changeFeed.close();
  }

  NodeException unavailable() {
    return NodeException.of(Error.Code.UNAVAILABLE, "node " + config.nodeId() + " is shutting down");
  }

  // ------------------------------------------------------------------ the loop

  private void run() {
    long tickNanos = config.tickInterval().toNanos();
    long nextTick = System.nanoTime() + tickNanos;
    List<PeerEvent> events = new ArrayList<>();
    Throwable failure = null;
    try {
      while (running) {
        long waitNanos = nextTick - System.nanoTime();
        PeerEvent first = waitNanos > 0 ? mailbox.poll(waitNanos, TimeUnit.NANOSECONDS) : mailbox.poll();
        if (first != null) {
          events.add(first);
          mailbox.drainTo(events);
          for (PeerEvent event : events) {
            handle(event);
          }
          events.clear();
        }
        proposals.proposeWrites(role == StateType.LEADER, leaderId);
        proposals.requestReadIndex(leaderId);
        if (System.nanoTime() >= nextTick) {
          rawNode.tick();
          nextTick += tickNanos;
          if (nextTick < System.nanoTime()) {
            nextTick = System.nanoTime() + tickNanos; // we fell behind: do not burst ticks
          }
          onTick();
        }
        if (readyWriter.failure() != null) {
          throw new IllegalStateException("writing the raft log failed", readyWriter.failure());
        }
        while (running && readyWriter.hasRoom() && rawNode.hasReady()) {
          takeReady(rawNode.ready());
        }
        publishStatus();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | java.lang.Error e) {
      failure = e;
      if (StorageFailures.isStorageFailure(e)) {
        LOG.error("node {}: storage failure on {}; the node stops (free space or fix the disk, then restart it):"
            + " {}", config.nodeId(), config.dataDir(), StorageFailures.describe(e), e);
      } else {
        LOG.error("node {}: raft loop failed; the node stops", config.nodeId(), e);
      }
    } finally {
      running = false;
      // Requests that raced with the stop are queued as events that register them: run those, so every
      // request is answered, then fail everything still waiting.
      List<PeerEvent> leftovers = new ArrayList<>();
      mailbox.drainTo(leftovers);
      for (PeerEvent event : leftovers) {
        try {
          handle(event);
        } catch (RuntimeException ignored) {
          // the peer is stopping; the request is failed below
        }
      }
      failEverything(unavailable());
      terminated.complete(failure);
    }
  }

  /** Handles one mailbox event (loop thread): the one place each kind of event is dispatched. */
  private void handle(PeerEvent event) {
    if (event instanceof PeerEvent.Propose e) {
      writes.queue(e.writes());
    } else if (event instanceof PeerEvent.ReadIndex e) {
      reads.add(e.read());
    } else if (event instanceof PeerEvent.ProposeConfChange e) {
      proposals.startConfChange(e.change(), e.future(), e.deadlineNanos(), role == StateType.LEADER, leaderId);
    } else if (event instanceof PeerEvent.TransferLeader e) {
      if (proposals.startLeaderTransfer(e.transferee(), e.future(), role == StateType.LEADER, leaderId)) {
        awaitLeader(e.transferee(), e.future(), System.nanoTime() + config.requestTimeout().toNanos());
      }
    } else if (event instanceof PeerEvent.PinStateCut e) {
      pinStateCut(e.cut(), e.deadlineNanos());
    } else if (event instanceof PeerEvent.RecentlyHeardVoters e) {
      e.future().complete(membership.recentlyHeardVoters(peerStorage.confState(), System.nanoTime()));
    } else if (event instanceof PeerEvent.PeerMessages e) {
      stepPeerMessages(e.messages(), e.reserved());
    } else if (event instanceof PeerEvent.SnapshotArrived e) {
      snapshots.arrived(e.message(), e.staged());
      stepPeerMessage(e.message());
    } else if (event instanceof PeerEvent.ReadyPersisted e) {
      onReadyPersisted(e.ready());
    } else if (event instanceof PeerEvent.PersistFailed) {
      // only wakes the loop, which then stops on readyWriter.failure()
    } else if (event instanceof PeerEvent.Unreachable e) {
      rawNode.reportUnreachable(e.peer());
    } else if (event instanceof PeerEvent.SnapshotSent e) {
      rawNode.reportSnapshot(e.peer(), e.status());
    } else if (event instanceof PeerEvent.ClientAddressLearned e) {
      membership.learnClientAddress(e.peer(), e.clientAddress());
    } else if (event instanceof PeerEvent.StorageFailed e) {
      throw new IllegalStateException("storage failure outside the raft loop", e.failure());
    } else if (event instanceof PeerEvent.Stop) {
      running = false;
    } else {
      throw new IllegalStateException("unknown peer event " + event.getClass().getSimpleName());
    }
  }

  private void stepPeerMessages(List<Message> messages, boolean reserved) {
    try {
      messages.forEach(this::stepPeerMessage);
    } finally {
      if (reserved) {
        peerInbox.release();
      }
    }
  }

  private void stepPeerMessage(Message m) {
    membership.heard(m.getFrom(), System.nanoTime());
    try {
      rawNode.step(m);
    } catch (ProposalDroppedException e) {
      // a proposal forwarded by a follower that we cannot take now; the follower's client times out
    } catch (IllegalArgumentException e) {
      // a message no peer may send (a local message type): drop it, never let a peer stop the node
      LOG.warn("node {}: dropped a message from node {}: {}", config.nodeId(), m.getFrom(), e.getMessage());
    }
  }

  private void onTick() {
    long now = System.nanoTime();
    if (now >= nextFeedGcNanos) {
      nextFeedGcNanos = now + config.feedGcInterval().toNanos();
      changeFeed.collectGarbage(System.currentTimeMillis(), stateMachine.applyState().getAppliedIndex());
    }
    writes.expire(now).forEach(Runnable::run);
    confChanges.expire(now).forEach(Runnable::run);
    reads.expire(now).forEach(Runnable::run);
    List<TickRetry> due = new ArrayList<>(tickRetries);
    tickRetries.clear();
    for (TickRetry retry : due) {
      if (retry instanceof TickRetry.AwaitLeader r) {
        awaitLeader(r.expected(), r.future(), r.deadlineNanos());
      } else if (retry instanceof TickRetry.PinStateCut r) {
        pinStateCut(r.cut(), r.deadlineNanos());
      }
    }
  }

  // ------------------------------------------------------------------ retried requests

  private void awaitLeader(long expected, CompletableFuture<Long> future, long deadlineNanos) {
    if (leaderId == expected) {
      future.complete(expected);
    } else if (System.nanoTime() > deadlineNanos) {
      future.completeExceptionally(NodeException.of(Error.Code.TIMEOUT,
          "node " + expected + " did not become leader in time (leader is " + leaderId + ")"));
    } else {
      tickRetries.add(new TickRetry.AwaitLeader(expected, future, deadlineNanos));
    }
  }

  private void pinStateCut(CompletableFuture<StateCut> cut, long deadlineNanos) {
    if (snapshots.pinCut(cut, deadlineNanos, readyWriter.snapshotInFlight(), System.nanoTime())) {
      tickRetries.add(new TickRetry.PinStateCut(cut, deadlineNanos));
    }
  }

  // ------------------------------------------------------------------ Ready -> persist -> send -> apply

  /**
   * Starts handling a Ready: a leader sends its messages at once (its appends replicate while its own
   * write runs, Raft thesis 10.2.1); the persister writes entries, hard state and any snapshot in one
   * synced batch; the rest waits for {@link #onReadyPersisted}.
   */
  private void takeReady(Ready rd) {
    if (rd.softState() != null) {
      onSoftState(rd.softState().lead(), rd.softState().raftState());
    }
    boolean leader = role == StateType.LEADER;
    if (leader) {
      send(rd.messages());
    }
    SnapshotCoordinator.Install install = snapshots.accept(rd.snapshot());
    InFlightReady inflight = new InFlightReady(rd, leader, install);
    WriteBatch batch = new WriteBatch();
    peerStorage.stage(rd, batch);
    Runnable write;
    if (install != null) {
      // The raft log reset is written with the install's commit point; the state follows it.
      write = () -> {
        try (batch) {
          snapshots.install(install, batch);
        }
      };
    } else {
      boolean sync = rd.mustSync();
      write = () -> {
        try (batch) {
          engine.write(batch, sync);
        }
      };
    }
    if (readyWriter.submit(inflight, install != null, write)) {
      onReadyPersisted(inflight); // written on the loop: nothing else was in flight
    }
  }

  /** The oldest in-flight Ready is on disk: answer for it, apply what it committed, and advance. */
  private void onReadyPersisted(InFlightReady inflight) {
    readyWriter.persisted(inflight);
    Ready rd = inflight.ready();
    peerStorage.onPersisted(rd);
    if (inflight.install() != null) {
      membership.adopt(snapshots.installed(inflight.install()));
      changeFeed.published(stateMachine.applyState().getAppliedIndex());
      LOG.info("node {}: installed snapshot at index {} term {}", config.nodeId(),
          rd.snapshot().getMetadata().getIndex(), rd.snapshot().getMetadata().getTerm());
    }
    compaction.appended(rd.entries());
    if (!inflight.sentByLeader()) {
      send(rd.messages()); // a follower answers only for what it has persisted
    }
    List<Runnable> completions = apply.apply(rd.committedEntries());
    completions.forEach(Runnable::run);
    if (membership.selfRemoved()) {
      running = false;
    }
    for (ReadState rs : rd.readStates()) {
      reads.confirmed(rs.requestContext(), rs.index());
    }
    rawNode.advance(rd);
    reads.applied(stateMachine.applyState().getAppliedIndex()).forEach(Runnable::run);
    long compactTo = compaction.compactionPoint(stateMachine.applyState().getAppliedIndex(),
        peerStorage.truncatedState().getIndex());
    if (compactTo > 0) {
      peerStorage.compact(compactTo);
    }
    readyWriter.afterApplied();
  }

  private void onSoftState(long lead, StateType newRole) {
    boolean leaderChanged = lead != leaderId;
    leaderId = lead;
    role = newRole;
    if (leaderChanged) {
      LOG.info("node {}: leader is now {} (term {}, role {})", config.nodeId(), lead, rawNode.term(), newRole);
      // Read requests in flight went to a leader that may be gone; clients retry.
      reads.leaderChanged(membership.notLeader(leaderId)).forEach(Runnable::run);
    }
  }

  private void send(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    List<Message> plain = new ArrayList<>(messages.size());
    for (Message m : messages) {
      if (m.getMsgType() == MessageType.MsgSnapshot) {
        transport.sendSnapshot(m);
      } else {
        plain.add(m);
      }
    }
    if (!plain.isEmpty()) {
      transport.send(plain);
    }
  }

  // ------------------------------------------------------------------ status and shutdown

  private void publishStatus() {
    HardState hs = peerStorage.hardState();
    status = new NodeStatus(config.nodeId(), config.clusterId(), role, rawNode.term(),
        Math.max(hs.getCommit(), 0), stateMachine.applyState().getAppliedIndex(), leaderId,
        peerStorage.firstIndex(), peerStorage.lastIndex(), membership.all(), membership.selfRemoved());
  }

  private void failEverything(NodeException error) {
    writes.failAll(error).forEach(Runnable::run);
    reads.failAll(error).forEach(Runnable::run);
    confChanges.failAll(error).forEach(Runnable::run);
    tickRetries.clear();
  }
}
