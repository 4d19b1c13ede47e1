package io.raftkv.client;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.Error;
import io.raftkv.api.GetBatchRequest;
import io.raftkv.api.GetBatchResponse;
import io.raftkv.api.GetRequest;
import io.raftkv.api.GetResponse;
import io.raftkv.api.GetResult;
import io.raftkv.api.KvRpc;
import io.raftkv.api.WriteBatchRequest;
import io.raftkv.api.WriteBatchResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.api.WriteResult;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One try against one node: a unary call, or a write or get that travels batched with the others to that
 * node. Every future fails with a {@link RaftKvException}. Thread-safe.
 */
final class NodeCalls {
  private final Channels channels;
  private final Map<String, CallBatcher<WriteRequest, WriteResponse, WriteBatchRequest, WriteBatchResponse>>
      writeBatchers = new ConcurrentHashMap<>();
  private final Map<String, CallBatcher<GetRequest, GetResponse, GetBatchRequest, GetBatchResponse>>
      getBatchers = new ConcurrentHashMap<>();

  NodeCalls(Channels channels) {
    this.channels = channels;
  }

  /** Sends {@code request} to {@code endpoint} in a WriteBatch with the writes queued meanwhile. */
  CompletableFuture<WriteResponse> write(String endpoint, WriteRequest request, long deadlineNanos) {
    return writeBatchers.computeIfAbsent(endpoint, e -> new CallBatcher<>(channels.to(e), e, KvRpc.WRITE_BATCH,
        requests -> WriteBatchRequest.newBuilder().addAllRequests(requests).build(), WriteRequest::getSerializedSize,
        (response, i) -> {
          WriteResult r = response.getResults(i);
          return new CallBatcher.Outcome<>(r.hasResponse() ? r.getResponse() : null, r.hasError() ? r.getError() : null);
        })).call(request, deadlineNanos);
  }

  /** Sends {@code request} to {@code endpoint} in a GetBatch (one ReadIndex round for the linearizable ones). */
  CompletableFuture<GetResponse> get(String endpoint, GetRequest request, long deadlineNanos) {
    return getBatchers.computeIfAbsent(endpoint, e -> new CallBatcher<>(channels.to(e), e, KvRpc.GET_BATCH,
        requests -> GetBatchRequest.newBuilder().addAllRequests(requests).build(), GetRequest::getSerializedSize,
        (response, i) -> {
          GetResult r = response.getResults(i);
          return new CallBatcher.Outcome<>(r.hasResponse() ? r.getResponse() : null, r.hasError() ? r.getError() : null);
        })).call(request, deadlineNanos);
  }

  /** One unary call of {@code method} on {@code endpoint}, bounded by {@code deadlineNanos}. */
  <Q, R> CompletableFuture<R> unary(String endpoint, MethodDescriptor<Q, R> method, Q request, long deadlineNanos) {
    CompletableFuture<R> answer = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(channels.to(endpoint).newCall(method, CallOptions.DEFAULT.withDeadlineAfter(
        Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)), request, new StreamObserver<R>() {
          @Override
          public void onNext(R value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(GrpcErrors.fromCall(endpoint, t));
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new RaftKvException(Error.Code.UNKNOWN, endpoint + " sent no answer"));
          }
        });
    return answer;
  }
}
