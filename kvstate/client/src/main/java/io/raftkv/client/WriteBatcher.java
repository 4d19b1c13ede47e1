package io.raftkv.client;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.KvRpc;
import io.raftkv.api.WriteBatchRequest;
import io.raftkv.api.WriteBatchResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.api.WriteResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Coalesces concurrent writes to one node into WriteBatch calls: a write goes out at once when fewer than
 * {@link #MAX_IN_FLIGHT} calls are under way, else with the others that queue meanwhile. Each write keeps
 * its own request id and answer, so batching changes nothing but the number of RPCs.
 */
final class WriteBatcher {
  static final int MAX_IN_FLIGHT = 2;
  static final int MAX_BATCH = 1024;

  private record Pending(WriteRequest request, CompletableFuture<WriteResult> result, long deadlineNanos) {}

  private final ManagedChannel channel;
  private final String endpoint;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;

  WriteBatcher(ManagedChannel channel, String endpoint) {
    this.channel = channel;
    this.endpoint = endpoint;
  }

  /**
   * Sends {@code request} (batched with others) and waits for its own answer until {@code deadlineNanos}.
   *
   * @throws RaftKvException with the node's error for this request, or the call's failure
   */
  WriteResponse write(WriteRequest request, long deadlineNanos) {
    CompletableFuture<WriteResult> result = new CompletableFuture<>();
    synchronized (this) {
      queue.addLast(new Pending(request, result, deadlineNanos));
      sendWhileRoom();
    }
    WriteResult r;
    try {
      r = result.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new RaftKvException(Error.Code.TIMEOUT, "no answer from " + endpoint + " in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted", e);
    } catch (ExecutionException e) {
      Error error = ErrorTrailers.fromThrowable(e.getCause());
      throw new RaftKvException(error.getCode(), error.getMessage().isEmpty() ? error.getCode() + " from "
          + endpoint : error.getMessage(), e.getCause(), error.getLeaderAddress());
    }
    if (r.hasError()) {
      Error error = r.getError();
      throw new RaftKvException(error.getCode(), error.getMessage(), null, error.getLeaderAddress());
    }
    return r.getResponse();
  }

  /** Starts calls while fewer than MAX_IN_FLIGHT are under way (caller holds the lock). */
  private void sendWhileRoom() {
    while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
      List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
      long deadline = Long.MIN_VALUE;
      WriteBatchRequest.Builder request = WriteBatchRequest.newBuilder();
      while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
        Pending p = queue.pollFirst();
        batch.add(p);
        request.addRequests(p.request);
        deadline = Math.max(deadline, p.deadlineNanos);
      }
      inFlight++;
      long timeout = Math.max(1, deadline - System.nanoTime());
      ClientCalls.asyncUnaryCall(channel.newCall(KvRpc.WRITE_BATCH,
          CallOptions.DEFAULT.withDeadlineAfter(timeout, TimeUnit.NANOSECONDS)), request.build(),
          new StreamObserver<WriteBatchResponse>() {
            @Override
            public void onNext(WriteBatchResponse response) {
              for (int i = 0; i < batch.size(); i++) {
                if (i < response.getResultsCount()) {
                  batch.get(i).result.complete(response.getResults(i));
                } else {
                  batch.get(i).result.completeExceptionally(new IllegalStateException("missing result"));
                }
              }
            }

            @Override
            public void onError(Throwable t) {
              batch.forEach(p -> p.result.completeExceptionally(t));
              finished();
            }

            @Override
            public void onCompleted() {
              finished();
            }
          });
    }
  }

  private synchronized void finished() {
    inFlight--;
    sendWhileRoom();
  }
}
