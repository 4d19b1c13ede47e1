package io.raftkv.server.transport;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one snapshot to a peer with flow control and waits for the receiver's acknowledgement (as etcd's
 * rafthttp snapshot_sender.go).
 */
final class SnapshotSender {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSender.class);

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

  /** Sends the MsgSnapshot then its data; true once the receiver acknowledged it without error. */
  boolean run() {
    CompletableFuture<TransportAck> done = new CompletableFuture<>();
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
