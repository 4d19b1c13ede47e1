package io.raftkv.server.service;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which thread runs a server call's handlers: calls whose handlers only validate and hand work to the raft
 * loop run on the transport thread that read them (no hand-off to a pool thread and back, which costs a
 * thread wake-up per call); every other call, which may read RocksDB or write files, runs on the pool.
 * For a server built with {@code directExecutor()}.
 *
 * <p>The pool's queue of call work is bounded: a call arriving while {@code maxQueued} call tasks wait for
 * a pool thread is refused at once with RESOURCE_EXHAUSTED (by {@link #refuser()}, which the server must
 * install as an interceptor) instead of queueing without end.
 */
final class CallDispatch implements ServerCallExecutorSupplier {
  /** Marks a call refused here; the refuser answers it on the transport thread. */
  private static final Metadata.Key<String> REFUSED =
      Metadata.Key.of("raftkv-refused-overloaded", Metadata.ASCII_STRING_MARSHALLER);

  private final Set<String> onTransportThread;
  private final Executor pool;
  private final int maxQueued;
  private final String nodeName;
  private final AtomicInteger queued = new AtomicInteger();
  private final Executor counted;

  CallDispatch(Set<String> onTransportThread, Executor pool, int maxQueued, String nodeName) {
    this.onTransportThread = Set.copyOf(onTransportThread);
    this.pool = pool;
    this.maxQueued = maxQueued;
    this.nodeName = nodeName;
    this.counted = task -> {
      queued.incrementAndGet();
      try {
        pool.execute(() -> {
          queued.decrementAndGet();
          task.run();
        });
      } catch (RuntimeException e) {
        queued.decrementAndGet();
        throw e;
      }
    };
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
    if (onTransportThread.contains(call.getMethodDescriptor().getFullMethodName())) {
      return null;
    }
    int waiting = queued.get();
    if (waiting >= maxQueued) {
      metadata.put(REFUSED, nodeName + " has " + waiting + " calls waiting for a thread; at most " + maxQueued
          + ": retry later");
      return null; // the refuser closes it at once on this thread
    }
    return counted;
  }

  /** Call tasks waiting for a pool thread now. */
  int queued() {
    return queued.get();
  }

  /** Closes the calls {@link #getExecutor} refused with RESOURCE_EXHAUSTED and the reason. */
  ServerInterceptor refuser() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
          ServerCallHandler<ReqT, RespT> next) {
        String refused = headers.get(REFUSED);
        if (refused == null) {
          return next.startCall(call, headers);
        }
        StatusRuntimeException e = ErrorTrailers.toException(Error.newBuilder()
            .setCode(Error.Code.RESOURCE_EXHAUSTED).setMessage(refused).build());
        call.close(e.getStatus(), e.getTrailers());
        return new ServerCall.Listener<>() {};
      }
    };
  }
}
