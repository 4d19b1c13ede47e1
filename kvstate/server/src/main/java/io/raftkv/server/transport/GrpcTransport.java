package io.raftkv.server.transport;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer transport over gRPC: a facade over one {@link PeerStream} per remote peer (failures reported to
 * raft as unreachable) and a {@link SnapshotSender} per snapshot, run on their own threads.
 */
public final class GrpcTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);

  private final LocalNode self;
  /** How this node dials its peers: TLS with its own node certificate, or plaintext under --insecure. */
  private final ChannelCredentials credentials;
  private final Map<Long, PeerStream> peers = new ConcurrentHashMap<>();
  private final ExecutorService snapshotSenders;
  private volatile RaftMessageHandler handler;
  private volatile boolean closed;

  public GrpcTransport(LocalNode self, ChannelCredentials credentials) {
    this.self = self;
    this.credentials = credentials;
    this.snapshotSenders = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "raftkv-snapshot-sender");
      t.setDaemon(true);
      return t;
    });
  }

  /** A transport dialling its peers in plaintext. */
  public GrpcTransport(LocalNode self) {
    this(self, InsecureChannelCredentials.create());
  }

  /** A transport dialling its peers in plaintext. */
  public GrpcTransport(String clusterId, long selfId, String selfPeerAddress, String selfClientAddress) {
    this(new LocalNode(clusterId, selfId, selfPeerAddress, selfClientAddress));
  }

  /** A peer that reached us: remember its address if we have none (we are joining the group). */
  void learnPeer(long id, String peerAddress) {
    if (id != self.id() && !peerAddress.isEmpty() && !closed) {
      peers.computeIfAbsent(id, k -> newPeer(k, peerAddress));
    }
  }

  private PeerStream newPeer(long id, String address) {
    return new PeerStream(self, id, address, credentials, () -> unreachable(id));
  }

  @Override
  public void start(RaftMessageHandler handler) {
    this.handler = handler;
  }

  @Override
  public void setPeer(long id, String peerAddress) {
    PeerStream existing = peers.get(id);
    if (existing != null && existing.address().equals(peerAddress)) {
      return;
    }
    PeerStream replaced = peers.put(id, newPeer(id, peerAddress));
    if (replaced != null) {
      replaced.close();
    }
  }

  @Override
  public void removePeer(long id) {
    PeerStream removed = peers.remove(id);
    if (removed != null) {
      removed.close();
    }
  }

  @Override
  public void send(List<Message> messages) {
    MessageBatches.byPeer(messages).forEach((to, batch) -> {
      PeerStream peer = peers.get(to);
      if (closed || peer == null || !peer.send(batch)) {
        unreachable(to);
      }
    });
  }

  private void unreachable(long to) {
    RaftMessageHandler h = handler;
    if (h != null) {
      h.reportUnreachable(to);
    }
  }

  @Override
  public void sendSnapshot(Message message) {
    PeerStream peer = peers.get(message.getTo());
    RaftMessageHandler h = handler;
    if (h == null) {
      return;
    }
    if (peer == null) {
      h.reportSnapshot(message.getTo(), SnapshotStatus.FAILURE);
      return;
    }
    Iterator<SnapshotKvBatch> data;
    try {
      data = h.readSnapshot(message);
    } catch (RuntimeException e) {
      LOG.warn("snapshot for node {} is no longer available: {}", message.getTo(), e.getMessage());
      h.reportSnapshot(message.getTo(), SnapshotStatus.FAILURE);
      return;
    }
    snapshotSenders.execute(() -> {
      boolean ok = new SnapshotSender(peer.channel(), self.clusterId(), message, data).run();
      h.reportSnapshot(message.getTo(), ok ? SnapshotStatus.FINISH : SnapshotStatus.FAILURE);
    });
  }

  @Override
  public void close() {
    closed = true;
    peers.values().forEach(PeerStream::close);
    peers.clear();
    snapshotSenders.shutdownNow();
  }
}
