package io.raftkv.server.transport;

import io.grpc.stub.StreamObserver;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's snapshot stream, bounded: at most {@link OverloadLimits#maxIncomingSnapshots()} at once, each
 * at most {@link OverloadLimits#maxSnapshotBytes()} of data arriving within
 * {@link OverloadLimits#snapshotTimeLimit()}; past a bound it is refused and its staged files removed.
 */
final class IncomingSnapshotStream implements StreamObserver<SnapshotChunk> {
  private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

  private final PeerAuthentication.Sender sender;
  private final String clusterId;
  private final Supplier<? extends RaftMessageHandler> node;
  private final InboundFilter inbound;
  private final OverloadLimits limits;
  private final ScheduledExecutorService timer;
  /** Snapshots being received now, across all streams of this service. */
  private final AtomicInteger incomingSnapshots;
  private final StreamObserver<TransportAck> response;
  private final long startNanos = System.nanoTime();
  // Guarded by this: chunks arrive on a gRPC thread, the time limit fires on the timer.
  private Message message;
  /** The peer of the group the snapshot is for, known from the first chunk. */
  private RaftMessageHandler groupPeer;
  private SnapshotStore.Receiver receiver;
  private String error;
  private long bytes;
  private boolean holdsSlot;
  private boolean answered;
  private ScheduledFuture<?> timeLimit;

  /**
   * @param limits bounds incoming snapshots (count, bytes, time)
   * @param timer ends an incoming snapshot that passes its time limit
   */
  IncomingSnapshotStream(PeerAuthentication.Sender sender, Supplier<? extends RaftMessageHandler> node,
      InboundFilter inbound, OverloadLimits limits, ScheduledExecutorService timer, AtomicInteger incomingSnapshots,
      StreamObserver<TransportAck> response) {
    this.sender = sender;
    this.clusterId = sender.authentication().clusterId();
    this.node = node;
    this.inbound = inbound;
    this.limits = limits;
    this.timer = timer;
    this.incomingSnapshots = incomingSnapshots;
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
        java.util.Optional<String> impostor = sender.refusalToSendAs(message.getFrom());
        if (impostor.isPresent()) {
          refuse("snapshot from node " + message.getFrom() + " refused: " + impostor.get());
          return;
        }
        if (inbound.refusesFrom(message.getFrom())) {
          fail("node " + message.getFrom() + " is blocked by fault injection");
          return;
        }
        RaftMessageHandler n = node.get();
        if (n == null) {
          fail("node is not running");
          return;
        }
        groupPeer = n.forGroup(chunk.getGroupId());
        if (groupPeer == null) {
          fail("raft group " + chunk.getGroupId() + " has no replica on this node");
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
        receiver = groupPeer.receiveSnapshot(message);
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
    RaftMessageHandler n = groupPeer != null ? groupPeer : node.get();
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
      groupPeer.snapshotReceived(message, staged);
      answer(TransportAck.getDefaultInstance());
    } catch (RuntimeException e) {
      receiver.abandon();
      answer(TransportAck.newBuilder().setError(String.valueOf(e.getMessage())).build());
      stopOnStorageFailure(e);
    } finally {
      done();
    }
  }

  private static String describe(java.time.Duration d) {
    long ms = d.toMillis();
    return ms < 1000 || ms % 1000 != 0 ? ms + " ms" : ms / 1000 + " s";
  }
}
