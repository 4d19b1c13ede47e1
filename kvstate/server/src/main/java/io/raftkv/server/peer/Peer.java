package io.raftkv.server.peer;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Member;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.NodeStatus;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import io.raftkv.server.auth.AuthView;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One replica of one raft group, as its callers see it (any thread): client and admin requests and the
 * transport's deliveries become typed events for its {@link PeerLoop}; reads of applied state go straight
 * to its state machine. Nothing here assumes the peer is alone in its process.
 */
public final class Peer implements RaftMessageHandler {
  private final long groupId;
  private final NodeConfig config;
  private final KvStateMachine stateMachine;
  private final ChangeFeed changeFeed;
  private final PeerInbox peerInbox;
  private final PeerLoop loop;
  /** Client addresses peers announced, to skip re-announcing them to the loop (any thread). */
  private final Map<Long, String> knownClientAddresses = new ConcurrentHashMap<>();

  private Peer(long groupId, NodeConfig config, PeerBootstrap.Opened opened, PeerLoop loop, PeerInbox inbox) {
    this.groupId = groupId;
    this.config = config;
    this.stateMachine = opened.stateMachine();
    this.changeFeed = opened.changeFeed();
    this.peerInbox = inbox;
    this.loop = loop;
  }

  /**
   * Opens raft group {@code groupId}'s replica from {@code engine}, reaching its members through
   * {@code transport} and taking peers' batches through {@code inbox}; its loop runs once {@link #start()}
   * is called.
   */
  public static Peer open(long groupId, NodeConfig config, StorageEngine engine, Transport transport,
      PeerInbox inbox) {
    PeerBootstrap.Opened opened = PeerBootstrap.open(groupId, config, engine);
    PeerLoop loop = new PeerLoop(groupId, config, engine, opened, transport, inbox);
    return new Peer(groupId, config, opened, loop, inbox);
  }

  /** Starts the peer's loop. */
  public void start() {
    loop.start();
  }

  public long groupId() {
    return groupId;
  }

  /** The peer's state as of its loop's last iteration. */
  public NodeStatus status() {
    return loop.status();
  }

  // ------------------------------------------------------------------ requests (see RaftKvNode)

  /** Writes {@code requests} in one trip through the mailbox; the futures are in the order of the requests. */
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
    if (!accepted.isEmpty() && !loop.enqueue(new PeerEvent.Propose(accepted))) {
      PendingWrites.failBatch(accepted, loop.unavailable()).forEach(Runnable::run);
    }
    return futures;
  }

  /**
   * Replicates and applies a change of users, roles or the auth flag; completes as a write does (the
   * response's index is where it applied, {@code applied} whether it changed anything).
   */
  public CompletableFuture<WriteResponse> proposeAuth(AuthChange change) {
    CompletableFuture<WriteResponse> future = new CompletableFuture<>();
    List<PendingWrites.Waiter> one = List.of(new PendingWrites.Waiter(WriteRequest.getDefaultInstance(), change,
        future, deadline()));
    if (!loop.enqueue(new PeerEvent.Propose(one))) {
      PendingWrites.failBatch(one, loop.unavailable()).forEach(Runnable::run);
    }
    return future;
  }

  /** The users, roles and auth flag as last applied and written. */
  public AuthView authView() {
    return stateMachine.authView();
  }

  /** A linearizable read barrier (ReadIndex): completes with an index once this peer applied it. */
  public CompletableFuture<Long> readBarrier() {
    CompletableFuture<Long> future = new CompletableFuture<>();
    if (!loop.enqueue(new PeerEvent.ReadIndex(new PendingReads.Waiter(future, deadline())))) {
      future.completeExceptionally(loop.unavailable());
    }
    return future;
  }

  /** Pins the replicated state for a backup once it holds every write acknowledged before this call. */
  public CompletableFuture<StateCut> openStateCut() {
    CompletableFuture<StateCut> cut = new CompletableFuture<>();
    long deadline = deadline();
    readBarrier().whenComplete((index, failure) -> {
      if (failure != null) {
        cut.completeExceptionally(failure);
      } else if (!loop.enqueue(new PeerEvent.PinStateCut(cut, deadline))) {
        cut.completeExceptionally(loop.unavailable());
      }
    });
    return cut;
  }

  public ChangeFeed changeFeed() {
    return changeFeed;
  }

  public KeyValue get(ByteString key) {
    return stateMachine.get(key);
  }

  public List<KeyValue> getAll(List<ByteString> keys) {
    return stateMachine.getAll(keys);
  }

  public ScanResponse scan(ByteString start, ByteString end, int limit, boolean keysOnly) {
    return stateMachine.scan(start, end, limit, keysOnly);
  }

  public long appliedIndex() {
    return stateMachine.applyState().getAppliedIndex();
  }

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
    if (!loop.enqueue(new PeerEvent.ProposeConfChange(cc, future, deadline()))) {
      future.completeExceptionally(loop.unavailable());
    }
    return future;
  }

  /** The voters this peer (as leader) heard from recently enough to count toward a membership change. */
  public CompletableFuture<Set<Long>> recentlyHeardVoters() {
    CompletableFuture<Set<Long>> future = new CompletableFuture<>();
    if (!loop.enqueue(new PeerEvent.RecentlyHeardVoters(future))) {
      future.completeExceptionally(loop.unavailable());
    }
    return future;
  }

  /** Asks the leader to hand leadership to {@code transferee}; completes once it leads. */
  public CompletableFuture<Long> transferLeader(long transferee) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    if (!loop.enqueue(new PeerEvent.TransferLeader(transferee, future))) {
      future.completeExceptionally(loop.unavailable());
    }
    return future;
  }

  private long deadline() {
    return System.nanoTime() + config.requestTimeout().toNanos();
  }

  // ------------------------------------------------------------------ the transport's side

  /** A raft message from a peer, outside any inbox slot. */
  public void receive(Message message) {
    loop.enqueue(new PeerEvent.PeerMessages(List.of(message), false));
  }

  /** Events waiting in the mailbox now (for tests and metrics). */
  public int queuedEvents() {
    return loop.queuedEvents();
  }

  /** This peer, for its own group only. */
  @Override
  public RaftMessageHandler forGroup(long group) {
    return group == groupId || (group == 0 && groupId == DEFAULT_GROUP) ? this : null;
  }

  @Override
  public PeerInbox peerInbox() {
    return peerInbox;
  }

  @Override
  public void receiveReserved(List<Message> messages) {
    if (!loop.enqueue(new PeerEvent.PeerMessages(messages, true))) {
      peerInbox.release();
    }
  }

  @Override
  public void learnClientAddress(long peer, String clientAddress) {
    if (clientAddress.isEmpty()) {
      return;
    }
    if (!clientAddress.equals(knownClientAddresses.put(peer, clientAddress))) {
      loop.enqueue(new PeerEvent.ClientAddressLearned(peer, clientAddress));
    }
  }

  @Override
  public void reportUnreachable(long peer) {
    loop.enqueue(new PeerEvent.Unreachable(peer));
  }

  @Override
  public void reportSnapshot(long peer, SnapshotStatus snapshotStatus) {
    loop.enqueue(new PeerEvent.SnapshotSent(peer, snapshotStatus));
  }

  @Override
  public Iterator<SnapshotKvBatch> readSnapshot(Message snapshotMessage) {
    return loop.snapshots().read(snapshotMessage);
  }

  @Override
  public SnapshotStore.Receiver receiveSnapshot(Message snapshotMessage) {
    return loop.snapshots().receive(snapshotMessage);
  }

  @Override
  public void snapshotReceived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
    loop.enqueue(new PeerEvent.SnapshotArrived(snapshotMessage, staged));
  }

  @Override
  public void reportStorageFailure(Throwable failure) {
    loop.enqueue(new PeerEvent.StorageFailed(failure));
  }

  // ------------------------------------------------------------------ lifecycle

  /** Completes once the loop has ended: with the error that stopped it, or null after stop or removal. */
  public CompletableFuture<Throwable> terminated() {
    return loop.terminated();
  }

  /** Whether the loop is running (false after stop, removal, or a fatal storage error). */
  public boolean isRunning() {
    return loop.isRunning();
  }

  /** Ends the loop (answering what waits), the persister and the change feed; the snapshots stay open. */
  public void stop() {
    loop.stop();
  }

  /** Closes the snapshot store, once the transport no longer streams snapshots (after {@link #stop}). */
  public void closeSnapshots() {
    loop.snapshots().close();
  }
}
