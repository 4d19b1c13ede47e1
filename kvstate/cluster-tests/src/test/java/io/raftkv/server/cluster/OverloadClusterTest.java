package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.BackupRequest;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.KeyValue;
import io.raftkv.api.KvRpc;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.api.WriteBatchRequest;
import io.raftkv.api.WriteBatchResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node bounds the work it accepts: the excess is refused at once, and stalled streams are ended. */
class OverloadClusterTest {
  @TempDir
  Path root;

  private static ByteString key(String k) {
    return ByteString.copyFromUtf8(k);
  }

  private static WriteRequest put(long clientId, long sequence, String key, int valueBytes) {
    return WriteRequest.newBuilder().setClientId(clientId).setSequence(sequence).addOps(Op.newBuilder()
        .setPut(PutOp.newBuilder().setKey(key(key)).setValue(ByteString.copyFrom(new byte[valueBytes])))).build();
  }

  @Test
  void writesPastTheNodesBoundAreRefusedAtOnceWhileTheAdmittedOnesComplete() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.overloadLimits(OverloadLimits.DEFAULT.withWrites(4, 64L << 20))).start()) {
      long leader = cluster.awaitLeader(Duration.ofSeconds(10));
      WriteBatchRequest.Builder batch = WriteBatchRequest.newBuilder();
      for (int i = 1; i <= 64; i++) {
        batch.addRequests(put(7, i, "k/" + i, 100));
      }
      WriteBatchResponse response = cluster.call(leader, KvRpc.WRITE_BATCH, batch.build());

      assertThat(response.getResultsCount()).isEqualTo(64);
      for (int i = 0; i < 4; i++) {
        assertThat(response.getResults(i).hasResponse()).as("write %d was admitted and applied", i).isTrue();
      }
      for (int i = 4; i < 64; i++) {
        Error error = response.getResults(i).getError();
        assertThat(error.getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
        assertThat(error.getMessage()).contains("node " + leader + " has 4 writes").contains("at most 4 / 64 MiB")
            .endsWith("retry later");
      }
      RaftKvServer server = cluster.server(leader);
      await(() -> server.admission().writesInFlight(), 0);
      assertThat(server.admission().writeBytesInFlight()).isZero();
    }
  }

  @Test
  void aClientRetryingThroughRefusalsGetsEveryWriteAcknowledgedExactlyOnce() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.overloadLimits(OverloadLimits.DEFAULT.withWrites(8, 64L << 20))).start()) {
      long leader = cluster.awaitLeader(Duration.ofSeconds(10));
      try (RaftKvClient client = RaftKvClient.connect(List.of(cluster.members().get(leader).getClientAddress()),
          Duration.ofSeconds(120))) {
        List<CompletableFuture<WriteResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          answers.add(client.putAsync(key("once/" + i), ByteString.copyFrom(new byte[1024])));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);

        assertThat(client.refusals()).as("the node refused some writes, which the client retried").isPositive();
        for (int i = 0; i < 100; i++) {
          long index = answers.get(i).join().getIndex();
          KeyValue kv = client.get(key("once/" + i)).orElseThrow();
          // Applied once: created and last changed by the acknowledged write, and by no retry of it.
          assertThat(kv.getCreateVersion()).isEqualTo(index);
          assertThat(kv.getVersion()).isEqualTo(index);
        }
      }
    }
  }

  @Test
  void watchesAndBackupsPastTheNodesLimitsAreRefusedUntilASlotFrees() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.overloadLimits(OverloadLimits.DEFAULT.withStreams(1, 1, Duration.ofMinutes(10)))).start()) {
      long leader = cluster.awaitLeader(Duration.ofSeconds(10));
      fill(cluster, leader);
      ManagedChannel channel = channel(cluster, leader);
      try {
        RaftKvServer server = cluster.server(leader);
        // Neither reads: the watch waits on flow control, the backup (4 MiB) cannot finish.
        ClientCall<WatchRequest, WatchResponse> watch = openUnread(channel, KvRpc.WATCH,
            WatchRequest.newBuilder().setFromIndex(1).build(), new CompletableFuture<>());
        ClientCall<BackupRequest, io.raftkv.api.BackupChunk> backup = openUnread(channel, AdminRpc.BACKUP,
            BackupRequest.getDefaultInstance(), new CompletableFuture<>());
        assertThat(server.watchesInUse()).isEqualTo(1);
        assertThat(server.backupsInUse()).isEqualTo(1);

        assertRefused(() -> ClientCalls.blockingServerStreamingCall(channel, KvRpc.WATCH,
            CallOptions.DEFAULT, WatchRequest.newBuilder().setFromIndex(1).build()).hasNext(), "max watches");
        assertRefused(() -> ClientCalls.blockingServerStreamingCall(channel, AdminRpc.BACKUP,
            CallOptions.DEFAULT, BackupRequest.getDefaultInstance()).hasNext(), "max backups");

        watch.cancel("done", null);
        backup.cancel("done", null);
        await(server::watchesInUse, 0);
        await(server::backupsInUse, 0);
        Iterator<WatchResponse> again = ClientCalls.blockingServerStreamingCall(channel, KvRpc.WATCH,
            CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), WatchRequest.newBuilder().setFromIndex(1)
                .build());
        assertThat(again.next().getEventsCount()).isPositive();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aWatchRefusedAsOverloadedMovesToAnotherNodeAndGetsTheChanges() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.overloadLimits(OverloadLimits.DEFAULT.withStreams(1, 1, Duration.ofMinutes(10)))).start()) {
      long leader = cluster.awaitLeader(Duration.ofSeconds(10));
      long other = leader == 1 ? 2 : 1;
      cluster.call(leader, KvRpc.WRITE, put(5, 1, "seen", 10));
      cluster.awaitApplied(other, cluster.server(leader).node().appliedIndex());
      ManagedChannel channel = channel(cluster, leader);
      try {
        // The leader's only watch slot is taken; the client tries it first, is refused, and moves on.
        openUnread(channel, KvRpc.WATCH, WatchRequest.newBuilder().setFromIndex(1).build(),
            new CompletableFuture<>());
        try (RaftKvClient client = RaftKvClient.connect(List.of(cluster.members().get(leader).getClientAddress(),
            cluster.members().get(other).getClientAddress()), Duration.ofSeconds(30));
            io.raftkv.client.ChangeStream stream = client.watch(WatchRequest.newBuilder().setFromIndex(1).build())) {
          boolean seen = false;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (!seen && System.nanoTime() < deadline) {
            WatchResponse r = stream.poll(Duration.ofSeconds(5));
            seen = r != null && r.getEventsList().stream().anyMatch(e -> e.getKey().equals(key("seen")));
          }
          assertThat(seen).as("the change arrived through another node").isTrue();
          assertThat(stream.endpoint()).isEqualTo(cluster.members().get(other).getClientAddress());
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aStalledWatcherAndAStalledBackupAreEndedByTheIdleDeadline() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.overloadLimits(OverloadLimits.DEFAULT.withStreams(4, 4, Duration.ofMillis(300)))).start()) {
      long leader = cluster.awaitLeader(Duration.ofSeconds(10));
      fill(cluster, leader);
      ManagedChannel channel = channel(cluster, leader);
      try {
        RaftKvServer server = cluster.server(leader);
        CompletableFuture<Status> watchEnd = new CompletableFuture<>();
        CompletableFuture<Status> backupEnd = new CompletableFuture<>();
        ClientCall<WatchRequest, WatchResponse> watch = openUnread(channel, KvRpc.WATCH,
            WatchRequest.newBuilder().setFromIndex(1).build(), watchEnd);
        ClientCall<BackupRequest, io.raftkv.api.BackupChunk> backup = openUnread(channel, AdminRpc.BACKUP,
            BackupRequest.getDefaultInstance(), backupEnd);

        // The node ends both streams and frees what they pinned although the clients never read.
        await(server::watchesInUse, 0);
        await(server::backupsInUse, 0);
        watch.request(Integer.MAX_VALUE);
        backup.request(Integer.MAX_VALUE);
        Status w = watchEnd.get(60, TimeUnit.SECONDS);
        Status b = backupEnd.get(60, TimeUnit.SECONDS);
        assertThat(w.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(w.getDescription()).isEqualTo("watch stalled: the client read nothing for 300 ms");
        assertThat(b.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(b.getDescription()).isEqualTo("backup stalled: the client read nothing for 300 ms");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** Writes 4 MiB (64 values of 64 KiB), more than flow control lets a server stream buffer. */
  private static void fill(InProcessCluster cluster, long leader) {
    for (int w = 0; w < 8; w++) {
      WriteRequest.Builder write = WriteRequest.newBuilder().setClientId(99).setSequence(w + 1);
      for (int i = 0; i < 8; i++) {
        write.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(key("fill/" + w + "/" + i))
            .setValue(ByteString.copyFrom(new byte[64 << 10]))));
      }
      cluster.call(leader, KvRpc.WRITE, write.build());
    }
  }

  /**
   * A channel with a small fixed HTTP/2 window (64 KiB, no auto-tuning): what its unread streams get sent
   * stays well below the 4 MiB the node has to send, so a stream that is not read is held back.
   */
  private static ManagedChannel channel(InProcessCluster cluster, long id) {
    return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(
        cluster.members().get(id).getClientAddress()).usePlaintext().flowControlWindow(64 << 10)
        .maxInboundMessageSize(64 << 20).build();
  }

  /**
   * Starts a server-streaming call that reads nothing until asked, and waits until the node answered its
   * headers (it then holds the stream's slot); {@code end} gets its closing status.
   */
  private static <Q, R> ClientCall<Q, R> openUnread(ManagedChannel channel, MethodDescriptor<Q, R> method, Q request,
      CompletableFuture<Status> end) throws Exception {
    CompletableFuture<Void> started = new CompletableFuture<>();
    ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata headers) {
        started.complete(null);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        started.complete(null);
        end.complete(status);
      }
    }, new Metadata());
    call.sendMessage(request);
    call.halfClose();
    started.get(60, TimeUnit.SECONDS);
    return call;
  }

  private static void assertRefused(Runnable call, String limit) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(ErrorTrailers.fromThrowable(e).getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription()).contains(limit);
    });
  }

  /** Waits up to 60 s for {@code value} to reach {@code expected}. */
  private static void await(IntSupplier value, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (value.getAsInt() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still " + value.getAsInt() + ", expected " + expected + " after 60 s");
      }
      Thread.sleep(20);
    }
  }
}
