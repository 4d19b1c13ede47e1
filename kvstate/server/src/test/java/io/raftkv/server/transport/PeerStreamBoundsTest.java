package io.raftkv.server.transport;

import io.raftkv.server.testing.Acks;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What peers stream into a node is bounded: raft batches by flow control, snapshots by bytes and time. */
class PeerStreamBoundsTest {
  private static final String CLUSTER = "bounds";

  @TempDir
  Path dir;

  private final CountDownLatch loopBlocked = new CountDownLatch(1);
  private final CountDownLatch unblock = new CountDownLatch(1);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private RaftKvNode node;
  private Server server;
  private ManagedChannel channel;

  /** Holds the raft loop in its first send (a pre-vote to the absent node 2) until the test lets go. */
  private final Transport blockingTransport = new Transport() {
    @Override
    public void start(RaftMessageHandler n) {}

    @Override
    public void send(List<Message> messages) {
      loopBlocked.countDown();
      try {
        unblock.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void sendSnapshot(Message message) {}

    @Override
    public void setPeer(long id, String peerAddress) {}

    @Override
    public void removePeer(long id) {}

    @Override
    public void close() {}
  };

  private void start(OverloadLimits limits) throws Exception {
    Map<Long, Member> members = Map.of(
        1L, Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1").setClientAddress("127.0.0.1:2").build(),
        2L, Member.newBuilder().setId(2).setPeerAddress("127.0.0.1:3").setClientAddress("127.0.0.1:4").build());
    NodeConfig config = NodeConfig.builder().nodeId(1).clusterId(CLUSTER).dataDir(dir.resolve("node-1"))
        .initialMembers(members).tickInterval(Duration.ofMillis(10)).electionTicks(10).heartbeatTicks(1)
        .overloadLimits(limits).build();
    node = RaftKvNode.start(config, blockingTransport);
    GrpcTransport transport = new GrpcTransport(CLUSTER, 1, "", "");
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(new PeerService(CLUSTER, () -> node, transport, limits, timer).definition()).build().start();
    channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() throws Exception {
    unblock.countDown();
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
    timer.shutdownNow();
  }

  @Test
  void aPeerSendingIntoAFullMailboxIsHeldBackByFlowControlNotBuffered() throws Exception {
    start(OverloadLimits.DEFAULT.withQueues(4, 4096));
    assertThat(loopBlocked.await(60, TimeUnit.SECONDS)).as("the raft loop reached its first send").isTrue();

    CompletableFuture<TransportAck> ack = new CompletableFuture<>();
    ClientCallStreamObserver<RaftMessageBatch> out = (ClientCallStreamObserver<RaftMessageBatch>)
        ClientCalls.asyncClientStreamingCall(channel.newCall(PeerRpc.RAFT, CallOptions.DEFAULT), Acks.into(ack));
    // A rejected pre-vote answer from node 2 (harmless once stepped), 16 KiB each with its context.
    Message answer = Message.newBuilder().setMsgType(MessageType.MsgRequestPreVoteResponse).setFrom(2).setTo(1)
        .setReject(true).setContext(ByteString.copyFrom(new byte[16 << 10])).build();
    RaftMessageBatch batch = RaftMessageBatch.newBuilder().setClusterId(CLUSTER).setFrom(2).addMessages(answer)
        .build();
    // 400 batches (6.4 MiB): the peer side buffers what the node does not take; the node must read only
    // as many as its 4 slots hold while its raft loop is stuck.
    int mostReserved = 0;
    int mostQueued = 0;
    for (int sent = 0; sent < 400; sent++) {
      out.onNext(batch);
      mostReserved = Math.max(mostReserved, node.peerInbox().reserved());
      mostQueued = Math.max(mostQueued, node.queuedEvents());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (node.peerInbox().reserved() < 4) {
      assertThat(System.nanoTime()).as("the node filled its 4 slots within 60 s").isLessThan(deadline);
      mostQueued = Math.max(mostQueued, node.queuedEvents());
      Thread.sleep(10);
    }
    // Keep looking while the peer keeps pushing: the node holds at 4.
    for (int i = 0; i < 50; i++) {
      mostReserved = Math.max(mostReserved, node.peerInbox().reserved());
      mostQueued = Math.max(mostQueued, node.queuedEvents());
      Thread.sleep(10);
    }
    assertThat(mostReserved).as("slots reserved").isLessThanOrEqualTo(4);
    assertThat(mostQueued).as("mailbox events while the loop is stuck").isLessThanOrEqualTo(4);

    unblock.countDown();
    out.onCompleted(); // the ack comes only once the node read every batch
    assertThat(ack.get(120, TimeUnit.SECONDS).getError()).isEmpty();
    awaitTrue(() -> node.peerInbox().reserved() == 0);
  }

  @Test
  void anIncomingSnapshotOverTheByteLimitIsRefusedAndItsStagedFilesRemoved() throws Exception {
    start(OverloadLimits.DEFAULT.withIncomingSnapshots(1, 64 << 10, Duration.ofHours(1)));
    CompletableFuture<TransportAck> ack = new CompletableFuture<>();
    StreamObserver<SnapshotChunk> out = ClientCalls.asyncClientStreamingCall(
        channel.newCall(PeerRpc.SNAPSHOT, CallOptions.DEFAULT), Acks.into(ack));
    out.onNext(SnapshotChunk.newBuilder().setClusterId(CLUSTER).setMessage(snapshotMessage(100)).build());
    for (int i = 0; i < 20 && !ack.isDone(); i++) {
      out.onNext(SnapshotChunk.newBuilder().setClusterId(CLUSTER).setData(SnapshotKvBatch.newBuilder()
          .setColumnFamily(ColumnFamily.DATA.toString()).addKeys(ByteString.copyFromUtf8(String.format("k%04d", i)))
          .addValues(ByteString.copyFrom(new byte[8 << 10]))).build());
    }
    out.onCompleted();

    String error = ack.get(60, TimeUnit.SECONDS).getError();
    assertThat(error).contains("snapshot 100 from node 2").contains("at most 65536 (max snapshot bytes)");
    assertThat(stagedDirectories(100)).as("staged snapshot files").isEmpty();
  }

  @Test
  void anIncomingSnapshotPastTheTimeLimitIsAbortedAndItsStagedFilesRemoved() throws Exception {
    start(OverloadLimits.DEFAULT.withIncomingSnapshots(1, 1L << 30, Duration.ofMillis(200)));
    CompletableFuture<TransportAck> ack = new CompletableFuture<>();
    StreamObserver<SnapshotChunk> out = ClientCalls.asyncClientStreamingCall(
        channel.newCall(PeerRpc.SNAPSHOT, CallOptions.DEFAULT), Acks.into(ack));
    out.onNext(SnapshotChunk.newBuilder().setClusterId(CLUSTER).setMessage(snapshotMessage(200)).build());
    out.onNext(SnapshotChunk.newBuilder().setClusterId(CLUSTER).setData(SnapshotKvBatch.newBuilder()
        .setColumnFamily(ColumnFamily.DATA.toString()).addKeys(ByteString.copyFromUtf8("k"))
        .addValues(ByteString.copyFromUtf8("v"))).build());
    // ... and then nothing more: the node gives up on its own.
    String error = ack.get(60, TimeUnit.SECONDS).getError();
    assertThat(error).contains("snapshot 200 from node 2 did not arrive within 200 ms (snapshot time limit)");
    assertThat(stagedDirectories(200)).isEmpty();
    out.onCompleted();
  }

  private static Message snapshotMessage(long index) {
    return Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setFrom(2).setTo(1).setTerm(5)
        .setSnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(5)))
        .build();
  }

  /** Staging directories of the snapshot at {@code index} (named index-term-nanos) under the node's data. */
  private List<Path> stagedDirectories(long index) throws Exception {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith(index + "-5-"))
          .toList();
    }
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(10);
    }
  }
}
