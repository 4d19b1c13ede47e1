package io.raftkv.server.transport;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Receives peers' raft message streams and snapshot streams and hands them to the node. */
public final class PeerService {
  private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

  private final String clusterId;
  private final Supplier<RaftKvNode> node;
  private final GrpcTransport transport;

  public PeerService(String clusterId, Supplier<RaftKvNode> node, GrpcTransport transport) {
    this.clusterId = clusterId;
    this.node = node;
    this.transport = transport;
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(PeerRpc.SERVICE)
        .addMethod(PeerRpc.RAFT, ServerCalls.asyncClientStreamingCall(this::raft))
        .addMethod(PeerRpc.SNAPSHOT, ServerCalls.asyncClientStreamingCall(this::snapshot))
        .build();
  }

  private StreamObserver<RaftMessageBatch> raft(StreamObserver<TransportAck> response) {
    return new StreamObserver<>() {
      private boolean refused;

      @Override
      public void onNext(RaftMessageBatch batch) {
        if (refused) {
          return;
        }
        if (!batch.getClusterId().equals(clusterId)) {
          refused = true;
          String error = "this node belongs to cluster '" + clusterId + "', not '" + batch.getClusterId() + "'";
          LOG.warn("refusing raft stream from node {}: {}", batch.getFrom(), error);
          response.onNext(TransportAck.newBuilder().setError(error).build());
          response.onCompleted();
          return;
        }
        RaftKvNode n = node.get();
        if (n == null || transport.refusesFrom(batch.getFrom())) {
          return;
        }
        transport.learnPeer(batch.getFrom(), batch.getFromPeerAddress());
        n.learnClientAddress(batch.getFrom(), batch.getFromClientAddress());
        for (Message m : batch.getMessagesList()) {
          if (m.getFrom() == batch.getFrom() && isPeerMessage(m.getMsgType())) {
            n.receive(m);
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        // the peer went away; it reconnects
      }

      @Override
      public void onCompleted() {
        if (!refused) {
          response.onNext(TransportAck.getDefaultInstance());
          response.onCompleted();
        }
      }
    };
  }

  /** Types a peer may send on the raft stream: not local ones, and snapshots only on snapshot streams. */
  private static boolean isPeerMessage(MessageType type) {
    return switch (type) {
      case MsgHup, MsgBeat, MsgUnreachable, MsgSnapStatus, MsgCheckQuorum, MsgSnapshot, UNRECOGNIZED -> false;
      default -> true;
    };
  }

  private StreamObserver<SnapshotChunk> snapshot(StreamObserver<TransportAck> response) {
    return new StreamObserver<>() {
      private Message message;
      private SnapshotStore.Receiver receiver;
      private String error;

      @Override
      public void onNext(SnapshotChunk chunk) {
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
            if (transport.refusesFrom(message.getFrom())) {
              fail("node " + message.getFrom() + " is blocked by fault injection");
              return;
            }
            RaftKvNode n = node.get();
            if (n == null) {
              fail("node is not running");
              return;
            }
            receiver = n.receiveSnapshot(message);
          } else if (receiver == null) {
            fail("snapshot data arrived before its MsgSnapshot");
          } else {
            receiver.add(chunk.getData());
          }
        } catch (RuntimeException e) {
          fail(e.getMessage());
          stopOnStorageFailure(e);
        }
      }

      /** A full disk or I/O error while receiving is fatal to the node, as one in the raft loop is. */
      private void stopOnStorageFailure(RuntimeException e) {
        RaftKvNode n = node.get();
        if (n != null && io.raftkv.server.storage.StorageFailures.isStorageFailure(e)) {
          n.reportStorageFailure(e);
        }
      }

      private void fail(String why) {
        error = why;
        if (receiver != null) {
          receiver.abandon();
        }
      }

      @Override
      public void onError(Throwable t) {
        if (receiver != null) {
          receiver.abandon();
        }
      }

      @Override
      public void onCompleted() {
        if (error == null && receiver == null) {
          error = "empty snapshot stream";
        }
        if (error != null) {
          response.onNext(TransportAck.newBuilder().setError(error).build());
          response.onCompleted();
          return;
        }
        try {
          SnapshotStore.StagedSnapshot staged = receiver.finish();
          node.get().snapshotReceived(message, staged);
          response.onNext(TransportAck.getDefaultInstance());
        } catch (RuntimeException e) {
          receiver.abandon();
          response.onNext(TransportAck.newBuilder().setError(String.valueOf(e.getMessage())).build());
          stopOnStorageFailure(e);
        }
        response.onCompleted();
      }
    };
  }
}
