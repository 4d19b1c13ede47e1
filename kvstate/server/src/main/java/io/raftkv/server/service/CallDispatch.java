package io.raftkv.server.service;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Which thread runs a server call's handlers: calls whose handlers only validate and hand work to the raft
 * loop run on the transport thread that read them (no hand-off to a pool thread and back, which costs a
 * thread wake-up per call); every other call, which may read RocksDB or write files, runs on the pool.
 * For a server built with {@code directExecutor()}.
 */
final class CallDispatch implements ServerCallExecutorSupplier {
  private final Set<String> onTransportThread;
  private final Executor pool;

  CallDispatch(Set<String> onTransportThread, Executor pool) {
    this.onTransportThread = Set.copyOf(onTransportThread);
    this.pool = pool;
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
    return onTransportThread.contains(call.getMethodDescriptor().getFullMethodName()) ? null : pool;
  }
}
