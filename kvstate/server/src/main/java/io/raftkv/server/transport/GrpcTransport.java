package io.raftkv.server.transport;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.node.Transport;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer transport over gRPC: one long-lived client stream of message batches per peer, reconnected
 * with back-off after a failure (reported to raft as unreachable), and one stream per snapshot, sent with
 * flow control.
 */
public final class GrpcTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** Bytes gRPC may buffer on a peer stream before we drop messages (raft resends what matters). */
  private static final int MAX_BUFFERED_BATCHES = 1024;

  private final String clusterId;
  private final long selfId;
  private final String selfPeerAddress;
  private final String selfClientAddress;
  private final Map<Long, Peer> peers = new ConcurrentHashMap<>();
  private final ExecutorService snapshotSenders = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raftkv-snapshot-sender");
    t.setDaemon(true);
    return t;
  });
  private volatile RaftKvNode node;
  private volatile boolean closed;
  private volatile LinkFilter linkFilter = LinkFilter.OPEN;
  private final NetworkFaultInjector faults;
  private final DelayedSends delayedSends;

  public GrpcTransport(String clusterId, long selfId, String selfPeerAddress, String selfClientAddress) {
    this.clusterId = clusterId;
    this.selfId = selfId;
    this.selfPeerAddress = selfPeerAddress;
    this.selfClientAddress = selfClientAddress;
    this.faults = new NetworkFaultInjector(selfId);
    this.delayedSends = new DelayedSends(selfId);
  }

  /** The faults this node injects into its peer traffic (none unless a test rig sets some). */
  public NetworkFaultInjector faults() {
    return faults;
  }

  /** Whether raft messages and snapshots from {@code peer} are to be ignored (fault injection). */
  boolean refusesFrom(long peer) {
    return faults.blocks(peer);
  }

  /** A peer that reached us: remember its address if we have none (we are joining the group). */
  void learnPeer(long id, String peerAddress) {
    if (id != selfId && !peerAddress.isEmpty() && !closed) {
      peers.computeIfAbsent(id, k -> new Peer(k, peerAddress));
    }
  }

  /** Cuts links for fault-injection tests; {@link LinkFilter#OPEN} (the default) delivers everything. */
  public void setLinkFilter(LinkFilter filter) {
    this.linkFilter = filter;
  }

  @Override
  public void start(RaftKvNode node) {
    this.node = node;
  }

  @Override
  public void setPeer(long id, String peerAddress) {
    Peer existing = peers.get(id);
    if (existing != null && existing.address.equals(peerAddress)) {
      return;
    }
    Peer replaced = peers.put(id, new Peer(id, peerAddress));
    if (replaced != null) {
      replaced.close();
    }
  }

  @Override
  public void removePeer(long id) {
    Peer removed = peers.remove(id);
    if (removed != null) {
      removed.close();
    }
  }

  @Override
  public void send(List<Message> messages) {
    Map<Long, List<Message>> byPeer = new LinkedHashMap<>();
    for (Message m : messages) {
      byPeer.computeIfAbsent(m.getTo(), k -> new ArrayList<>()).add(m);
    }
    LinkFilter filter = linkFilter;
    byPeer.forEach((to, batch) -> {
      Peer peer = peers.get(to);
      if (peer == null || !filter.delivers(selfId, to) || faults.blocks(to)) {
        unreachable(to);
        return;
      }
      long delay = faults.delayMillis();
      if (delay == 0) {
        sendNow(peer, batch);
      } else if (delay > 0) {
        delayedSends.later(delay, () -> sendNow(peer, batch));
      }
      // else dropped on the way, silently, as a lossy network does: raft resends what matters
    });
  }

  private void sendNow(Peer peer, List<Message> batch) {
    if (!peer.send(batch)) {
      unreachable(peer.id);
    }
  }

  private void unreachable(long to) {
    RaftKvNode n = node;
    if (n != null) {
      n.reportUnreachable(to);
    }
  }

  @Override
  public void sendSnapshot(Message message) {
    Peer peer = peers.get(message.getTo());
    RaftKvNode n = node;
    if (peer == null || n == null || !linkFilter.delivers(selfId, message.getTo())
        || faults.blocks(message.getTo())) {
      if (n != null) {
        n.reportSnapshot(message.getTo(), SnapshotStatus.FAILURE);
      }
      return;
    }
    Iterator<SnapshotKvBatch> data;
    try {
      data = n.readSnapshot(message);
    } catch (RuntimeException e) {
      LOG.warn("snapshot for node {} is no longer available: {}", message.getTo(), e.getMessage());
      n.reportSnapshot(message.getTo(), SnapshotStatus.FAILURE);
      return;
    }
    snapshotSenders.execute(() -> {
      boolean ok = new SnapshotSender(peer.channel, clusterId, message, data).run();
      n.reportSnapshot(message.getTo(), ok ? SnapshotStatus.FINISH : SnapshotStatus.FAILURE);
    });
  }

  @Override
  public void close() {
    closed = true;
    delayedSends.close();
    peers.values().forEach(Peer::close);
    peers.clear();
    snapshotSenders.shutdownNow();
  }

  /** One peer: its channel and its current message stream. */
  private final class Peer {
    final long id;
    final String address;
    final ManagedChannel channel;
    private ClientCallStreamObserver<RaftMessageBatch> stream;
    private long retryAtNanos;
    private long backoffNanos = MIN_BACKOFF_NANOS;

    Peer(long id, String address) {
      this.id = id;
      this.address = address;
      this.channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
          .maxInboundMessageSize(64 << 20).build();
    }

    /** Sends on the stream, opening it if needed; false if the peer is unreachable right now. */
    synchronized boolean send(List<Message> batch) {
      if (closed) {
        return false;
      }
      if (stream == null) {
        if (System.nanoTime() < retryAtNanos) {
          return false;
        }
        open();
      }
      if (!stream.isReady() && bufferedTooMuch()) {
        return false; // the peer is slow: drop rather than buffer without bound
      }
      stream.onNext(RaftMessageBatch.newBuilder().setClusterId(clusterId).setFrom(selfId)
          .setFromPeerAddress(selfPeerAddress).setFromClientAddress(selfClientAddress).addAllMessages(batch).build());
      sentWhileNotReady = stream.isReady() ? 0 : sentWhileNotReady + 1;
      return true;
    }

    private int sentWhileNotReady;

    private boolean bufferedTooMuch() {
      return sentWhileNotReady >= MAX_BUFFERED_BATCHES;
    }

    private void open() {
      ClientCall<RaftMessageBatch, TransportAck> call = channel.newCall(PeerRpc.RAFT, CallOptions.DEFAULT);
      StreamObserver<RaftMessageBatch> requests = ClientCalls.asyncClientStreamingCall(call,
          new StreamObserver<>() {
            @Override
            public void onNext(TransportAck ack) {
              if (!ack.getError().isEmpty()) {
                LOG.warn("node {} refused our raft stream: {}", id, ack.getError());
              }
            }

            @Override
            public void onError(Throwable t) {
              failed(t);
            }

            @Override
            public void onCompleted() {
              failed(null);
            }
          });
      stream = (ClientCallStreamObserver<RaftMessageBatch>) requests;
      sentWhileNotReady = 0;
    }

    private synchronized void failed(Throwable t) {
      stream = null;
      retryAtNanos = System.nanoTime() + backoffNanos;
      backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
      if (t != null && !closed) {
        LOG.debug("raft stream to node {} at {} failed: {}", id, address, t.toString());
      }
      unreachable(id);
    }

    synchronized void close() {
      if (stream != null) {
        stream.onCompleted();
        stream = null;
      }
      channel.shutdownNow();
    }
  }

  /** Streams one snapshot with flow control and waits for the receiver's acknowledgement. */
  private static final class SnapshotSender {
    private final ManagedChannel channel;
    private final String clusterId;
    private final Message message;
    private final Iterator<SnapshotKvBatch> data;

    SnapshotSender(ManagedChannel channel, String clusterId, Message message, Iterator<SnapshotKvBatch> data) {
      this.channel = channel;
      this.clusterId = clusterId;
      this.message = message;
      this.data = data;
    }

    boolean run() {
      java.util.concurrent.CompletableFuture<TransportAck> done = new java.util.concurrent.CompletableFuture<>();
      Object readyLock = new Object();
      ClientResponseObserver<SnapshotChunk, TransportAck> responses = new ClientResponseObserver<>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
          requestStream.setOnReadyHandler(() -> {
            synchronized (readyLock) {
              readyLock.notifyAll();
            }
          });
        }

        @Override
        public void onNext(TransportAck ack) {
          done.complete(ack);
        }

        @Override
        public void onError(Throwable t) {
          done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          done.complete(TransportAck.getDefaultInstance());
        }
      };
      ClientCallStreamObserver<SnapshotChunk> out = (ClientCallStreamObserver<SnapshotChunk>)
          ClientCalls.asyncClientStreamingCall(channel.newCall(PeerRpc.SNAPSHOT,
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.MINUTES)), responses);
      try {
        out.onNext(SnapshotChunk.newBuilder().setClusterId(clusterId).setMessage(message).build());
        while (data.hasNext()) {
          synchronized (readyLock) {
            while (!out.isReady() && !done.isDone()) {
              readyLock.wait(100);
            }
          }
          if (done.isDone()) {
            break; // the receiver gave up
          }
          out.onNext(SnapshotChunk.newBuilder().setClusterId(clusterId).setData(data.next()).build());
        }
        out.onCompleted();
        TransportAck ack = done.get(10, TimeUnit.MINUTES);
        if (!ack.getError().isEmpty()) {
          LOG.warn("node {} refused snapshot {}: {}", message.getTo(),
              message.getSnapshot().getMetadata().getIndex(), ack.getError());
          return false;
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.cancel("shutting down", e);
        return false;
      } catch (Exception e) {
        LOG.warn("sending snapshot {} to node {} failed: {}", message.getSnapshot().getMetadata().getIndex(),
            message.getTo(), e.toString());
        out.cancel("snapshot send failed", e);
        return false;
      }
    }
  }
}
