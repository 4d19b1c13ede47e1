package io.raftkv.torture.rig;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.NetworkFaults;
import io.raftkv.api.SetNetworkFaultsRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Calls SetNetworkFaults on one node at a time (the rig's side of `--fault-injection`), as the rig's admin. */
final class NetworkFaultCalls implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final RigClients clients;

  NetworkFaultCalls(RigClients clients) {
    this.clients = clients;
  }

  /**
   * Replaces the faults of the node at {@code clientAddress}.
   *
   * @throws IllegalStateException naming the node and the error if it did not take them
   */
  void set(String clientAddress, NetworkFaults faults) {
    ManagedChannel channel = channels.computeIfAbsent(clientAddress,
        a -> Grpc.newChannelBuilder(a, clients.channelCredentials()).build());
    try {
      ClientCalls.blockingUnaryCall(channel, AdminRpc.SET_NETWORK_FAULTS,
          CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS),
          SetNetworkFaultsRequest.newBuilder().setFaults(faults).build());
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException("SetNetworkFaults on " + clientAddress + " failed: "
          + ErrorTrailers.fromThrowable(e).getCode() + " " + ErrorTrailers.fromThrowable(e).getMessage(), e);
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
