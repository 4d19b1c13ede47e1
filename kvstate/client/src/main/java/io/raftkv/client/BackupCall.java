package io.raftkv.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupRequest;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import java.util.Iterator;

/**
 * A backup streaming from one node, chunk by chunk in order (read as fast as the reader consumes: gRPC
 * flow control holds the node back); {@link #close()} cancels it. Failures are {@link RaftKvException}s.
 */
public final class BackupCall implements Iterator<BackupChunk>, AutoCloseable {
  private final String endpoint;
  private final ClientCall<BackupRequest, BackupChunk> call;
  private final Iterator<BackupChunk> chunks;

  BackupCall(ManagedChannel channel, String endpoint) {
    this.endpoint = endpoint;
    this.call = channel.newCall(AdminRpc.BACKUP, CallOptions.DEFAULT);
    this.chunks = ClientCalls.blockingServerStreamingCall(call, BackupRequest.getDefaultInstance());
  }

  /** The node serving this backup. */
  public String endpoint() {
    return endpoint;
  }

  @Override
  public boolean hasNext() {
    try {
      return chunks.hasNext();
    } catch (StatusRuntimeException e) {
      throw failure(e);
    }
  }

  @Override
  public BackupChunk next() {
    try {
      return chunks.next();
    } catch (StatusRuntimeException e) {
      throw failure(e);
    }
  }

  private RaftKvException failure(StatusRuntimeException e) {
    Error error = ErrorTrailers.fromThrowable(e);
    return new RaftKvException(error.getCode(), "backup from " + endpoint + " failed: "
        + GrpcErrors.describe(endpoint, error), e);
  }

  @Override
  public void close() {
    call.cancel("backup reader closed", null);
  }
}
