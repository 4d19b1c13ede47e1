package io.raftkv.server.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Error;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Member;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.raft.ProposalDroppedException;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RawNode;
import io.raftkv.raft.ReadState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.StateType;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.statemachine.ApplyBatch;
import io.raftkv.server.statemachine.CommandCodec;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.WriteOutcome;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.PeerStorage;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StorageFailures;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.pb.SnapshotDescriptor;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embeddable RaftKV node: a raft loop thread owning the {@link RawNode}, fed through a mailbox of
 * peer messages, proposals and reads; each Ready persisted in one synced RocksDB batch, committed entries
 * applied to the {@link KvStateMachine}, waiting requests completed. The server, the tests and any
 * embedding use this class.
 */
public final class RaftKvNode implements AutoCloseable, RaftMessageHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RaftKvNode.class);

  private final NodeConfig config;
  private final StorageEngine engine;
  private final PeerStorage peerStorage;
  private final KvStateMachine stateMachine;
  private final SnapshotStore snapshots;
  private final ChangeFeed changeFeed;
  private final MemberDirectory members;
  /** When each peer was last heard from, for the membership checks (loop thread only). */
  private final PeerActivity peerActivity = new PeerActivity();
  private final Transport transport;
  private final RawNode rawNode;
  /**
   * The raft loop's events. Bounded by who feeds it: peers' batches by {@link #peerInbox} (flow control),
   * client requests by the service's admission control, the loop's own events by MAX_IN_FLIGHT_READYS.
   */
  private final BlockingQueue<NodeEvent> mailbox = new LinkedBlockingQueue<>();
  private final PeerInbox peerInbox;
  private final Thread loopThread;
  private volatile boolean running = true;
  private volatile NodeStatus status;

  // Loop-thread state.
  private final PendingWrites writes;
  private final PendingReads reads = new PendingReads();
  private final PendingConfChanges confChanges = new PendingConfChanges();
  private final Map<Long, SnapshotStore.StagedSnapshot> receivedSnapshots = new HashMap<>();
  /** Work to retry at the next tick (e.g. waiting for a leadership transfer to finish). */
  private final List<Runnable> afterTick = new ArrayList<>();
  /** Client addresses peers announced, to skip re-announcing them to the loop (any thread). */
  private final Map<Long, String> knownClientAddresses = new java.util.concurrent.ConcurrentHashMap<>();
  private long nextFeedGcNanos;
  private long leaderId;
  private StateType role = StateType.FOLLOWER;
  private long bytesSinceCompaction;
  private SnapshotDescriptor lastCapture;
  private boolean removed;
  /** Writes each Ready's batch (fsync) off the raft loop, in order, so the loop keeps stepping meanwhile. */
  private final ReadyWriter<InFlightReady> readyWriter;
  /** Completes when the raft loop ends: with what stopped it, or null after close or removal. */
  private final CompletableFuture<Throwable> terminated = new CompletableFuture<>();

  /** At most this many Readys are being written at once; the next waits for the oldest. */
  private static final int MAX_IN_FLIGHT_READYS = 4;

  private RaftKvNode(NodeConfig config, Transport transport) {
    this.config = config;
    this.transport = transport;
    this.peerInbox = new PeerInbox(config.overloadLimits().maxQueuedPeerBatches());
    this.writes = new PendingWrites(config.requestTimeout());
    this.engine = StorageEngine.open(config.dataDir(), config.clusterId(), config.nodeId());
    GroupKeys groupKeys = GroupKeys.firstGroup();
    try {
      this.snapshots = new SnapshotStore(engine, groupKeys);
      if (snapshots.resumedInstallIndex() > 0) {
        LOG.warn("node {}: finished the install of snapshot {} that a crash or storage failure interrupted",
            config.nodeId(), snapshots.resumedInstallIndex());
      }
      PeerStorage storage = new PeerStorage(engine, groupKeys, config.entryCacheBytes());
      if (snapshots.recoverInterruptedInstall(storage.lastIndex(), storage.truncatedState())) {
        LOG.warn("node {}: finished a snapshot install interrupted by a crash", config.nodeId());
        storage = new PeerStorage(engine, groupKeys, config.entryCacheBytes());
      }
      this.peerStorage = storage;
      this.stateMachine = new KvStateMachine(engine, groupKeys, config.limits(), config.sessionPolicy());
      this.members = new MemberDirectory(engine, groupKeys);
      this.changeFeed = new ChangeFeed(engine, groupKeys, config.feedRetention());
      this.rawNode = new RawNode(raftConfig());
      peerStorage.setSnapshotSource(this::captureSnapshot);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    for (Member m : members.all()) {
      if (m.getId() != config.nodeId()) {
        transport.setPeer(m.getId(), m.getPeerAddress());
      }
    }
    publishStatus();
    this.readyWriter = new ReadyWriter<>("raftkv-persist-" + config.nodeId(), MAX_IN_FLIGHT_READYS,
        inflight -> mailbox.add(new NodeEvent.ReadyPersisted(inflight)), () -> mailbox.add(new NodeEvent.PersistFailed()));
    this.loopThread = new Thread(this::runLoop, "raftkv-node-" + config.nodeId());
  }

  /** Opens the node's data directory, starts its raft loop and its transport. */
  public static RaftKvNode start(NodeConfig config, Transport transport) {
    RaftKvNode node = new RaftKvNode(config, transport);
    node.loopThread.start();
    transport.start(node);
    LOG.info("node {} started on {} (cluster '{}', applied {})", config.nodeId(), config.dataDir(),
        config.clusterId(), node.stateMachine.applyState().getAppliedIndex());
    return node;
  }

  private RaftConfig raftConfig() {
    RaftConfig.Builder b = RaftConfig.builder().id(config.nodeId()).storage(peerStorage)
        .electionTick(config.electionTicks()).heartbeatTick(config.heartbeatTicks())
        .maxInflightMsgs(config.maxInflightMsgs()).maxSizePerMsg(config.maxSizePerMsg())
        .preVote(true).checkQuorum(true);
    boolean fresh = peerStorage.lastIndex() == 0 && peerStorage.hardState().equals(HardState.getDefaultInstance());
    if (!fresh && !config.initialMembers().isEmpty() && !members.all().isEmpty()) {
      refuseOtherFoundingMembers();
    }
    if (fresh && !config.initialMembers().isEmpty()) {
      b.peers(new ArrayList<>(new java.util.TreeSet<>(config.initialMembers().keySet())));
      members.replaceAll(new ArrayList<>(config.initialMembers().values()));
      try (WriteBatch batch = new WriteBatch()) {
        members.stage(batch);
        engine.write(batch, true);
      }
    }
    long applied = stateMachine.applyState().getAppliedIndex();
    if (applied > peerStorage.hardState().getCommit() && applied > peerStorage.truncatedState().getIndex()) {
      throw new io.raftkv.server.storage.DataDirectoryException(config.dataDir(), "applied index " + applied
          + " is past the persisted commit index " + peerStorage.hardState().getCommit());
    }
    return b.applied(Math.max(applied, peerStorage.truncatedState().getIndex())).build();
  }

  /**
   * A restarted node takes its members from its data directory; founding members given again must be the
   * same, or the caller believes in a membership the cluster does not have.
   */
  private void refuseOtherFoundingMembers() {
    Map<Long, String> stored = new TreeMap<>();
    members.all().forEach(m -> stored.put(m.getId(), m.getPeerAddress()));
    Map<Long, String> given = new TreeMap<>();
    config.initialMembers().values().forEach(m -> given.put(m.getId(), m.getPeerAddress()));
    if (!stored.equals(given)) {
      throw new io.raftkv.server.storage.DataDirectoryException(config.dataDir(), "its members are " + stored
          + " but the founding members given (--peers) are " + given + ": a restarted node takes its members"
          + " from its data directory, so leave --peers out (or give exactly these); change membership on the"
          + " running cluster with 'raftkv members add/remove'");
    }
  }

  // ------------------------------------------------------------------ public API (any thread)

  public long id() {
    return config.nodeId();
  }

  public NodeConfig config() {
    return config;
  }

  /** The node's state as of the raft loop's last iteration. */
  public NodeStatus status() {
    return status;
  }

  /**
   * Replicates and applies a write; completes when applied, or exceptionally with a {@link NodeException}
   * (NOT_LEADER naming the leader, STALE_COMMAND, TIMEOUT, INVALID_ARGUMENT, UNAVAILABLE).
   */
  public CompletableFuture<WriteResponse> write(WriteRequest request) {
    return writeAll(List.of(request)).get(0);
  }

  /**
   * {@link #write} for several requests (a client's batch call) in one trip through the mailbox, so the
   * raft loop wakes once for all of them. The futures are in the order of {@code requests}.
   */
  public List<CompletableFuture<WriteResponse>> writeAll(List<WriteRequest> requests) {
    List<CompletableFuture<WriteResponse>> futures = new ArrayList<>(requests.size());
    List<PendingWrites.Waiter> accepted = new ArrayList<>(requests.size());
    long deadlineNanos = deadline();
    for (WriteRequest request : requests) {
      CompletableFuture<WriteResponse> future = new CompletableFuture<>();
      futures.add(future);
      String problem = config.limits().violation(request);
      if (problem != null) {
        future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT, problem));
      } else {
        accepted.add(new PendingWrites.Waiter(request, future, deadlineNanos));
      }
    }
    if (!accepted.isEmpty() && !enqueue(new NodeEvent.Propose(accepted))) {
      PendingWrites.failBatch(accepted, unavailable()).forEach(Runnable::run);
    }
    return futures;
  }

  /**
   * A linearizable read barrier: completes with an index once this node has applied everything
   * committed when the read arrived, confirmed by the leader with a quorum (ReadIndex). Read the state
   * machine after it completes.
   */
  public CompletableFuture<Long> readBarrier() {
    CompletableFuture<Long> future = new CompletableFuture<>();
    PendingReads.Waiter pending = new PendingReads.Waiter(future, deadline());
    if (!enqueue(new NodeEvent.ReadIndex(pending))) {
      future.completeExceptionally(unavailable());
    }
    return future;
  }

  /**
   * Pins this node's replicated state for a backup once it holds every write acknowledged before this
   * call: a ReadIndex barrier first, then a RocksDB snapshot taken on the raft loop between apply rounds
   * and outside any snapshot install. Writes go on meanwhile; the caller closes the cut when done.
   */
  public CompletableFuture<StateCut> openStateCut() {
    CompletableFuture<StateCut> cut = new CompletableFuture<>();
    long deadline = deadline();
    readBarrier().whenComplete((index, failure) -> {
      if (failure != null) {
        cut.completeExceptionally(failure);
      } else if (!enqueue(new NodeEvent.PinStateCut(cut, deadline))) {
        cut.completeExceptionally(unavailable());
      }
    });
    return cut;
  }

  private void pinStateCut(CompletableFuture<StateCut> cut, long deadlineNanos) {
    if (snapshotInFlight()) {
      // An install replaces the state in several writes: pin it once the install is done.
      if (System.nanoTime() > deadlineNanos) {
        cut.completeExceptionally(NodeException.of(Error.Code.TIMEOUT,
            "a snapshot install on node " + config.nodeId() + " did not finish in time to pin the state"));
      } else {
        scheduleAfterTick(() -> pinStateCut(cut, deadlineNanos));
      }
      return;
    }
    try {
      cut.complete(snapshots.openCut());
    } catch (RuntimeException e) {
      cut.completeExceptionally(e);
    }
  }

  /** This replica's change feed, for watchers. */
  public ChangeFeed changeFeed() {
    return changeFeed;
  }

  /** The locally applied value of {@code key} (serializable; pair with {@link #readBarrier()}). */
  public KeyValue get(ByteString key) {
    return stateMachine.get(key);
  }

  /** The locally applied values of {@code keys}, null where absent (serializable; pair with {@link #readBarrier()}). */
  public List<KeyValue> getAll(List<ByteString> keys) {
    return stateMachine.getAll(keys);
  }

  /** A locally applied range of keys (serializable; pair with {@link #readBarrier()}). */
  public ScanResponse scan(ByteString start, ByteString end, int limit, boolean keysOnly) {
    return stateMachine.scan(start, end, limit, keysOnly);
  }

  public long appliedIndex() {
    return stateMachine.applyState().getAppliedIndex();
  }

  /** Live exactly-once client sessions as of the last applied round (at most the session policy's maxSessions). */
  public int sessionCount() {
    return stateMachine.sessionCount();
  }

  /** Adds a voter (or a learner) with its addresses; completes with the new member list once applied. */
  public CompletableFuture<List<Member>> addMember(Member member) {
    ConfChangeType type = member.getLearner() ? ConfChangeType.AddLearnerNode : ConfChangeType.AddNode;
    return proposeConfChange(ConfChange.newBuilder().setChangeType(type).setNodeId(member.getId())
        .setContext(member.toByteString()).build());
  }

  public CompletableFuture<List<Member>> removeMember(long id) {
    return proposeConfChange(ConfChange.newBuilder().setChangeType(ConfChangeType.RemoveNode).setNodeId(id)
        .build());
  }

  private CompletableFuture<List<Member>> proposeConfChange(ConfChange cc) {
    CompletableFuture<List<Member>> future = new CompletableFuture<>();
    if (cc.getNodeId() <= 0) {
      future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT,
          "member id is " + cc.getNodeId() + ": it must be a positive number"));
      return future;
    }
    if (!enqueue(new NodeEvent.ProposeConfChange(cc, future, deadline()))) {
      future.completeExceptionally(unavailable());
    }
    return future;
  }

  private void startConfChange(ConfChange cc, CompletableFuture<List<Member>> future, long deadline) {
    if (role != StateType.LEADER) {
      future.completeExceptionally(notLeader());
      return;
    }
    if (cc.getChangeType() == ConfChangeType.RemoveNode && members.get(cc.getNodeId()) == null
        && !peerStorage.confState().getVotersList().contains(cc.getNodeId())
        && !peerStorage.confState().getLearnersList().contains(cc.getNodeId())) {
      future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT,
          "node " + cc.getNodeId() + " is not a member; members are " + members.asMap().keySet()));
      return;
    }
    String refusal = membershipRefusal(cc);
    if (refusal != null) {
      future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT, refusal));
      return;
    }
    try {
      rawNode.proposeConfChange(cc);
    } catch (ProposalDroppedException e) {
      future.completeExceptionally(NodeException.of(Error.Code.UNAVAILABLE, e.getMessage()));
      return;
    }
    confChanges.proposed(rawNode.lastIndex(), rawNode.term(), future, deadline);
  }

  /**
   * How recently a voter must have been heard from to count toward the quorum a membership change must
   * keep: an election timeout, and at least a second so that a busy machine's pauses refuse no good change.
   */
  private long activityWindowNanos() {
    return Math.max(config.tickInterval().toNanos() * config.electionTicks(), TimeUnit.SECONDS.toNanos(1));
  }

  private java.util.function.LongPredicate recentlyHeard() {
    long since = System.nanoTime() - activityWindowNanos();
    return id -> id == config.nodeId() || peerActivity.heardSince(id, since);
  }

  /** Why the change {@code cc} would break the cluster (loop thread), or null when it may be proposed. */
  private String membershipRefusal(ConfChange cc) {
    List<Long> voters = peerStorage.confState().getVotersList();
    if (cc.getChangeType() == ConfChangeType.RemoveNode) {
      return MembershipCheck.refuseRemove(cc.getNodeId(), voters, recentlyHeard());
    }
    Member member;
    try {
      member = Member.parseFrom(cc.getContext()).toBuilder().setId(cc.getNodeId()).build();
    } catch (InvalidProtocolBufferException e) {
      return "member " + cc.getNodeId() + ": its addresses are unreadable";
    }
    return MembershipCheck.refuseAdd(member, cc.getChangeType() == ConfChangeType.AddLearnerNode, members.asMap(),
        voters, recentlyHeard());
  }

  /** The voters this node (as leader) heard from recently enough to count toward a membership change's quorum. */
  public CompletableFuture<java.util.Set<Long>> recentlyHeardVoters() {
    CompletableFuture<java.util.Set<Long>> future = new CompletableFuture<>();
    if (!enqueue(new NodeEvent.RecentlyHeardVoters(future))) {
      future.completeExceptionally(unavailable());
    }
    return future;
  }

  /** Asks the leader to hand leadership to {@code transferee}; completes once it leads. */
  public CompletableFuture<Long> transferLeader(long transferee) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    if (!enqueue(new NodeEvent.TransferLeader(transferee, future))) {
      future.completeExceptionally(unavailable());
    }
    return future;
  }

  private void startLeaderTransfer(long transferee, CompletableFuture<Long> future) {
    List<Long> voters = peerStorage.confState().getVotersList();
    if (!voters.contains(transferee)) {
      future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT,
          "node " + transferee + " is not a voting member; voters are " + new java.util.TreeSet<>(voters)
              + (members.get(transferee) != null ? " (node " + transferee + " is a learner)" : "")));
      return;
    }
    if (role != StateType.LEADER) {
      future.completeExceptionally(notLeader());
      return;
    }
    if (!recentlyHeard().test(transferee)) {
      // raft would abandon the transfer after an election timeout; say why at once instead
      future.completeExceptionally(NodeException.of(Error.Code.INVALID_ARGUMENT, "node " + transferee
          + " was not heard from within the last election timeout: it cannot take over leadership now"));
      return;
    }
    rawNode.transferLeader(transferee);
    awaitLeader(transferee, future, deadline());
  }

  private void awaitLeader(long expected, CompletableFuture<Long> future, long deadlineNanos) {
    if (leaderId == expected) {
      future.complete(expected);
    } else if (System.nanoTime() > deadlineNanos) {
      future.completeExceptionally(NodeException.of(Error.Code.TIMEOUT,
          "node " + expected + " did not become leader in time (leader is " + leaderId + ")"));
    } else {
      scheduleAfterTick(() -> awaitLeader(expected, future, deadlineNanos));
    }
  }

  private void scheduleAfterTick(Runnable r) {
    afterTick.add(r);
  }

  /** A raft message from a peer (called by the transport). */
  public void receive(Message message) {
    enqueue(new NodeEvent.PeerMessages(List.of(message), false));
  }

  /** Events waiting in the raft loop's mailbox now (for tests and metrics). */
  public int queuedEvents() {
    return mailbox.size();
  }

  /** Where peer streams reserve room for the batches they read (see {@link #receiveReserved}). */
  public PeerInbox peerInbox() {
    return peerInbox;
  }

  /**
   * A batch of raft messages a peer stream read into a slot it reserved in {@link #peerInbox()}; the slot
   * frees once the loop has stepped them.
   */
  public void receiveReserved(List<Message> messages) {
    if (!enqueue(new NodeEvent.PeerMessages(messages, true))) {
      peerInbox.release();
    }
  }

  /** A peer told us where it serves clients (founding members are configured with peer addresses only). */
  public void learnClientAddress(long peer, String clientAddress) {
    if (clientAddress.isEmpty()) {
      return;
    }
    if (!clientAddress.equals(knownClientAddresses.put(peer, clientAddress))) {
      enqueue(new NodeEvent.ClientAddressLearned(peer, clientAddress));
    }
  }

  /** The transport could not deliver to {@code peer}. */
  public void reportUnreachable(long peer) {
    enqueue(new NodeEvent.Unreachable(peer));
  }

  /** How sending a snapshot to {@code peer} ended. */
  public void reportSnapshot(long peer, SnapshotStatus snapshotStatus) {
    enqueue(new NodeEvent.SnapshotSent(peer, snapshotStatus));
  }

  /** The data of a snapshot this node captured, for the transport to stream. */
  public Iterator<SnapshotKvBatch> readSnapshot(Message snapshotMessage) {
    SnapshotDescriptor descriptor = descriptorOf(snapshotMessage.getSnapshot());
    return snapshots.read(descriptor.getSnapshotId());
  }

  /** Starts receiving a snapshot's data from a peer. */
  public SnapshotStore.Receiver receiveSnapshot(Message snapshotMessage) {
    SnapshotMetadata meta = snapshotMessage.getSnapshot().getMetadata();
    return snapshots.receive(meta.getIndex(), meta.getTerm());
  }

  /**
   * A storage failure met outside the raft loop (writing a received snapshot): stops the node as one met
   * inside it does, so {@link #terminated()} reports it.
   */
  public void reportStorageFailure(Throwable failure) {
    enqueue(new NodeEvent.StorageFailed(failure));
  }

  /** A snapshot's data arrived whole: step its message into raft, which decides to install it or not. */
  public void snapshotReceived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
    enqueue(new NodeEvent.SnapshotArrived(snapshotMessage, staged));
  }

  private void onSnapshotArrived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
    long index = snapshotMessage.getSnapshot().getMetadata().getIndex();
    SnapshotStore.StagedSnapshot previous = receivedSnapshots.put(index, staged);
    if (previous != null && !previous.dir().equals(staged.dir())) {
      SnapshotStore.discard(previous);
    }
    stepPeerMessage(snapshotMessage);
  }

  private boolean enqueue(NodeEvent event) {
    if (!running) {
      return false;
    }
    mailbox.add(event);
    return true;
  }

  private long deadline() {
    return System.nanoTime() + config.requestTimeout().toNanos();
  }

  private NodeException unavailable() {
    return NodeException.of(Error.Code.UNAVAILABLE, "node " + config.nodeId() + " is shutting down");
  }

  private NodeException notLeader() {
    Member leader = members.get(leaderId);
    String address = leader == null ? "" : leader.getClientAddress();
    String text = leaderId == 0
        ? "node " + config.nodeId() + " is not the leader and no leader is known yet; retry shortly"
        : "node " + config.nodeId() + " is not the leader; the leader is node " + leaderId
            + (address.isEmpty() ? "" : " at " + address);
    return new NodeException(Error.newBuilder().setCode(Error.Code.NOT_LEADER).setMessage(text)
        .setLeaderId(leaderId).setLeaderAddress(address).build());
  }

  // ------------------------------------------------------------------ the raft loop

  private void runLoop() {
    long tickNanos = config.tickInterval().toNanos();
    long nextTick = System.nanoTime() + tickNanos;
    List<NodeEvent> events = new ArrayList<>();
    Throwable failure = null;
    try {
      while (running) {
        long waitNanos = nextTick - System.nanoTime();
        NodeEvent first = waitNanos > 0 ? mailbox.poll(waitNanos, TimeUnit.NANOSECONDS) : mailbox.poll();
        if (first != null) {
          events.add(first);
          mailbox.drainTo(events);
          for (NodeEvent event : events) {
            handle(event);
          }
          events.clear();
        }
        proposeWrites();
        requestReadIndex();
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
      List<NodeEvent> leftovers = new ArrayList<>();
      mailbox.drainTo(leftovers);
      for (NodeEvent event : leftovers) {
        try {
          handle(event);
        } catch (RuntimeException ignored) {
          // the node is stopping; the request is failed below
        }
      }
      failEverything(unavailable());
      terminated.complete(failure);
    }
  }

  /** Handles one mailbox event (loop thread): the one place each kind of event is dispatched. */
  private void handle(NodeEvent event) {
    if (event instanceof NodeEvent.Propose e) {
      writes.queue(e.writes());
    } else if (event instanceof NodeEvent.ReadIndex e) {
      reads.add(e.read());
    } else if (event instanceof NodeEvent.ProposeConfChange e) {
      startConfChange(e.change(), e.future(), e.deadlineNanos());
    } else if (event instanceof NodeEvent.TransferLeader e) {
      startLeaderTransfer(e.transferee(), e.future());
    } else if (event instanceof NodeEvent.PinStateCut e) {
      pinStateCut(e.cut(), e.deadlineNanos());
    } else if (event instanceof NodeEvent.RecentlyHeardVoters e) {
      e.future().complete(new java.util.TreeSet<>(peerStorage.confState().getVotersList().stream()
          .filter(recentlyHeard()::test).toList()));
    } else if (event instanceof NodeEvent.PeerMessages e) {
      stepPeerMessages(e.messages(), e.reserved());
    } else if (event instanceof NodeEvent.SnapshotArrived e) {
      onSnapshotArrived(e.message(), e.staged());
    } else if (event instanceof NodeEvent.ReadyPersisted e) {
      onReadyPersisted(e.ready());
    } else if (event instanceof NodeEvent.PersistFailed) {
      // only wakes the loop, which then stops on readyWriter.failure()
    } else if (event instanceof NodeEvent.Unreachable e) {
      rawNode.reportUnreachable(e.peer());
    } else if (event instanceof NodeEvent.SnapshotSent e) {
      rawNode.reportSnapshot(e.peer(), e.status());
    } else if (event instanceof NodeEvent.ClientAddressLearned e) {
      members.learnClientAddress(e.peer(), e.clientAddress());
    } else if (event instanceof NodeEvent.StorageFailed e) {
      throw new IllegalStateException("storage failure outside the raft loop", e.failure());
    } else {
      throw new IllegalStateException("unknown node event " + event.getClass().getSimpleName());
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

  private void onTick() {
    long now = System.nanoTime();
    if (now >= nextFeedGcNanos) {
      nextFeedGcNanos = now + config.feedGcInterval().toNanos();
      changeFeed.collectGarbage(System.currentTimeMillis(), stateMachine.applyState().getAppliedIndex());
    }
    writes.expire(now).forEach(Runnable::run);
    confChanges.expire(now).forEach(Runnable::run);
    reads.expire(now).forEach(Runnable::run);
    List<Runnable> due = new ArrayList<>(afterTick);
    afterTick.clear();
    due.forEach(Runnable::run);
  }

  private void stepPeerMessage(Message m) {
    peerActivity.heard(m.getFrom(), System.nanoTime());
    try {
      rawNode.step(m);
    } catch (ProposalDroppedException e) {
      // a proposal forwarded by a follower that we cannot take now; the follower's client times out
    } catch (IllegalArgumentException e) {
      // a message no peer may send (a local message type): drop it, never let a peer stop the node
      LOG.warn("node {}: dropped a message from node {}: {}", config.nodeId(), m.getFrom(), e.getMessage());
    }
  }

  private void proposeWrites() {
    List<PendingWrites.Waiter> batch = writes.takeQueued();
    if (batch.isEmpty()) {
      return;
    }
    if (role != StateType.LEADER) {
      PendingWrites.failBatch(batch, notLeader()).forEach(Runnable::run);
      return;
    }
    long now = System.currentTimeMillis();
    List<ByteString> data = new ArrayList<>(batch.size());
    for (PendingWrites.Waiter w : batch) {
      data.add(CommandCodec.encode(w.request(), now));
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

  private void requestReadIndex() {
    if (!reads.hasUnconfirmed()) {
      return;
    }
    if (leaderId == 0) {
      reads.failUnconfirmed(notLeader()).forEach(Runnable::run);
      return;
    }
    rawNode.readIndex(reads.startConfirming());
  }

  private boolean snapshotInFlight() {
    return readyWriter.snapshotInFlight();
  }

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
    SnapshotStore.StagedSnapshot snapshotData = null;
    SnapshotDescriptor descriptor = null;
    ConfState snapshotConf = null;
    if (rd.snapshot().getMetadata().getIndex() > 0) {
      long index = rd.snapshot().getMetadata().getIndex();
      snapshotData = receivedSnapshots.remove(index);
      if (snapshotData == null) {
        throw new IllegalStateException("raft accepted snapshot " + index + " whose data was never received");
      }
      descriptor = descriptorOf(rd.snapshot());
      snapshotConf = rd.snapshot().getMetadata().getConfState();
    }
    InFlightReady inflight = new InFlightReady(rd, leader, snapshotData, descriptor);
    WriteBatch batch = new WriteBatch();
    peerStorage.stage(rd, batch);
    boolean sync = rd.mustSync() || snapshotData != null;
    SnapshotStore.StagedSnapshot data = snapshotData;
    SnapshotDescriptor desc = descriptor;
    ConfState conf = snapshotConf;
    Runnable write = () -> {
      try (batch) {
        if (data != null) {
          // The raft log reset is written with the install's commit point; the state follows it.
          snapshots.install(data, desc, conf, batch);
        } else {
          engine.write(batch, sync);
        }
      }
    };
    if (readyWriter.submit(inflight, data != null, write)) {
      onReadyPersisted(inflight); // written on the loop: nothing else was in flight
    }
  }

  /** The oldest in-flight Ready is on disk: answer for it, apply what it committed, and advance. */
  private void onReadyPersisted(InFlightReady inflight) {
    readyWriter.persisted(inflight);
    Ready rd = inflight.ready();
    peerStorage.onPersisted(rd);
    if (inflight.snapshotData() != null) {
      afterSnapshotInstalled(rd.snapshot(), inflight.snapshotDescriptor());
    }
    for (Entry e : rd.entries()) {
      bytesSinceCompaction += e.getSerializedSize();
    }
    if (!inflight.sentByLeader()) {
      send(rd.messages()); // a follower answers only for what it has persisted
    }
    apply(rd.committedEntries());
    for (ReadState rs : rd.readStates()) {
      reads.confirmed(rs.requestContext(), rs.index());
    }
    rawNode.advance(rd);
    reads.applied(stateMachine.applyState().getAppliedIndex()).forEach(Runnable::run);
    maybeCompactLog();
    readyWriter.afterApplied();
  }

  private void onSoftState(long lead, StateType newRole) {
    boolean leaderChanged = lead != leaderId;
    leaderId = lead;
    role = newRole;
    if (leaderChanged) {
      LOG.info("node {}: leader is now {} (term {}, role {})", config.nodeId(), lead, rawNode.term(), newRole);
      // Read requests in flight went to a leader that may be gone; clients retry.
      reads.leaderChanged(notLeader()).forEach(Runnable::run);
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

  private void apply(List<Entry> committed) {
    if (committed.isEmpty()) {
      return;
    }
    List<Runnable> completions = new ArrayList<>();
    ConfState newConfState = null;
    boolean membersChanged = false;
    ApplyBatch batch = stateMachine.newBatch();
    try {
      for (Entry e : committed) {
        if (e.getEntryType() == EntryType.EntryConfChange) {
          ConfState cs = applyConfChange(e, completions);
          if (cs != null) {
            newConfState = cs;
            membersChanged = true;
          }
          stateMachine.markApplied(batch, e.getIndex(), e.getTerm());
        } else if (e.getData().isEmpty()) {
          stateMachine.markApplied(batch, e.getIndex(), e.getTerm()); // a new leader's empty entry
          failStale(e.getIndex(), e.getTerm(), completions);
        } else {
          WriteOutcome outcome = stateMachine.applyCommand(batch, e.getIndex(), e.getTerm(), e.getData());
          addIfWaiting(completions, writes.applied(e.getIndex(), e.getTerm(), outcome));
        }
        if (stateMachine.roundFull(batch)) {
          // Many committed entries at once (a restart's replay, a follower catching up): write them in
          // rounds of bounded size rather than one batch as large as the backlog.
          writeRound(batch, newConfState, membersChanged);
          newConfState = null;
          membersChanged = false;
          batch.close();
          batch = stateMachine.newBatch();
        }
      }
      writeRound(batch, newConfState, membersChanged);
    } finally {
      batch.close();
    }
    completions.forEach(Runnable::run);
  }

  /** Writes one apply round with the conf state and members it changed, and publishes it. */
  private void writeRound(ApplyBatch batch, ConfState newConfState, boolean membersChanged) {
    if (newConfState != null) {
      peerStorage.stageConfState(newConfState, batch.writeBatch());
    }
    if (membersChanged) {
      members.stage(batch.writeBatch());
    }
    stateMachine.seal(batch);
    engine.write(batch.writeBatch(), false);
    stateMachine.onWritten(batch);
    changeFeed.published(batch.appliedIndex());
    if (newConfState != null) {
      peerStorage.onConfStatePersisted(newConfState);
    }
  }

  private static void addIfWaiting(List<Runnable> completions, Completion<?> completion) {
    if (completion != null) {
      completions.add(completion);
    }
  }

  private void failStale(long index, long term, List<Runnable> completions) {
    addIfWaiting(completions, writes.takenByEmptyEntry(index, term));
    addIfWaiting(completions, confChanges.takenByEmptyEntry(index, term));
  }

  private ConfState applyConfChange(Entry e, List<Runnable> completions) {
    ConfChange cc;
    try {
      cc = ConfChange.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      LOG.warn("node {}: skipping unreadable conf change at index {}", config.nodeId(), e.getIndex());
      return null;
    }
    addIfWaiting(completions, writes.takenByConfChange(e.getIndex()));
    ConfState cs = rawNode.applyConfChange(cc);
    long id = cc.getNodeId();
    switch (cc.getChangeType()) {
      case AddNode, AddLearnerNode -> {
        Member known = members.get(id);
        Member member = known;
        if (!cc.getContext().isEmpty()) {
          try {
            member = Member.parseFrom(cc.getContext()).toBuilder().setId(id)
                .setLearner(cc.getChangeType() == ConfChangeType.AddLearnerNode).build();
          } catch (InvalidProtocolBufferException ex) {
            LOG.warn("node {}: conf change for node {} carries no readable address", config.nodeId(), id);
          }
        } else if (known != null) {
          member = known.toBuilder().setLearner(cc.getChangeType() == ConfChangeType.AddLearnerNode).build();
        }
        if (member != null) {
          members.put(member);
          if (id != config.nodeId()) {
            transport.setPeer(id, member.getPeerAddress());
          }
        }
      }
      case RemoveNode -> {
        members.remove(id);
        if (id == config.nodeId()) {
          removed = true;
          LOG.warn("node {} was removed from the group; it stops", id);
        } else {
          transport.removePeer(id);
        }
      }
      default -> { }
    }
    addIfWaiting(completions, confChanges.applied(e.getIndex(), e.getTerm(), members.all()));
    if (removed) {
      completions.add(() -> running = false);
    }
    return cs;
  }

  private void maybeCompactLog() {
    long applied = stateMachine.applyState().getAppliedIndex();
    long inLog = applied - peerStorage.truncatedState().getIndex();
    if (inLog < config.logGcEntries() && bytesSinceCompaction < config.logGcBytes()) {
      return;
    }
    long compactTo = applied - config.logGcKeepEntries();
    if (compactTo <= peerStorage.truncatedState().getIndex()) {
      return;
    }
    peerStorage.compact(compactTo);
    bytesSinceCompaction = 0;
    LOG.debug("node {}: raft log compacted through {}", config.nodeId(), compactTo);
  }

  // ------------------------------------------------------------------ snapshots

  private Snapshot captureSnapshot() {
    long index = stateMachine.applyState().getAppliedIndex();
    long term = stateMachine.applyState().getAppliedTerm();
    if (lastCapture == null || lastCapture.getIndex() != index) {
      lastCapture = snapshots.capture(index, term, members.all());
    }
    return Snapshot.newBuilder().setData(lastCapture.toByteString()).setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(index).setTerm(term).setConfState(peerStorage.confState())).build();
  }

  private static SnapshotDescriptor descriptorOf(Snapshot snapshot) {
    try {
      return SnapshotDescriptor.parseFrom(snapshot.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot data is not a snapshot descriptor", e);
    }
  }

  /** The in-memory side of a snapshot install, once its data and raft state are on disk. */
  private void afterSnapshotInstalled(Snapshot snapshot, SnapshotDescriptor descriptor) {
    stateMachine.reload();
    changeFeed.published(stateMachine.applyState().getAppliedIndex());
    members.replaceAll(descriptor.getMembersList());
    for (Member m : descriptor.getMembersList()) {
      if (m.getId() != config.nodeId()) {
        transport.setPeer(m.getId(), m.getPeerAddress());
      }
    }
    receivedSnapshots.values().forEach(SnapshotStore::discard);
    receivedSnapshots.clear();
    LOG.info("node {}: installed snapshot at index {} term {}", config.nodeId(), snapshot.getMetadata().getIndex(),
        snapshot.getMetadata().getTerm());
  }

  // ------------------------------------------------------------------ status and shutdown

  private void publishStatus() {
    HardState hs = peerStorage.hardState();
    status = new NodeStatus(config.nodeId(), config.clusterId(), role, rawNode.term(),
        Math.max(hs.getCommit(), 0), stateMachine.applyState().getAppliedIndex(), leaderId,
        peerStorage.firstIndex(), peerStorage.lastIndex(), members.all(), removed);
  }

  private void failEverything(NodeException error) {
    writes.failAll(error).forEach(Runnable::run);
    reads.failAll(error).forEach(Runnable::run);
    confChanges.failAll(error).forEach(Runnable::run);
    afterTick.clear();
  }

  /** Stops the raft loop and the transport and closes the data directory. */
  @Override
  public void close() {
    running = false;
    loopThread.interrupt();
    try {
      loopThread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    readyWriter.close();
    changeFeed.close();
    transport.close();
    snapshots.close();
    engine.close();
    LOG.info("node {} stopped", config.nodeId());
  }

  /**
   * Completes once the raft loop has ended: with the error that stopped it (see
   * {@link StorageFailures#isStorageFailure}: a storage failure, after which the process should exit so
   * its supervisor restarts it), or with null after {@link #close} or this node's removal from the group.
   */
  public CompletableFuture<Throwable> terminated() {
    return terminated;
  }

  /** Whether the raft loop is running (false after close, removal, or a fatal storage error). */
  public boolean isRunning() {
    return running && loopThread.isAlive();
  }
}
