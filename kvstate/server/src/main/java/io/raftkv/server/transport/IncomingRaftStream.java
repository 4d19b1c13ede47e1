package io.raftkv.server.transport;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's raft message stream, read one batch at a time: the next batch is asked of gRPC only once the
 * node's {@link PeerInbox} has room for it, so a peer sending faster than the raft loop steps is held
 * back by flow control (and drops what it cannot send; raft resends) rather than buffered here.
 */
final class IncomingRaftStream implements StreamObserver<RaftMessageBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

  private final PeerAuthentication.Sender sender;
  private final String clusterId;
  private final Supplier<? extends RaftMessageHandler> node;
  private final GrpcTransport transport;
  private final InboundFilter inbound;
  private final ServerCallStreamObserver<TransportAck> response;
  // Guarded by this: whether the stream holds a reserved inbox slot no batch has used yet, and has ended.
  private boolean holdsSlot;
  private boolean ended;
  private boolean refused;

  private IncomingRaftStream(PeerAuthentication.Sender sender, Supplier<? extends RaftMessageHandler> node,
      GrpcTransport transport, InboundFilter inbound, ServerCallStreamObserver<TransportAck> response) {
    this.sender = sender;
    this.clusterId = sender.authentication().clusterId();
    this.node = node;
    this.transport = transport;
    this.inbound = inbound;
    this.response = response;
  }

  /** Takes over a peer's raft call: reads its batches one at a time, as the inbox has room. */
  static IncomingRaftStream open(PeerAuthentication.Sender sender, Supplier<? extends RaftMessageHandler> node,
      GrpcTransport transport, InboundFilter inbound, StreamObserver<TransportAck> response) {
    ServerCallStreamObserver<TransportAck> call = (ServerCallStreamObserver<TransportAck>) response;
    call.disableAutoRequest();
    IncomingRaftStream stream = new IncomingRaftStream(sender, node, transport, inbound, call);
    stream.askForNext();
    return stream;
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
    String error = !batch.getClusterId().equals(clusterId)
        ? "this node belongs to cluster '" + clusterId + "', not '" + batch.getClusterId() + "'"
        : sender.refusalToSendAs(batch.getFrom()).orElse(null);
    if (error != null) {
      refused = true;
      releaseIf(slot, n);
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
    RaftMessageHandler groupPeer = n.forGroup(batch.getGroupId());
    if (groupPeer == null) {
      releaseIf(slot, n); // no replica of that group here: dropped, as raft resends
      askForNext();
      return;
    }
    transport.learnPeer(batch.getFrom(), batch.getFromPeerAddress());
    groupPeer.learnClientAddress(batch.getFrom(), batch.getFromClientAddress());
    java.util.List<Message> messages = new java.util.ArrayList<>(batch.getMessagesCount());
    for (Message m : batch.getMessagesList()) {
      if (m.getFrom() == batch.getFrom() && isPeerMessage(m.getMsgType())) {
        messages.add(m);
      }
    }
    if (slot && !messages.isEmpty()) {
      groupPeer.receiveReserved(messages); // the loop frees the slot once it stepped them
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

  /** Types a peer may send on the raft stream: not local ones, and snapshots only on snapshot streams. */
  private static boolean isPeerMessage(MessageType type) {
    return switch (type) {
      case MsgHup, MsgBeat, MsgUnreachable, MsgSnapStatus, MsgCheckQuorum, MsgSnapshot, UNRECOGNIZED -> false;
      default -> true;
    };
  }
}
