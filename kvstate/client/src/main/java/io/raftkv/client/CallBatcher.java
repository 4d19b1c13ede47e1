package io.raftkv.client;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.Error;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Coalesces concurrent calls to one node into batch calls (WriteBatch, GetBatch): a call goes out at once
 * when fewer than {@link #MAX_IN_FLIGHT} batches are under way, else with the others that queue meanwhile.
 * Each request keeps its own identity and answer, so batching changes nothing but the number of RPCs.
 *
 * @param <Q> one request
 * @param <R> one answer
 * @param <BQ> the batch request
 * @param <BR> the batch response
 */
final class CallBatcher<Q, R, BQ, BR> {
  /**
   * Batch calls under way to one node. One gives the largest batches, hence the fewest RPCs, raft rounds
   * and fsyncs per request: measured against 2, 3 and 4 on one warmed cluster, it gave the most writes and
   * reads per second at every concurrency from 16 to 256 (docs/benchmarks.md).
   */
  static final int MAX_IN_FLIGHT = 1;
  static final int MAX_BATCH = 1024;
  /** A batch call stops growing past this many request bytes (the server takes messages up to 64 MiB). */
  static final long MAX_BATCH_BYTES = 16L << 20;

  /**
   * A request that waited in the queue past its attempt's deadline and was never sent: the node was not
   * asked, so this says nothing about it (in particular not that it is down).
   */
  static final class QueuedTooLong extends RuntimeException {
    private static final long serialVersionUID = 1L;

    QueuedTooLong(String message) {
      super(message, null, false, false);
    }
  }

  /** One answer from a batch response: the value, or the error the node gave for that request. */
  record Outcome<R>(R value, Error error) {}

  private record Pending<Q, R>(Q request, CompletableFuture<Outcome<R>> result, long deadlineNanos) {}

  private final ManagedChannel channel;
  private final String endpoint;
  private final MethodDescriptor<BQ, BR> method;
  private final Function<List<Q>, BQ> batchOf;
  private final java.util.function.ToIntFunction<Q> sizeOf;
  private final BiFunction<BR, Integer, Outcome<R>> outcomeAt;
  private final ArrayDeque<Pending<Q, R>> queue = new ArrayDeque<>();
  private int inFlight;

  CallBatcher(ManagedChannel channel, String endpoint, MethodDescriptor<BQ, BR> method,
      Function<List<Q>, BQ> batchOf, java.util.function.ToIntFunction<Q> sizeOf,
      BiFunction<BR, Integer, Outcome<R>> outcomeAt) {
    this.channel = channel;
    this.endpoint = endpoint;
    this.method = method;
    this.batchOf = batchOf;
    this.sizeOf = sizeOf;
    this.outcomeAt = outcomeAt;
  }

  /**
   * Sends {@code request} (batched with others); the future completes with its own answer, or fails with
   * a {@link RaftKvException} carrying the node's error for this request or the call's failure. The batch
   * call's deadline is the latest of its requests', so every request is answered by about its own deadline.
   */
  CompletableFuture<R> call(Q request, long deadlineNanos) {
    CompletableFuture<Outcome<R>> result = new CompletableFuture<>();
    synchronized (this) {
      queue.addLast(new Pending<>(request, result, deadlineNanos));
      sendWhileRoom();
    }
    return result.handle((outcome, failure) -> {
      if (failure instanceof QueuedTooLong queued) {
        throw new RaftKvException(Error.Code.TIMEOUT, queued.getMessage(), queued);
      }
      if (failure != null) {
        throw GrpcErrors.fromCall(endpoint, failure);
      }
      if (outcome.error() != null) {
        throw GrpcErrors.fromNode(endpoint, outcome.error(), null);
      }
      return outcome.value();
    });
  }

  /** Starts batch calls while fewer than MAX_IN_FLIGHT are under way (caller holds the lock). */
  private void sendWhileRoom() {
    while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
      List<Pending<Q, R>> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
      List<Q> requests = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
      long deadline = Long.MIN_VALUE;
      long bytes = 0;
      long now = System.nanoTime();
      while (!queue.isEmpty() && batch.size() < MAX_BATCH
          && (batch.isEmpty() || bytes + sizeOf.applyAsInt(queue.peekFirst().request) <= MAX_BATCH_BYTES)) {
        Pending<Q, R> p = queue.pollFirst();
        if (p.deadlineNanos <= now) {
          // It waited here past its attempt's deadline (the node admits less than is queued): the caller's
          // retry logic decides whether to try again.
          p.result.completeExceptionally(new QueuedTooLong("the request waited in this client's queue for "
              + endpoint + " past its attempt's deadline (the node admits less than is queued)"));
          continue;
        }
        bytes += sizeOf.applyAsInt(p.request);
        batch.add(p);
        requests.add(p.request);
        deadline = Math.max(deadline, p.deadlineNanos);
      }
      if (batch.isEmpty()) {
        continue; // every request taken had expired
      }
      inFlight++;
      long timeout = Math.max(1, deadline - System.nanoTime());
      ClientCalls.asyncUnaryCall(channel.newCall(method,
          CallOptions.DEFAULT.withDeadlineAfter(timeout, TimeUnit.NANOSECONDS)), batchOf.apply(requests),
          new StreamObserver<BR>() {
            @Override
            public void onNext(BR response) {
              for (int i = 0; i < batch.size(); i++) {
                try {
                  batch.get(i).result.complete(outcomeAt.apply(response, i));
                } catch (IndexOutOfBoundsException e) {
                  batch.get(i).result.completeExceptionally(e);
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
