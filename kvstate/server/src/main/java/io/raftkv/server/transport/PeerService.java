package io.raftkv.server.transport;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The node-to-node gRPC service, receiving side: opens an {@link IncomingRaftStream} per peer raft call and
 * an {@link IncomingSnapshotStream} per snapshot call, and counts the snapshots coming in.
 */
public final class PeerService {
  private final PeerAuthentication authentication;
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
  public PeerService(PeerAuthentication authentication, Supplier<? extends RaftMessageHandler> node,
      GrpcTransport transport, InboundFilter inbound, OverloadLimits limits, ScheduledExecutorService timer) {
    this.authentication = authentication;
    this.node = node;
    this.transport = transport;
    this.inbound = inbound;
    this.limits = limits;
    this.timer = timer;
  }

  /** As the full constructor, on a plaintext peer port. */
  public PeerService(String clusterId, Supplier<? extends RaftMessageHandler> node, GrpcTransport transport,
      InboundFilter inbound, OverloadLimits limits, ScheduledExecutorService timer) {
    this(PeerAuthentication.plaintext(clusterId), node, transport, inbound, limits, timer);
  }

  /** As the full constructor, on a plaintext peer port, refusing no peer. */
  public PeerService(String clusterId, Supplier<? extends RaftMessageHandler> node, GrpcTransport transport,
      OverloadLimits limits, ScheduledExecutorService timer) {
    this(PeerAuthentication.plaintext(clusterId), node, transport, InboundFilter.ACCEPT_ALL, limits, timer);
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

  // The handlers run in the call's context, where PeerIdentityInterceptor left the caller's verified identity.

  /** A peer's raft message stream (see {@link IncomingRaftStream}). */
  private StreamObserver<RaftMessageBatch> raft(StreamObserver<TransportAck> response) {
    return IncomingRaftStream.open(authentication.sender(PeerIdentity.current()), node, transport, inbound,
        response);
  }

  /** A peer's snapshot stream (see {@link IncomingSnapshotStream}). */
  private StreamObserver<SnapshotChunk> snapshot(StreamObserver<TransportAck> response) {
    return new IncomingSnapshotStream(authentication.sender(PeerIdentity.current()), node, inbound, limits, timer,
        incomingSnapshots, response);
  }
}
