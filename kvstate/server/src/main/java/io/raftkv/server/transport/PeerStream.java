package io.raftkv.server.transport;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote peer (as etcd's rafthttp peer.go and stream.go): its channel and one long-lived client stream
 * of message batches, reopened with back-off after a failure.
 */
final class PeerStream {
  private static final Logger LOG = LoggerFactory.getLogger(PeerStream.class);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** Batches gRPC may buffer on a peer stream before we drop messages (raft resends what matters). */
  private static final int MAX_BUFFERED_BATCHES = 1024;

  private final LocalNode self;
  private final long id;
  private final String address;
  private final ManagedChannel channel;
  /** Told when the stream fails, so raft learns the peer is unreachable. */
  private final Runnable onFailure;
  // Guarded by this.
  private ClientCallStreamObserver<RaftMessageBatch> stream;
  private long retryAtNanos;
  private long backoffNanos = MIN_BACKOFF_NANOS;
  private int sentWhileNotReady;
  private boolean closed;

  PeerStream(LocalNode self, long id, String address, ChannelCredentials credentials, Runnable onFailure) {
    this.self = self;
    this.id = id;
    this.address = address;
    this.onFailure = onFailure;
    this.channel = Grpc.newChannelBuilder(address, credentials)
        .maxInboundMessageSize(64 << 20).build();
  }

  long id() {
    return id;
  }

  String address() {
    return address;
  }

  /** The channel to the peer, which snapshot streams share. */
  ManagedChannel channel() {
    return channel;
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
    if (!stream.isReady() && sentWhileNotReady >= MAX_BUFFERED_BATCHES) {
      return false; // the peer is slow: drop rather than buffer without bound
    }
    stream.onNext(RaftMessageBatch.newBuilder().setClusterId(self.clusterId()).setFrom(self.id())
        .setFromPeerAddress(self.peerAddress()).setFromClientAddress(self.clientAddress()).addAllMessages(batch)
        .build());
    sentWhileNotReady = stream.isReady() ? 0 : sentWhileNotReady + 1;
    return true;
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

  private void failed(Throwable t) {
    synchronized (this) {
      stream = null;
      retryAtNanos = System.nanoTime() + backoffNanos;
      backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
      if (t != null && !closed) {
        LOG.debug("raft stream to node {} at {} failed: {}", id, address, t.toString());
      }
    }
    onFailure.run();
  }

  synchronized void close() {
    closed = true;
    if (stream != null) {
      stream.onCompleted();
      stream = null;
    }
    channel.shutdownNow();
  }
}
