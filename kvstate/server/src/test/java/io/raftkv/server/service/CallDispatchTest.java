package io.raftkv.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.KvRpc;
import io.raftkv.api.StatusRequest;
import io.raftkv.api.StatusResponse;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallDispatchTest {
  @Test
  void aCallArrivingWhileThePoolQueueIsFullIsRefusedAtOnceWithResourceExhausted() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    ExecutorService callers = Executors.newCachedThreadPool();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CallDispatch dispatch = new CallDispatch(Set.of(), pool, 1, "node 9");
    ServerServiceDefinition service = ServerServiceDefinition.builder(io.grpc.ServiceDescriptor.newBuilder(
            KvRpc.SERVICE_DESCRIPTOR.getName()).addMethod(KvRpc.STATUS).build())
        .addMethod(KvRpc.STATUS, ServerCalls.asyncUnaryCall((StatusRequest request,
            io.grpc.stub.StreamObserver<StatusResponse> observer) -> {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          observer.onNext(StatusResponse.newBuilder().setNodeId(9).build());
          observer.onCompleted();
        })).build();
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).directExecutor()
        .callExecutor(dispatch).addService(ServerInterceptors.intercept(service, dispatch.refuser())).build().start();
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(),
        InsecureChannelCredentials.create()).build();
    try {
      Future<StatusResponse> running = callers.submit(() -> status(channel));
      assertThat(entered.await(60, TimeUnit.SECONDS)).as("the first call holds the only pool thread").isTrue();
      Future<StatusResponse> queued = callers.submit(() -> status(channel));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (dispatch.queued() < 1) {
        assertThat(System.nanoTime()).as("the second call queued within 60 s").isLessThan(deadline);
        Thread.sleep(10);
      }

      assertThatThrownBy(() -> status(channel)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(ErrorTrailers.fromThrowable(e).getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
            .isEqualTo("node 9 has 1 calls waiting for a thread; at most 1: retry later");
      });

      release.countDown();
      assertThat(running.get(60, TimeUnit.SECONDS).getNodeId()).isEqualTo(9);
      assertThat(queued.get(60, TimeUnit.SECONDS).getNodeId()).isEqualTo(9);
      assertThat(status(channel).getNodeId()).as("served again once the queue drained").isEqualTo(9);
    } finally {
      release.countDown();
      channel.shutdownNow();
      server.shutdownNow();
      pool.shutdownNow();
      callers.shutdownNow();
    }
  }

  private static StatusResponse status(ManagedChannel channel) {
    return ClientCalls.blockingUnaryCall(channel, KvRpc.STATUS,
        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), StatusRequest.getDefaultInstance());
  }
}
