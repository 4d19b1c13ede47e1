package io.raftkv.server.service;

import io.grpc.stub.StreamObserver;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.server.node.NodeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a node future into a gRPC reply: its value, or its error carried in the trailers. */
final class Replies {
  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

  private Replies() {}

  /**
   * Replies with {@code map(value)} on {@code executor}: a pool, so that mapping work that reads RocksDB
   * stays off the raft loop thread that completed the future, or {@code Runnable::run} where the mapping
   * is cheaper than waking a pool thread.
   */
  static <T, R> void reply(CompletableFuture<T> future, Function<T, R> map, StreamObserver<R> observer,
      Executor executor) {
    future.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        observer.onError(ErrorTrailers.toException(toError(failure)));
        return;
      }
      R response;
      try {
        response = map.apply(value);
      } catch (RuntimeException e) {
        observer.onError(ErrorTrailers.toException(toError(e)));
        return;
      }
      observer.onNext(response);
      observer.onCompleted();
    }, executor);
  }

  /**
   * Replies with the value itself on the thread that completes the future (the raft loop): no mapping
   * work runs there, and skipping a thread hand-off saves latency on every write.
   */
  static <T> void replyDirect(CompletableFuture<T> future, StreamObserver<T> observer) {
    future.whenComplete((value, failure) -> {
      if (failure != null) {
        observer.onError(ErrorTrailers.toException(toError(failure)));
      } else {
        observer.onNext(value);
        observer.onCompleted();
      }
    });
  }

  static Error toError(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof NodeException ne) {
      return ne.error();
    }
    if (cause instanceof IllegalArgumentException) {
      return Error.newBuilder().setCode(Error.Code.INVALID_ARGUMENT).setMessage(cause.getMessage()).build();
    }
    LOG.warn("request failed unexpectedly", cause);
    return Error.newBuilder().setCode(Error.Code.UNKNOWN).setMessage(String.valueOf(cause)).build();
  }

  static void fail(StreamObserver<?> observer, Error error) {
    observer.onError(ErrorTrailers.toException(error));
  }

  static void fail(StreamObserver<?> observer, Error.Code code, String message) {
    observer.onError(ErrorTrailers.toException(Error.newBuilder().setCode(code).setMessage(message).build()));
  }
}
