package io.raftkv.server.transport;

import io.grpc.MethodDescriptor;
import io.raftkv.api.GrpcMethods;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;

/** The node-to-node gRPC service: a stream of raft message batches, and snapshot streams. */
public final class PeerRpc {
  public static final String SERVICE = "raftkv.server.Peer";

  public static final MethodDescriptor<RaftMessageBatch, TransportAck> RAFT = GrpcMethods.clientStreaming(
      SERVICE, "Raft", RaftMessageBatch.getDefaultInstance(), TransportAck.getDefaultInstance());
  public static final MethodDescriptor<SnapshotChunk, TransportAck> SNAPSHOT = GrpcMethods.clientStreaming(
      SERVICE, "Snapshot", SnapshotChunk.getDefaultInstance(), TransportAck.getDefaultInstance());

  private PeerRpc() {}
}
