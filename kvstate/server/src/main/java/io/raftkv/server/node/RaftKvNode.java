package io.raftkv.server.node;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Member;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.auth.AuthView;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.peer.Peer;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.StorageFailures;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.store.Store;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embeddable RaftKV node: a {@link Store} (the data directory, the transport) and the {@link Peer}
 * of its raft group, behind the API the server, the tests and any embedding use.
 */
public final class RaftKvNode implements AutoCloseable, RaftMessageHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RaftKvNode.class);

  private final NodeConfig config;
  private final Store store;
  private final Peer peer;

  private RaftKvNode(NodeConfig config, Store store) {
    this.config = config;
    this.store = store;
    this.peer = store.peer(Store.FIRST_GROUP);
  }

  /** Opens the node's data directory, starts its raft loop and its transport. */
  public static RaftKvNode start(NodeConfig config, Transport transport) {
    RaftKvNode node = new RaftKvNode(config, Store.open(config, transport));
    LOG.info("node {} started on {} (cluster '{}', applied {})", config.nodeId(), config.dataDir(),
        config.clusterId(), node.appliedIndex());
    return node;
  }

  public long id() {
    return config.nodeId();
  }

  public NodeConfig config() {
    return config;
  }

  /** The node's state as of the raft loop's last iteration. */
  public NodeStatus status() {
    return peer.status();
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
    return peer.writeAll(requests);
  }

  /** Replicates and applies a change of users, roles or the auth flag (see {@link Peer#proposeAuth}). */
  public CompletableFuture<WriteResponse> proposeAuth(AuthChange change) {
    return peer.proposeAuth(change);
  }

  /** The users, roles and auth flag as this node last applied them. */
  public AuthView authView() {
    return peer.authView();
  }

  /**
   * A linearizable read barrier: completes with an index once this node has applied everything
   * committed when the read arrived, confirmed by the leader with a quorum (ReadIndex). Read the state
   * machine after it completes.
   */
  public CompletableFuture<Long> readBarrier() {
    return peer.readBarrier();
  }

  /**
   * Pins this node's replicated state for a backup once it holds every write acknowledged before this
   * call: a ReadIndex barrier first, then a RocksDB snapshot taken on the raft loop between apply rounds
   * and outside any snapshot install. Writes go on meanwhile; the caller closes the cut when done.
   */
  public CompletableFuture<StateCut> openStateCut() {
    return peer.openStateCut();
  }

  /** This replica's change feed, for watchers. */
  public ChangeFeed changeFeed() {
    return peer.changeFeed();
  }

  /** The locally applied value of {@code key} (serializable; pair with {@link #readBarrier()}). */
  public KeyValue get(ByteString key) {
    return peer.get(key);
  }

  /** The locally applied values of {@code keys}, null where absent (serializable; pair with {@link #readBarrier()}). */
  public List<KeyValue> getAll(List<ByteString> keys) {
    return peer.getAll(keys);
  }

  /** A locally applied range of keys (serializable; pair with {@link #readBarrier()}). */
  public ScanResponse scan(ByteString start, ByteString end, int limit, boolean keysOnly) {
    return peer.scan(start, end, limit, keysOnly);
  }

  public long appliedIndex() {
    return peer.appliedIndex();
  }

  /** Live exactly-once client sessions as of the last applied round (at most the session policy's maxSessions). */
  public int sessionCount() {
    return peer.sessionCount();
  }

  /** Adds a voter (or a learner) with its addresses; completes with the new member list once applied. */
  public CompletableFuture<List<Member>> addMember(Member member) {
    return peer.addMember(member);
  }

  public CompletableFuture<List<Member>> removeMember(long id) {
    return peer.removeMember(id);
  }

  /** The voters this node (as leader) heard from recently enough to count toward a membership change's quorum. */
  public CompletableFuture<Set<Long>> recentlyHeardVoters() {
    return peer.recentlyHeardVoters();
  }

  /** Asks the leader to hand leadership to {@code transferee}; completes once it leads. */
  public CompletableFuture<Long> transferLeader(long transferee) {
    return peer.transferLeader(transferee);
  }

  /** A raft message from a peer (called by the transport). */
  public void receive(Message message) {
    peer.receive(message);
  }

  /** Events waiting in the raft loop's mailbox now (for tests and metrics). */
  public int queuedEvents() {
    return peer.queuedEvents();
  }

  /** The peer of raft group {@code groupId} on this node's store, or null when it holds no replica of it. */
  @Override
  public RaftMessageHandler forGroup(long groupId) {
    return store.route(groupId);
  }

  /** Where peer streams reserve room for the batches they read (see {@link #receiveReserved}). */
  @Override
  public PeerInbox peerInbox() {
    return peer.peerInbox();
  }

  /**
   * A batch of raft messages a peer stream read into a slot it reserved in {@link #peerInbox()}; the slot
   * frees once the loop has stepped them.
   */
  @Override
  public void receiveReserved(List<Message> messages) {
    peer.receiveReserved(messages);
  }

  /** A peer told us where it serves clients (founding members are configured with peer addresses only). */
  @Override
  public void learnClientAddress(long peerId, String clientAddress) {
    peer.learnClientAddress(peerId, clientAddress);
  }

  /** The transport could not deliver to {@code peerId}. */
  @Override
  public void reportUnreachable(long peerId) {
    peer.reportUnreachable(peerId);
  }

  /** How sending a snapshot to {@code peerId} ended. */
  @Override
  public void reportSnapshot(long peerId, SnapshotStatus snapshotStatus) {
    peer.reportSnapshot(peerId, snapshotStatus);
  }

  /** The data of a snapshot this node captured, for the transport to stream. */
  @Override
  public Iterator<SnapshotKvBatch> readSnapshot(Message snapshotMessage) {
    return peer.readSnapshot(snapshotMessage);
  }

  /** Starts receiving a snapshot's data from a peer. */
  @Override
  public SnapshotStore.Receiver receiveSnapshot(Message snapshotMessage) {
    return peer.receiveSnapshot(snapshotMessage);
  }

  /**
   * A storage failure met outside the raft loop (writing a received snapshot): stops the node as one met
   * inside it does, so {@link #terminated()} reports it.
   */
  @Override
  public void reportStorageFailure(Throwable failure) {
    peer.reportStorageFailure(failure);
  }

  /** A snapshot's data arrived whole: step its message into raft, which decides to install it or not. */
  @Override
  public void snapshotReceived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
    peer.snapshotReceived(snapshotMessage, staged);
  }

  /** Stops the raft loop and the transport and closes the data directory. */
  @Override
  public void close() {
    store.close();
    LOG.info("node {} stopped", config.nodeId());
  }

  /**
   * Completes once the raft loop has ended: with the error that stopped it (see
   * {@link StorageFailures#isStorageFailure}: a storage failure, after which the process should exit so
   * its supervisor restarts it), or with null after {@link #close} or this node's removal from the group.
   */
  public CompletableFuture<Throwable> terminated() {
    return peer.terminated();
  }

  /** Whether the raft loop is running (false after close, removal, or a fatal storage error). */
  public boolean isRunning() {
    return peer.isRunning();
  }
}
