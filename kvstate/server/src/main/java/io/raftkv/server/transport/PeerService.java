package io.raftkv.server.transport;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import io.grpc.stub.ServerCallStreamObserver;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.node.PeerInbox;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Receives peers' raft message streams and snapshot streams and hands them to the node. */
public final class PeerService {
  private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

  private final String clusterId;
  private final Supplier<? extends RaftMessageHandler> node;
  /** Learns the addresses of peers that reach us. */
  private final GrpcTransport transport;
  private final InboundFilter inbound;
  private final OverloadLimits limits;
  private final ScheduledExecutorService timer;
  /** Snapshots being received now. */
  private final AtomicInteger incomingSnapshots = new AtomicInteger();

  /**
   * @param limits bounds incoming snapshots (count, bytes, time)
   * @param timer ends an incoming snapshot that passes its time limit
   */
  public PeerService(String clusterId, Supplier<? extends RaftMessageHandler> node, GrpcTransport transport,
      InboundFilter inbound, OverloadLimits limits, ScheduledExecutorService timer) {
    this.clusterId = clusterId;
    this.node = node;
    this.transport = transport;
    this.inbound = inbound;
    this.limits = limits;
    this.timer = timer;
  }

  /** As the full constructor, refusing no peer: what production wiring uses. */
  public PeerService(String clusterId, Supplier<? extends RaftMessageHandler> node, GrpcTransport transport,
      OverloadLimits limits, ScheduledExecutorService timer) {
    this(clusterId, node, transport, InboundFilter.ACCEPT_ALL, limits, timer);
  }

  /** Snapshots being received now. */
  public int incomingSnapshots() {
    return incomingSnapshots.get();
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(PeerRpc.SERVICE)
        .addMethod(PeerRpc.RAFT, ServerCalls.asyncClientStreamingCall(this::raft))
        .addMethod(PeerRpc.SNAPSHOT, ServerCalls.asyncClientStreamingCall(this::snapshot))
        .build();
  }

  /**
   * A peer's raft message stream, read one batch at a time: the next batch is asked of gRPC only once the
   * node's {@link PeerInbox} has room for it, so a peer sending faster than the raft loop steps is held
   * back by flow control (and drops what it cannot send; raft resends) rather than buffered here.
   */
  private StreamObserver<RaftMessageBatch> raft(StreamObserver<TransportAck> response) {
    ServerCallStreamObserver<TransportAck> call = (ServerCallStreamObserver<TransportAck>) response;
    call.disableAutoRequest();
    RaftStream stream = new RaftStream(call);
    stream.askForNext();
    return stream;
  }

  private final class RaftStream implements StreamObserver<RaftMessageBatch> {
    private final ServerCallStreamObserver<TransportAck> response;
    // Guarded by this: whether the stream holds a reserved inbox slot no batch has used yet, and has ended.
    private boolean holdsSlot;
    private boolean ended;
    private boolean refused;

    RaftStream(ServerCallStreamObserver<TransportAck> response) {
      this.response = response;
    }

    /** Reserves room for one batch, then asks gRPC for it (now, or when a slot frees). */
    void askForNext() {
      RaftMessageHandler n = node.get();
      if (n == null) {
        response.request(1); // not started yet: what arrives is dropped below
        return;
      }
      if (n.peerInbox().reserveOrWait(this::slotGranted)) {
        slotGranted();
      }
    }

    private void slotGranted() {
      RaftMessageHandler n = node.get();
      synchronized (this) {
        if (!ended) {
          holdsSlot = true;
          response.request(1);
          return;
        }
      }
      n.peerInbox().release(); // the stream ended while it waited
    }

    /** The slot reserved for the batch just read, if any (it then travels with the batch). */
    private synchronized boolean takeSlot() {
      boolean had = holdsSlot;
      holdsSlot = false;
      return had;
    }

    @Override
    public void onNext(RaftMessageBatch batch) {
      boolean slot = takeSlot();
      RaftMessageHandler n = node.get();
      if (refused) {
        releaseIf(slot, n);
        return;
      }
      if (!batch.getClusterId().equals(clusterId)) {
        refused = true;
        releaseIf(slot, n);
        String error = "this node belongs to cluster '" + clusterId + "', not '" + batch.getClusterId() + "'";
        LOG.warn("refusing raft stream from node {}: {}", batch.getFrom(), error);
        response.onNext(TransportAck.newBuilder().setError(error).build());
        response.onCompleted();
        return;
      }
      if (n == null || inbound.refusesFrom(batch.getFrom())) {
        releaseIf(slot, n);
        askForNext();
        return;
      }
      transport.learnPeer(batch.getFrom(), batch.getFromPeerAddress());
      n.learnClientAddress(batch.getFrom(), batch.getFromClientAddress());
      java.util.List<Message> messages = new java.util.ArrayList<>(batch.getMessagesCount());
      for (Message m : batch.getMessagesList()) {
        if (m.getFrom() == batch.getFrom() && isPeerMessage(m.getMsgType())) {
          messages.add(m);
        }
      }
      if (slot && !messages.isEmpty()) {
        n.receiveReserved(messages); // the loop frees the slot once it stepped them
      } else {
        releaseIf(slot, n);
      }
      askForNext();
    }

    private void releaseIf(boolean slot, RaftMessageHandler n) {
      if (slot && n != null) {
        n.peerInbox().release();
      }
    }

    private void end() {
      boolean slot;
      synchronized (this) {
        ended = true;
        slot = holdsSlot;
        holdsSlot = false;
      }
      releaseIf(slot, node.get());
    }

    @Override
    public void onError(Throwable t) {
      end(); // the peer went away; it reconnects
    }

    @Override
    public void onCompleted() {
      end();
      if (!refused) {
        response.onNext(TransportAck.getDefaultInstance());
        response.onCompleted();
      }
    }
  }

  private static String describe(java.time.Duration d) {
    long ms = d.toMillis();
    return ms < 1000 || ms % 1000 != 0 ? ms + " ms" : ms / 1000 + " s";
  }

  /** Types a peer may send on the raft stream: not local ones, and snapshots only on snapshot streams. */
  private static boolean isPeerMessage(MessageType type) {
    return switch (type) {
      case MsgHup, MsgBeat, MsgUnreachable, MsgSnapStatus, MsgCheckQuorum, MsgSnapshot, UNRECOGNIZED -> false;
      default -> true;
    };
  }

  /**
   * A peer's snapshot stream, bounded: at most {@link OverloadLimits#maxIncomingSnapshots()} at once, each
   * at most {@link OverloadLimits#maxSnapshotBytes()} of data arriving within
   * {@link OverloadLimits#snapshotTimeLimit()}; past a bound it is refused and its staged files removed.
   */
  private StreamObserver<SnapshotChunk> snapshot(StreamObserver<TransportAck> response) {
    return new SnapshotStream(response);
  }

  private final class SnapshotStream implements StreamObserver<SnapshotChunk> {
    private final StreamObserver<TransportAck> response;
    private final long startNanos = System.nanoTime();
    // Guarded by this: chunks arrive on a gRPC thread, the time limit fires on the timer.
    private Message message;
    private SnapshotStore.Receiver receiver;
    private String error;
    private long bytes;
    private boolean holdsSlot;
    private boolean answered;
    private ScheduledFuture<?> timeLimit;

    SnapshotStream(StreamObserver<TransportAck> response) {
      this.response = response;
    }

    @Override
    public synchronized void onNext(SnapshotChunk chunk) {
      if (error != null) {
        return;
      }
      try {
        if (!chunk.getClusterId().equals(clusterId)) {
          fail("this node belongs to cluster '" + clusterId + "', not '" + chunk.getClusterId() + "'");
        } else if (chunk.hasMessage()) {
          if (message != null || chunk.getMessage().getMsgType() != MessageType.MsgSnapshot) {
            fail("a snapshot stream starts with exactly one MsgSnapshot");
            return;
          }
          message = chunk.getMessage();
          if (inbound.refusesFrom(message.getFrom())) {
            fail("node " + message.getFrom() + " is blocked by fault injection");
            return;
          }
          RaftMessageHandler n = node.get();
          if (n == null) {
            fail("node is not running");
            return;
          }
          if (incomingSnapshots.incrementAndGet() > limits.maxIncomingSnapshots()) {
            incomingSnapshots.decrementAndGet();
            refuse("this node is receiving " + limits.maxIncomingSnapshots() + " snapshots, its most (max"
                + " incoming snapshots): retry later");
            return;
          }
          holdsSlot = true;
          timeLimit = timer.schedule(this::timeUp, limits.snapshotTimeLimit().toNanos(), TimeUnit.NANOSECONDS);
          receiver = n.receiveSnapshot(message);
        } else if (receiver == null) {
          fail("snapshot data arrived before its MsgSnapshot");
        } else {
          bytes += chunk.getData().getSerializedSize();
          if (bytes > limits.maxSnapshotBytes()) {
            refuse("snapshot " + message.getSnapshot().getMetadata().getIndex() + " from node " + message.getFrom()
                + " passed " + bytes + " bytes; at most " + limits.maxSnapshotBytes() + " (max snapshot bytes)"
                + " are accepted");
            return;
          }
          receiver.add(chunk.getData());
        }
      } catch (RuntimeException e) {
        fail(e.getMessage());
        stopOnStorageFailure(e);
      }
    }

    /** A full disk or I/O error while receiving is fatal to the node, as one in the raft loop is. */
    private void stopOnStorageFailure(RuntimeException e) {
      RaftMessageHandler n = node.get();
      if (n != null && io.raftkv.server.storage.StorageFailures.isStorageFailure(e)) {
        n.reportStorageFailure(e);
      }
    }

    private synchronized void timeUp() {
      if (error == null && !answered) {
        refuse("snapshot " + message.getSnapshot().getMetadata().getIndex() + " from node " + message.getFrom()
            + " did not arrive within " + describe(limits.snapshotTimeLimit()) + " (snapshot time limit);"
            + " it had sent " + bytes + " bytes");
      }
    }

    /** Gives up on the snapshot: its staged data is removed, and the sender is told why at once. */
    private void refuse(String why) {
      fail(why);
      LOG.warn("refusing a snapshot: {}", why);
      answer(TransportAck.newBuilder().setError(why).build());
    }

    private void fail(String why) {
      error = why;
      if (receiver != null) {
        receiver.abandon();
      }
      done();
    }

    /** Frees the stream's snapshot slot and timer; once. */
    private void done() {
      if (holdsSlot) {
        holdsSlot = false;
        incomingSnapshots.decrementAndGet();
      }
      if (timeLimit != null) {
        timeLimit.cancel(false);
      }
    }

    private void answer(TransportAck ack) {
      if (answered) {
        return;
      }
      answered = true;
      try {
        response.onNext(ack);
        response.onCompleted();
      } catch (IllegalStateException alreadyClosed) {
        // the call ended meanwhile
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (receiver != null) {
        receiver.abandon();
      }
      done();
    }

    @Override
    public synchronized void onCompleted() {
      if (error == null && receiver == null) {
        error = "empty snapshot stream";
      }
      if (error != null) {
        answer(TransportAck.newBuilder().setError(error).build());
        return;
      }
      try {
        SnapshotStore.StagedSnapshot staged = receiver.finish();
        node.get().snapshotReceived(message, staged);
        answer(TransportAck.getDefaultInstance());
      } catch (RuntimeException e) {
        receiver.abandon();
        answer(TransportAck.newBuilder().setError(String.valueOf(e.getMessage())).build());
        stopOnStorageFailure(e);
      } finally {
        done();
      }
    }
  }
}
