package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.Error;
import io.raftkv.api.KvRpc;
import io.raftkv.api.WriteBatchRequest;
import io.raftkv.api.WriteBatchResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.api.WriteResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batcher never sends a request that waited in its queue past its attempt's deadline. */
class CallBatcherOverloadTest {
  private final CountDownLatch firstCallHeld = new CountDownLatch(1);
  private final CountDownLatch releaseFirst = new CountDownLatch(1);
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger requestsReceived = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  /** A node that holds its first batch call until told, then admits the first two requests of each batch. */
  private CallBatcher<WriteRequest, WriteResponse, WriteBatchRequest, WriteBatchResponse> start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(ServiceDescriptor.newBuilder(
            KvRpc.SERVICE_DESCRIPTOR.getName()).addMethod(KvRpc.WRITE_BATCH).build())
        .addMethod(KvRpc.WRITE_BATCH, ServerCalls.asyncUnaryCall(this::writeBatch)).build();
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service).build().start();
    String endpoint = "127.0.0.1:" + server.getPort();
    channel = Grpc.newChannelBuilder(endpoint, InsecureChannelCredentials.create()).build();
    return new CallBatcher<>(channel, endpoint, KvRpc.WRITE_BATCH,
        requests -> WriteBatchRequest.newBuilder().addAllRequests(requests).build(), WriteRequest::getSerializedSize,
        (response, i) -> {
          WriteResult r = response.getResults(i);
          return new CallBatcher.Outcome<>(r.hasResponse() ? r.getResponse() : null, r.hasError() ? r.getError() : null);
        });
  }

  private void writeBatch(WriteBatchRequest batch, StreamObserver<WriteBatchResponse> out) {
    requestsReceived.addAndGet(batch.getRequestsCount());
    if (calls.getAndIncrement() == 0) {
      firstCallHeld.countDown();
      try {
        releaseFirst.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    WriteBatchResponse.Builder response = WriteBatchResponse.newBuilder();
    for (int i = 0; i < batch.getRequestsCount(); i++) {
      response.addResults(i < 2
          ? WriteResult.newBuilder().setResponse(WriteResponse.newBuilder().setIndex(i + 1))
          : WriteResult.newBuilder().setError(Error.newBuilder().setCode(Error.Code.RESOURCE_EXHAUSTED)
              .setMessage("node 1 has 2 writes in flight; at most 2 / 8 MiB: retry later")));
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @AfterEach
  void stop() {
    releaseFirst.countDown();
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow();
    }
  }

  private static WriteRequest write(long sequence) {
    return WriteRequest.newBuilder().setClientId(1).setSequence(sequence).build();
  }

  @Test
  void aRequestThatWaitedInTheQueuePastItsDeadlineIsFailedWithoutBeingSent() throws Exception {
    CallBatcher<WriteRequest, WriteResponse, WriteBatchRequest, WriteBatchResponse> batcher = start();
    CompletableFuture<WriteResponse> first = batcher.call(write(1), System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    assertThat(firstCallHeld.await(60, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<WriteResponse> expired = batcher.call(write(2), System.nanoTime() - 1);
    releaseFirst.countDown();
    first.get(60, TimeUnit.SECONDS);

    try {
      expired.get(60, TimeUnit.SECONDS);
      throw new AssertionError("an expired request was answered");
    } catch (java.util.concurrent.ExecutionException e) {
      RaftKvException failure = (RaftKvException) e.getCause();
      assertThat(failure.code()).isEqualTo(Error.Code.TIMEOUT);
      assertThat(failure.getCause()).isInstanceOf(CallBatcher.QueuedTooLong.class);
      assertThat(failure.getMessage()).contains("waited in this client's queue");
    }
    assertThat(requestsReceived.get()).as("only the first request reached the node").isEqualTo(1);
  }
}
